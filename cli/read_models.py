"""``scc projections`` and ``scc report``: the read models and what is counted from them."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import click

from cli import formatting
from domain.errors import CaseFileError


@contextlib.contextmanager
def _projections() -> Iterator[Any]:
    from adapters.bootstrap import build_projections
    from adapters.config import Settings
    from cli.main import UserError, _case_files, refusal

    with _case_files() as case_files:
        try:
            read_models = build_projections(Settings.from_env(), case_files)
        except ValueError as error:  # a schema to migrate, read models to rebuild
            raise UserError(str(error)) from None
        try:
            yield read_models
        except CaseFileError as error:
            raise UserError(refusal(error)) from None
        except ValueError as error:
            raise UserError(str(error)) from None
        finally:
            read_models.store.close()


@click.group(help="The read models behind the dashboard and the reports.")
def projections() -> None:
    pass


@projections.command("status", help="Each projection's position in the log and its lag.")
def projections_status() -> None:
    with _projections() as read_models:
        rows = read_models.status()
        set_aside = read_models.set_aside()
    click.echo(formatting.table(
        ["projection", "position", "lag"],
        [[r["projection"], r["position"], r["lag"]] for r in rows]))
    if set_aside:
        click.echo(f"\n{len(set_aside)} school{'s' if len(set_aside) > 1 else ''} set aside: "
                   "an entry could not be applied, so its read models stand as before it "
                   "(every other school's are kept up to date). Retract or amend the entry, or "
                   "fix the cause, and the school catches up:")
        click.echo(formatting.table(
            ["urn", "name", "since position", "reason"],
            [[s["urn"], s["name"] or "", s["position"], s["reason"]] for s in set_aside]))


@projections.command("rebuild", help="Rebuild one projection (or all) from the whole log. "
                     "The old read model keeps serving until the new one is complete.")
@click.argument("name", required=False)
def projections_rebuild(name: str | None) -> None:
    from application.projections import PROJECTIONS

    names = [name] if name else list(PROJECTIONS)
    with _projections() as read_models, click.progressbar(
            length=1, label=f"Rebuilding {', '.join(names)}", file=sys.stderr,
            show_pos=True) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        read = read_models.rebuild(names, progress)
    click.echo(f"Rebuilt {', '.join(names)} from {read} entries of the log")


@projections.command("follow", help="Keep the read models up to date until interrupted.")
def projections_follow() -> None:
    import threading

    stop = threading.Event()
    with _projections() as read_models:
        click.echo("Following the log; Ctrl-C to stop.", err=True)
        try:
            read_models.follow(stop)
        except KeyboardInterrupt:
            stop.set()


@click.group(help="Reports counted from the read models.")
def report() -> None:
    pass


@report.command("categories", help="Number and % of schools and pupils in each category on "
                "each date, as LA strategies publish them.")
@click.option("--by", "by", type=click.Choice(["ofsted", "la"]), required=True)
@click.option("--phase", type=click.Choice(["primary", "secondary", "special", "all"]),
              default="all", show_default=True)
@click.option("--at", "dates", multiple=True, required=True, metavar="DATE",
              help="A date (YYYY-MM-DD); repeat for several.")
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]),
              default="table", show_default=True)
def report_categories(by: str, phase: str, dates: tuple[str, ...], output: str) -> None:
    from application.reports import Reports
    from cli.main import _date

    days = [_date(d) for d in dates]
    with _projections() as read_models:
        rows = Reports(read_models).categories(by=by, phase=phase, dates=days)
    headers = ["date", "phase", "category", "schools", "schools_pct", "pupils", "pupils_pct"]
    if output == "json":
        click.echo(formatting.to_json(rows))
    elif output == "csv":
        click.echo(formatting.to_csv(headers, [[r[h] for h in headers] for r in rows]), nl=False)
    else:
        click.echo(formatting.table(
            ["date", "phase", "category", "schools", "%", "pupils", "%"],
            [[formatting.long_date(r["date"]), r["phase"], r["category"], r["schools"],
              f"{r['schools_pct']:.1f}", r["pupils"], f"{r['pupils_pct']:.1f}"] for r in rows]))


@report.command("concern", help="Schools causing concern: why, and what is due next.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table")
def report_concern(output: str) -> None:
    from application.reports import Reports

    with _projections() as read_models:
        rows = Reports(read_models).causing_concern()
    if output == "json":
        click.echo(formatting.to_json(rows))
        return
    click.echo(formatting.table(
        ["URN", "school", "why", "next deadline"],
        [[r["urn"], r["name"], r["concern_reasons"],
          f"{formatting.long_date(r['next_deadline'])} {r['next_deadline_what'] or ''}".strip()]
         for r in rows]))
    click.echo(f"\n{len(rows)} school{'' if len(rows) == 1 else 's'} causing concern")


@report.command("deadlines", help="Deadlines overdue today and due in the next DAYS days.")
@click.option("--days", default=14, show_default=True, type=click.IntRange(0, 366))
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table")
def report_deadlines(days: int, output: str) -> None:
    from application.reports import Reports

    with _projections() as read_models:
        today = read_models.case_files.clock.today()
        due = Reports(read_models).deadlines(today, days=days)
    if output == "json":
        click.echo(formatting.to_json(due))
        return
    for heading, rows in (("Overdue", due["overdue"]),
                          (f"Due in the next {days} days", due["upcoming"])):
        click.echo(f"{heading}: {len(rows)}")
        if rows:
            click.echo(formatting.table(
                ["due", "URN", "school", "what"],
                [[formatting.long_date(r["due"]), r["urn"], r["name"], r["what"]]
                 for r in rows]))
        click.echo()
