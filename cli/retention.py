"""``scc retention`` and ``scc holds``: what the retention schedule makes due, legal holds,
and destruction proposed by one person and approved by another."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import click

from cli import formatting


@contextlib.contextmanager
def data_protection() -> Iterator[Any]:
    """Retention and holds on the configured store; refusals become user errors."""
    from adapters.bootstrap import build_data_protection
    from adapters.config import Settings
    from cli.main import UserError, _case_files
    from domain.data_protection import DataProtectionError
    from domain.errors import CaseFileError

    with _case_files() as case_files:
        try:
            found = build_data_protection(Settings.from_env(), case_files)
        except ValueError as error:
            raise UserError(str(error)) from None
        try:
            yield found
        except (DataProtectionError, CaseFileError) as error:
            raise UserError(str(error)) from None
        finally:
            found.close()


def _progress(done: int, total: int) -> None:
    click.echo(f"  read {done:,} of {total:,} case files", err=True)


@click.group(help="The retention schedule: what is due for destruction, and destroying it "
                  "once one person has proposed it and another approved.")
def retention() -> None:
    pass


@retention.command("schedule", help="The retention schedule in force (the LA's policy file, "
                                    "or the defaults marked as the LA's to confirm).")
def schedule() -> None:
    with data_protection() as dp:
        rows = [[r.key, r.record, r.period, r.after,
                 "yes" if r.confirmed else "no: the LA's to confirm"]
                for r in dp.schedule.values()]
    click.echo(formatting.table(["rule", "record", "kept", "after", "confirmed"], rows))


@retention.command("report", help="Every record due for destruction today, and what holds "
                                  "keep any of it.")
def report() -> None:
    with data_protection() as dp:
        due = dp.report(progress=_progress)
    if not due:
        click.echo("Nothing is due for destruction today.")
        return
    click.echo(formatting.table(
        ["record", "school", "rule", "since", "due", "status"],
        [[d.item.urn if d.item.urn is not None else f"access log {d.item.month}",
          d.school or "", d.rule.key, d.since.isoformat(), d.item.due.isoformat(), d.status]
         for d in due]))


@retention.command("propose", help="Propose records due for destruction: URNs (and --month "
                                   "for the access log), or every record due and not held.")
@click.argument("urns", nargs=-1, type=int)
@click.option("--month", "months", multiple=True, metavar="YYYY-MM",
              help="A month of the access log.")
@click.option("--by", required=True, help="Who proposes it.")
def propose(urns: tuple[int, ...], months: tuple[str, ...], by: str) -> None:
    from cli.main import _operator

    with data_protection() as dp:
        destruction = dp.propose(by=_operator(by, "scc retention propose"),
                                 urns=urns or None, months=months or None)
        items = dp.decisions().destructions[destruction].items
    click.echo(f"Proposed destruction {destruction}: {len(items)} record"
               f"{'s' * (len(items) != 1)}. Another person approves it with "
               f"scc retention approve {destruction} --by NAME.")


@retention.command("approve", help="Approve a proposed destruction, and carry it out: "
                                   "another person than the one who proposed it.")
@click.argument("destruction")
@click.option("--by", required=True, help="Who approves it.")
def approve(destruction: str, by: str) -> None:
    from cli.main import _operator

    with data_protection() as dp:
        done = dp.approve(destruction, by=_operator(by, "scc retention approve"))
    click.echo(f"Destruction {destruction} approved and carried out: personal data erased "
               f"from {done['case_files']} case file{'s' * (done['case_files'] != 1)} "
               f"({done['keys']} keys destroyed"
               + (f"; {done['people_kept']} held kept" if done["people_kept"] else "")
               + (f"), {done['months']} months of the access log" if done["months"] else ")")
               + ".")


@retention.command("refuse", help="Refuse a proposed destruction, saying why.")
@click.argument("destruction")
@click.option("--reason", required=True)
@click.option("--by", required=True)
def refuse(destruction: str, reason: str, by: str) -> None:
    from cli.main import _operator

    with data_protection() as dp:
        dp.refuse(destruction, reason=reason, by=_operator(by, "scc retention refuse"))
    click.echo(f"Destruction {destruction} refused.")


@retention.command("decisions", help="Every hold and destruction decision, newest first.")
def decisions() -> None:
    with data_protection() as dp:
        rows = [[d["number"], d["recorded_at"].strftime("%Y-%m-%d %H:%M"), d["action"],
                 d["subject"], d["by"], _details(d["details"])] for d in dp.log()]
    click.echo(formatting.table(["#", "at", "decision", "of", "by", "details"], rows))


def _details(details: dict[str, Any]) -> str:
    if "items" in details:
        return ", ".join(str(i["urn"] if i["urn"] is not None else i["month"])
                         for i in details["items"])
    return "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in details.items())


@click.group(help="Legal holds: a school, a person or everything kept from destruction and "
                  "erasure, whatever the retention schedule says.")
def holds() -> None:
    pass


@holds.command("list", help="The holds standing, and those lifted.")
def list_holds() -> None:
    with data_protection() as dp:
        found = list(dp.decisions().holds.values())
    if not found:
        click.echo("No legal holds.")
        return
    click.echo(formatting.table(
        ["hold", "on", "reason", "placed by", "placed", "lifted"],
        [[h.hold_id, h.scope + (f" {h.target}" if h.target is not None else ""), h.reason,
          h.placed_by, h.placed_on.isoformat(),
          h.lifted_on.isoformat() if h.lifted_on else ""] for h in found]))


@holds.command("place", help="Place a legal hold: --school URN, --person ID (as scc people "
                             "find shows) or --everything.")
@click.option("--school", type=int)
@click.option("--person")
@click.option("--everything", is_flag=True)
@click.option("--reason", required=True, help="The inquiry or claim, and its reference.")
@click.option("--by", required=True)
def place(school: int | None, person: str | None, everything: bool, reason: str,
          by: str) -> None:
    from cli.main import UserError, _operator

    chosen = [(s, t) for s, t in (("school", school), ("person", person),
                                  ("everything", everything or None)) if t is not None]
    if len(chosen) != 1:
        raise UserError("Say what the hold is on: one of --school URN, --person ID or "
                        "--everything")
    scope, target = chosen[0]
    with data_protection() as dp:
        hold = dp.place_hold(scope=scope, target=None if scope == "everything" else target,
                             reason=reason, by=_operator(by, "scc holds place"))
    click.echo(f"Legal hold {hold} placed.")


@holds.command("lift", help="Lift a legal hold, saying why.")
@click.argument("hold")
@click.option("--reason", required=True)
@click.option("--by", required=True)
def lift(hold: str, reason: str, by: str) -> None:
    from cli.main import _operator

    with data_protection() as dp:
        dp.lift_hold(hold, reason=reason, by=_operator(by, "scc holds lift"))
    click.echo(f"Legal hold {hold} lifted.")


COMMANDS = (retention, holds)
