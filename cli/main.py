"""The ``scc`` command line: parse the arguments, call one use case, print the answer."""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import click

from cli import formatting
from domain.errors import CaseFileError


class UserError(click.ClickException):
    """A mistake the user can fix: ``Error: <message>`` on stderr, status 2, no traceback."""

    exit_code = 2


@contextlib.contextmanager
def _case_files() -> Iterator[Any]:
    """The application on the configured store, closed afterwards; rule violations become
    user errors. Built here, when a command runs, never at import."""
    from eventsourcing.persistence import PersistenceError

    from adapters.bootstrap import build_case_files
    from adapters.config import Settings

    try:
        case_files = build_case_files(Settings.from_env())
    except ValueError as error:  # settings the user can correct (URL, scheme, term dates)
        raise UserError(str(error)) from None
    except PersistenceError as error:
        raise UserError(f"Cannot open the case-file store: {error}") from None
    try:
        yield case_files
    except CaseFileError as error:
        raise UserError(str(error)) from None
    finally:
        case_files.close()


@click.group(help="Case files for the schools causing concern in a local authority.")
def scc() -> None:
    pass


@scc.command(help="Create the case-file store (SCC_DATABASE_URL) if it does not exist.")
def init() -> None:
    from adapters.config import Settings

    with _case_files() as case_files:
        count = len(case_files.urns())
    click.echo(f"Case-file store ready: {_where(Settings.from_env().database_url)}")
    click.echo(f"It holds {count} case file{'' if count == 1 else 's'}.")


@scc.command(help="Load the demo local authority, Fenmarsh, with its schools' histories.")
@click.option("--if-empty", is_flag=True,
              help="Do nothing if the store already holds case files.")
def demo(if_empty: bool) -> None:
    from adapters.demo import load_demo

    with _case_files() as case_files, contextlib.ExitStack() as bars:
        existing = len(case_files.urns())
        if existing and if_empty:
            click.echo(f"The store already holds {existing} case files; demo not loaded.")
            return
        bar: Any = None
        logged = 0
        stderr = sys.stderr

        def progress(loaded: int, total: int, entries: int) -> None:
            nonlocal bar, logged
            if not stderr.isatty():  # a log, not a bar, when piped
                if loaded - logged >= 10 or loaded == total:
                    click.echo(f"Loaded {loaded} of {total} schools, {entries} entries", err=True)
                    logged = loaded
                return
            if bar is None:
                bar = bars.enter_context(click.progressbar(
                    length=total, label="Loading Fenmarsh", file=stderr,
                    item_show_func=lambda text: text, show_pos=True,
                ))
            bar.update(loaded - bar.pos, f"{loaded} schools, {entries} entries")

        summary = load_demo(case_files, progress)
        bars.close()
    click.echo(
        f"Loaded {summary.la_name} (LA {summary.la_code}): {summary.case_files} case files, "
        f"{summary.entries} entries, up to {formatting.long_date(summary.loaded_until)}."
    )
    click.echo(f"{summary.causing_concern} open schools are causing concern now.")
    click.echo(f"Featured: {summary.featured_name}, URN {summary.featured_urn} (warning notice "
               "not complied with, then an interim executive board).")
    click.echo(f"  Try: scc history {summary.featured_urn}")
    old, new = summary.academy_conversion
    click.echo(f"Special measures: URN {summary.special_measures_urn}. "
               f"Academy conversion: URN {old} became URN {new}.")


@scc.command(help="List every school with its LA category and Ofsted grade.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def schools(output: str) -> None:
    with _case_files() as case_files:
        found = case_files.schools()
    if output == "json":
        click.echo(formatting.to_json([formatting.school_row(s) for s in found]))
    else:
        click.echo(formatting.schools_table(found))


@scc.command(help="Show a school's case file, entry by entry. URN is the school's DfE number.")
@click.argument("urn")
@click.option("--as-at", metavar="DATE",
              help="What had taken effect by this date (YYYY-MM-DD or DD/MM/YYYY).")
@click.option("--as-known-at", metavar="DATETIME",
              help="What had been recorded by this time (ISO 8601; without an offset it is "
                   "UK time).")
@click.option("--format", "output", type=click.Choice(["table", "json", "csv"]),
              default="table", show_default=True)
def history(urn: str, as_at: str | None, as_known_at: str | None, output: str) -> None:
    school_urn = _urn(urn)
    on = _date(as_at) if as_at else None
    known_at = _datetime(as_known_at) if as_known_at else None
    with _case_files() as case_files:
        entries = case_files.history(school_urn, as_at=on, as_known_at=known_at)
        status = (case_files.school(school_urn, as_at=on, as_known_at=known_at)
                  if output == "table" else None)
        today = on or case_files.clock.today()
    if output == "json":
        click.echo(formatting.to_json(formatting.history_json(entries)))
    elif output == "csv":
        click.echo(formatting.to_csv(formatting.HISTORY_COLUMNS,
                                     formatting.history_rows(entries)), nl=False)
    else:
        click.echo(formatting.history_table(entries))
        click.echo()
        click.echo(formatting.status_block(status, today))


# What the user types -----------------------------------------------------------------------

def _urn(text: str) -> int:
    if not re.fullmatch(r"\s*\d+\s*", text):
        raise UserError(f"{text!r} is not a URN: a URN is a number, e.g. 990007")
    return int(text)


def _date(text: str) -> date:
    """A date as YYYY-MM-DD, or DD/MM/YYYY as the LA writes it."""
    try:
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", text.strip()):
            return datetime.strptime(text.strip(), "%d/%m/%Y").date()
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            return date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise UserError(f"{text!r} is not a date: write it as YYYY-MM-DD, e.g. 2024-03-01")


def _datetime(text: str) -> datetime:
    """An ISO 8601 time; without an offset it is UK local time. Returned in UTC."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UserError(
            f"{text!r} is not a date and time: write it in ISO 8601, e.g. 2024-03-01T09:30 "
            "(UK time) or 2024-03-01T09:30:00+00:00"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=formatting.ENGLAND)
    return moment.astimezone(UTC)


def _where(database_url: str) -> str:
    """Where the store is, without any password in the URL."""
    from pathlib import Path
    from urllib.parse import unquote, urlsplit

    url = urlsplit(database_url)
    if url.scheme == "sqlite":
        path = unquote(url.path[1:] if url.path.startswith("/") else url.path)
        return f"SQLite file {Path(path).resolve()}"
    host = url.hostname or "127.0.0.1"
    schema = f", schema {url.query.split('schema=')[-1]}" if "schema=" in url.query else ""
    return f"PostgreSQL database {url.path.strip('/')} on {host}:{url.port or 5432}{schema}"
