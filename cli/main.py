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
from domain.dates import require_known_at
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
        from adapters.store_errors import store_failure

        if store_failure(error, Settings.from_env().database_url) is not None:
            raise  # worded by the group, with what to do
        raise UserError(f"Cannot open the case-file store: {error}") from None
    try:
        yield case_files
    except CaseFileError as error:
        raise UserError(refusal(error)) from None
    finally:
        case_files.close()


def refusal(error: CaseFileError) -> str:
    """A refusal's message and, if it rests on a rule, the rule and where to read it."""
    from domain.rules import rule_of

    rule = rule_of(error)
    if rule is None:
        return str(error)
    return (f"{error}\nRule {rule.key}: {rule.title} ({rule.source}); "
            f"see scc rules {rule.key}")


class RebuildStopped(click.ClickException):
    """One of the processes a rebuild was shared out among failed or died:
    ``Error: <which, why, and that nothing changed>``, status 1, no traceback."""

    exit_code = 1


class StoreUnusable(click.ClickException):
    """The store refused or failed a write (a full disk, a read-only database, a lock held
    too long, a server gone): ``Error: <what and what to do>``, status 1, no traceback."""

    exit_code = 1


STOPPED_PART_WAY = {
    "import-schools": "The import stopped part-way: what it recorded before went in whole "
                      "(new schools go in up to 500 at a time, all or none). Import the file "
                      "again once that is put right: rows already imported are not recorded "
                      "twice.",
    "import-links": "The import stopped part-way: the rows before it went in whole. Import "
                    "the file again once that is put right: links already recorded are not "
                    "recorded twice.",
    "import-inspections": "The import stopped part-way: the rows before it went in whole. "
                          "Import the file again once that is put right: inspections already "
                          "recorded are skipped.",
}
"""What a failure mid-way means for the commands that record many entries, one at a time."""


class _Commands(click.Group):
    """scc's group: a store failure in any command is one paragraph on stderr."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as error:
            from adapters.config import Settings
            from adapters.store_errors import store_failure
            from application.projections import RebuildFailed

            if isinstance(error, RebuildFailed):
                raise RebuildStopped(
                    f"{error}. The read models are as they were. Run the rebuild again once "
                    "that is put right; SCC_REBUILD_PROCESSES=1 runs it in one process."
                ) from None

            try:
                database_url = Settings.from_env().database_url
            except ValueError:
                database_url = None
            failure = store_failure(error, database_url)
            if failure is None:
                raise
            part_way = STOPPED_PART_WAY.get(ctx.invoked_subcommand or "")
            message = (f"{failure.reason}. {part_way} {failure.advice}" if part_way
                       else failure.message)
            raise StoreUnusable(message) from None


@click.group(cls=_Commands,
             help="Case files for the schools causing concern in a local authority.")
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
    from adapters.demo import FEATURED_URN, load_demo

    with _case_files() as case_files:
        existing = len(case_files.urns())
        holds_demo = FEATURED_URN in case_files
    if existing and if_empty:
        click.echo(f"The store already holds {existing} case files; demo not loaded.")
        if holds_demo:
            _add_demo_users(new_passwords=True)
        return
    with _case_files() as case_files, contextlib.ExitStack() as bars:
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
    letters = _demo_documents(summary.featured_urn)
    click.echo(
        f"Loaded {summary.la_name} (LA {summary.la_code}): {summary.case_files} case files, "
        f"{summary.entries} entries, up to {formatting.long_date(summary.loaded_until)}."
    )
    click.echo(f"{summary.causing_concern} open schools are causing concern now.")
    click.echo(f"Featured: {summary.featured_name}, URN {summary.featured_urn} (warning notice "
               "not complied with, then an interim executive board).")
    click.echo(f"  Try: scc history {summary.featured_urn}")
    click.echo(f"  Its letters and evidence ({letters}): scc documents {summary.featured_urn}")
    old, new = summary.academy_conversion
    click.echo(f"Special measures: URN {summary.special_measures_urn}. "
               f"Academy conversion: URN {old} became URN {new}.")
    _add_demo_users()


def _demo_documents(urn: int) -> int:
    """The featured school's warning notice and IEB application as letters, produced on the
    days of their steps by whoever recorded them, and the attendance figures the notice rests
    on as evidence; returns how many documents it holds."""
    import io

    from cli.documents import documents_of_store

    with documents_of_store() as documents:
        for choice in documents.letter_choices(urn):
            if choice["kind"] in ("warning-notice-s60", "ieb-application") and choice["sources"]:
                source = choice["sources"][-1]
                documents.produce_letter(urn, by=source["by"], kind=choice["kind"],
                                         rests_on=source["version"],
                                         effective=source["effective"])
                if choice["kind"] == "warning-notice-s60":
                    figures = ("Week beginning,Attendance %,Persistent absence %\r\n"
                               "2024-11-04,91.2,24.0\r\n2024-11-11,90.4,25.3\r\n"
                               "2024-11-18,89.7,26.1\r\n2024-11-25,88.9,27.4\r\n")
                    documents.attach_evidence(
                        urn, by=source["by"], stream=io.BytesIO(figures.encode()),
                        filename="attendance-autumn-2024.csv", to_entry=source["version"],
                        description="Attendance figures for the autumn term the notice "
                                    "rests on", effective=source["effective"])
        return len(documents.documents(urn))


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
@click.option("--format", "output", type=click.Choice(["table", "json", "csv", "html"]),
              default="table", show_default=True,
              help="html: a print-ready document with the school's verification.")
def history(urn: str, as_at: str | None, as_known_at: str | None, output: str) -> None:
    school_urn = _urn(urn)
    on = _date(as_at) if as_at else None
    known_at = _datetime(as_known_at) if as_known_at else None
    with _case_files() as case_files:
        entries = case_files.history(school_urn, as_at=on, as_known_at=known_at)
        status = (case_files.school(school_urn, as_at=on, as_known_at=known_at)
                  if output in ("table", "html") else None)
        if (mismatch := case_files.snapshot_mismatch(school_urn)) is not None:
            click.echo(f"Warning: {mismatch}", err=True)
        today = on or case_files.clock.today()
        if output == "html":
            click.echo(_printable_history(case_files, school_urn, status, entries))
            return
    if output == "json":
        click.echo(formatting.to_json(formatting.history_json(entries)))
    elif output == "csv":
        click.echo(formatting.to_csv(formatting.history_columns(entries),
                                     formatting.history_rows(entries)), nl=False)
    else:
        click.echo(formatting.history_table(entries))
        click.echo()
        click.echo(formatting.status_block(status, today))


@scc.command(help="The rules of law and policy scc holds a case file to, chapter by chapter: "
                  "what each says, where it comes from and when it applies. KEY shows one "
                  "rule.")
@click.argument("key", required=False)
@click.option("--on", "on", metavar="DATE",
              help="Only the rules in force on this date (YYYY-MM-DD or DD/MM/YYYY).")
@click.option("--json", "as_json", is_flag=True, help="A machine-readable list.")
def rules(key: str | None, on: str | None, as_json: bool) -> None:
    from application import rulebook
    from domain.rulebook import rule as rule_named

    day = _date(on) if on else None
    if key is not None:
        try:
            rule = rule_named(key)
        except KeyError:
            raise UserError(f"There is no rule {key!r}: scc rules lists them all") from None
        found = rulebook.rule_view(rule)
        if day is not None and not rule.in_force_on(day):
            raise UserError(f"The rule {key} was not in force on {formatting.long_date(day)}: "
                            f"it applies {found['applies']}")
        click.echo(formatting.to_json(found) if as_json else formatting.rule_block(found))
        return
    chapters = rulebook.chapters(on=day)
    if as_json:
        click.echo(formatting.to_json([
            {**rule, "chapter": chapter["key"], "chapter_title": chapter["title"]}
            for chapter in chapters for rule in chapter["rules"]]))
        return
    if not chapters:
        click.echo(f"No rule was in force on {formatting.long_date(day)}." if day
                   else "The rulebook holds no rules.")
        return
    if day is not None:
        click.echo(f"Rules in force on {formatting.long_date(day)}")
        click.echo()
    click.echo(formatting.rulebook_text(chapters))


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
    try:
        require_known_at(moment)
    except CaseFileError as refused:
        raise UserError(refusal(refused)) from None
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


def _register_read_model_commands() -> None:
    from cli.read_models import projections, report

    scc.add_command(projections)
    scc.add_command(report)


_register_read_model_commands()


# The auditor's tools ------------------------------------------------------------------------

def _printable_history(case_files: Any, urn: int, status: Any, entries: Any) -> str:
    """The history as a print-ready HTML document, with this school's verification."""
    from adapters.printable import render_history
    from application import audit

    verification = audit.verify(case_files, urn=urn)
    return render_history(status, entries, verification, case_files.clock.now())


@contextlib.contextmanager
def _schools_progress(label: str) -> Iterator[Any]:
    """A progress bar on stderr over the schools, or a few log lines when it is not a terminal."""
    with contextlib.ExitStack() as bars:
        bar: Any = None
        logged = 0
        to_terminal = sys.stderr.isatty()  # asked once: a call per row costs more than a row

        def progress(done: int, total: int) -> None:
            nonlocal bar, logged
            if not to_terminal:
                if done - logged >= max(1, total // 10) or done == total:
                    click.echo(f"{label} {done} of {total} schools", err=True)
                    logged = done
                return
            if bar is None:
                bar = bars.enter_context(click.progressbar(
                    length=total, label=label, file=sys.stderr, show_pos=True))
            bar.update(done - bar.pos)

        yield progress


@scc.command(help="Check that no entry was altered, removed or reordered after it was recorded, "
                  "nor any row of the access log (exit status 1 if any was).")
@click.option("--urn", "urn_text", metavar="URN", help="Check this school only.")
@click.option("--checkpoint", "checkpoint_files", metavar="FILE", multiple=True,
              type=click.Path(path_type=str),
              help="Also check against signed checkpoints: a checkpoint file, or a folder of "
                   "them (repeatable); or a JSON checkpoint made by an older scc checkpoint.")
@click.option("--public-key", "public_key", metavar="FILE", type=click.Path(path_type=str),
              help="The public key the checkpoints were signed with. Default: "
                   "$SCC_CHECKPOINT_PUBLIC_KEY, or the one of $SCC_CHECKPOINT_KEY.")
@click.option("--since-checkpoint", "since", is_flag=True,
              help="With a JSON --checkpoint: check only what it does not already vouch for, "
                   "in moments: each school's entry at the checkpoint still hashes to the link "
                   "the checkpoint recorded, the entries after it follow on and the files they "
                   "name are intact, no school is missing or shorter, and schools new since are "
                   "checked whole. An older entry edited in place (its link left alone) or an "
                   "altered snapshot is found only by a check without this option.")
def verify(urn_text: str | None, checkpoint_files: tuple[str, ...],
           public_key: str | None, since: bool) -> None:
    import json

    from application import audit

    urn = _urn(urn_text) if urn_text is not None else None
    expected = None
    signed = [f for f in checkpoint_files if not _is_json_checkpoint(f)]
    for checkpoint_file in checkpoint_files:
        if checkpoint_file in signed:
            continue
        if expected is not None:
            raise UserError("Give one JSON checkpoint at a time")
        try:
            with open(checkpoint_file, encoding="utf-8") as file:
                expected = json.load(file)
        except OSError as error:
            raise UserError(f"Cannot read the checkpoint {checkpoint_file}: "
                            f"{error.strerror}") from None
        except ValueError:
            raise UserError(f"{checkpoint_file} is not a checkpoint: it is not JSON") from None
    if signed and urn is not None:
        raise UserError("A signed checkpoint covers the whole log: leave out --urn")
    if since and expected is None:
        raise UserError("--since-checkpoint needs the JSON checkpoint to start from: "
                        "--checkpoint FILE (one made by scc checkpoint without a key)")
    from adapters.bootstrap import build_log_checks
    from cli.documents import documents_of_store

    with documents_of_store() as documents, _schools_progress("Verifying") as progress:
        case_files = documents.case_files
        result = audit.verify(case_files, urn=urn, checkpoint=expected,
                              progress=None if urn is not None else progress,
                              documents=documents.store, since_checkpoint=since,
                              streams=None if urn is not None else build_log_checks(case_files))
        anchored = _verify_signed(case_files, signed, public_key) if signed else None
    access = None
    if urn is None:  # the access log is one chain over every school
        from application.access_log import verify_access_log

        with _users() as users:
            access = verify_access_log(users.store, users.keyring)
        if access["problem"] is not None:
            result["ok"] = False
            result["problems"].append({"school": "The access log", "version": None,
                                       "problem": access["problem"]["problem"]})
    against = ""
    if result["checkpoint"] is not None:
        from domain.wording import local_time

        made = datetime.fromisoformat(result["checkpoint"]["created_at"])
        against = (f" since the checkpoint of {local_time(made)}" if since
                   else f" against the checkpoint of {local_time(made)}")
    problems = list(result["problems"])
    if anchored is not None:
        problems += anchored["problems"]
        count = len(anchored["checkpoints"])
        against += (" and" if against else " against") + (
            f" {count} signed checkpoint{'' if count == 1 else 's'}")
    checked = (f"{result['schools_checked']} school{'' if result['schools_checked'] == 1 else 's'}"
               f", {result['entries_checked']} entries, {result['files_checked']} kept "
               f"file{'' if result['files_checked'] == 1 else 's'}")
    if urn is None:
        administration = _administration_problems()
        checked += f", {administration['checked']}"
        problems += [{"school": "Administration log", "version": None, "problem": problem}
                     for problem in administration["problems"]]
        decided = _decision_problems()
        if decided["count"]:
            checked += f", {decided['count']} data protection decision" + (
                "s" * (decided["count"] != 1))
        problems += [{"school": "Data protection decisions", "version": None,
                      "problem": problem} for problem in decided["problems"]]
    if access is not None:
        checked += f", {access['rows']} access-log row{'' if access['rows'] == 1 else 's'}"
    for erased in result["erased"]:  # not problems: erased under a rule, by design
        click.echo(f"{erased['school']}, entry {erased['version']}: {erased['erased']}")
    for month in access["erased"] if access is not None else []:
        erasure, rows = month["erasure"], month["rows"]
        named = datetime.strptime(month["month"], "%Y-%m").strftime("%B %Y")
        click.echo(f"The access log: who viewed what in {named} ({rows} "
                   f"row{'' if rows == 1 else 's'}) was erased under {erasure.rule} on "
                   f"{erasure.on.isoformat()}")
    if not problems:
        click.echo(f"Verified {checked}{against}: no alterations found")
    else:
        for problem in problems:
            entry = f", entry {problem['version']}" if problem["version"] is not None else ""
            click.echo(f"{problem['school']}{entry}: {problem['problem']}")
    if anchored is not None:
        _say_what_is_not_vouched_for(anchored)
    if since:
        click.echo("Entries recorded before the checkpoint were not read again, only each "
                   "school's entry at it; snapshots were not compared. Run scc verify "
                   "without --since-checkpoint to check every entry and snapshot.")
    if problems:
        count = len(problems)
        click.echo(f"Checked {checked}{against}: {count} problem{'' if count == 1 else 's'} found")
        click.get_current_context().exit(1)


def _is_json_checkpoint(path: str) -> bool:
    """Not a folder of signed checkpoints nor a signed note: a JSON checkpoint from before
    signed checkpoints, or a mistake that the JSON reading names."""
    import os

    if os.path.isdir(path):
        return False
    try:
        with open(path, encoding="utf-8") as file:
            return "\n\n\u2014 " not in file.read(64 * 1024)
    except (OSError, UnicodeDecodeError):
        return True


def _verify_signed(case_files: Any, paths: list[str], public_key: str | None) -> dict[str, Any]:
    from pathlib import Path

    from adapters.bootstrap import KeyUnreadable, read_signer, read_verifier
    from adapters.config import Settings
    from application import anchor

    settings = Settings.from_env()
    try:
        if public_key or settings.checkpoint_public_key:
            verifier = read_verifier(Path(public_key or settings.checkpoint_public_key))
        elif settings.checkpoint_key:
            verifier = read_signer(settings.checkpoint_key).verifier
        else:
            raise UserError("To check signed checkpoints, give their public key: --public-key "
                            "FILE or SCC_CHECKPOINT_PUBLIC_KEY")
    except KeyUnreadable as error:
        raise UserError(str(error)) from None
    folders = [Path(p) if Path(p).is_dir() else Path(p).parent for p in paths]
    leaves = next((f / anchor.LEAVES for f in folders if (f / anchor.LEAVES).exists()), None)
    checkpoints = anchor.read_checkpoints(Path(p) for p in paths)
    if not checkpoints:
        raise UserError(f"No checkpoint found in {', '.join(paths)}")
    return anchor.verify_against(case_files, checkpoints, verifier, leaves)


def _say_what_is_not_vouched_for(anchored: dict[str, Any]) -> None:
    """Plainly, what the signed checkpoints do not cover: entries recorded since the latest,
    or everything, when the log no longer matches it."""
    if not anchored["checkpoints"]:
        click.echo("No checkpoint's signature held: nothing is vouched for by a checkpoint.")
        return
    latest = anchored["checkpoints"][-1]
    if anchored["since"] is None:
        click.echo(f"The log does not match the latest checkpoint, {latest['source']}: "
                   "no entry is vouched for until the problems above are explained.")
        return
    click.echo(f"The first {anchored['anchored']} entries of the log are covered by the "
               f"checkpoint {latest['source']}.")
    since = anchored["since"]
    if since["entries"]:
        schools = ", ".join(f"{school} ({n})" for school, n in since["schools"].items())
        click.echo(f"Not vouched for by any checkpoint: {since['entries']} entries recorded "
                   f"since it, of {schools}. They are checked only by their own chains and "
                   "times; the next checkpoint will cover them.")


def _administration_problems() -> dict[str, Any]:
    """The user administration log's problems, and what was checked (it is beside the users,
    in the read-model store: a store whose tables are not yet migrated cannot be checked)."""
    try:
        with _users() as users:
            entries = len(users.administration.entries())
            problems = users.administration.problems()
    except UserError as error:
        return {"checked": f"the administration log not checked ({error})", "problems": []}
    return {"checked": f"{entries} administration entr{'y' if entries == 1 else 'ies'}",
            "problems": problems}


def _decision_problems() -> dict[str, Any]:
    """The data protection decisions log's problems (holds and destructions: a chain)."""
    from cli.retention import data_protection

    try:
        with data_protection() as dp:
            return {"count": len(dp.log()), "problems": dp.problems()}
    except UserError as error:
        return {"count": 0, "problems": [f"not checked ({error})"]}


@scc.command(help="Sign a checkpoint of the whole log into the checkpoint folder, with the key "
                  "in $SCC_CHECKPOINT_KEY; scc verify --checkpoint FOLDER checks the log "
                  "against them later. Without a key: record every school's chain head in an "
                  "unsigned JSON file, as older versions did.")
@click.option("--out", "out", metavar="FILE",
              help="Unsigned only: where to write it ('-' for stdout). Default: "
                   "$SCC_DATA_DIR/checkpoint-<UTC time>.json")
def checkpoint(out: str | None) -> None:
    import json
    import os
    from pathlib import Path

    from adapters.config import Settings
    from application import audit

    settings = Settings.from_env()
    if settings.checkpoint_key is not None and out is None:
        _signed_checkpoint(settings)
        return
    with _case_files() as case_files, _schools_progress("Checkpointing") as progress:
        data = audit.checkpoint(case_files, progress=progress)
    text = json.dumps(data, indent=2) + "\n"
    if out == "-":
        click.echo(text, nl=False)
        return
    made = datetime.fromisoformat(data["created_at"]).astimezone(UTC)
    path = Path(out) if out else (Path(os.environ.get("SCC_DATA_DIR") or "data")
                                  / f"checkpoint-{made:%Y%m%dT%H%M%SZ}.json")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UserError(f"Cannot write the checkpoint to {path}: {error.strerror}") from None
    count = len(data["schools"])
    click.echo(f"Checkpoint of {count} school{'' if count == 1 else 's'} written to {path}")
    click.echo("Keep a copy outside this system; check against it with "
               f"scc verify --checkpoint {path}")
    click.echo("It is not signed: set SCC_CHECKPOINT_KEY (scc keys checkpoint makes one) for "
               "checkpoints an insider cannot forge.")


def _signed_checkpoint(settings: Any) -> None:
    from adapters.bootstrap import KeyUnreadable, build_checkpointer

    with _case_files() as case_files:
        try:
            checkpoint = build_checkpointer(settings, case_files)
            assert checkpoint is not None  # a key is configured
            taken = checkpoint()
        except KeyUnreadable as error:
            raise UserError(str(error)) from None
        except OSError as error:  # the folder, or the timestamp authority
            raise UserError(f"The checkpoint was not completed: {error}") from None
    if taken["written"] is None:
        click.echo(f"Nothing recorded since the checkpoint {taken['unchanged_since']} "
                   f"({taken['size']} entries): no new checkpoint needed.")
        return
    click.echo(f"Checkpoint of {taken['size']} entries signed and written to {taken['written']}")
    if taken["timestamp"]:
        click.echo(f"Countersigned by the timestamp authority: {taken['timestamp']}")
    click.echo(f"Check against it with scc verify --checkpoint {settings.checkpoint_dir}")


# Imports from the public registers ----------------------------------------------------------

_DRY_RUN = click.option(
    "--dry-run", is_flag=True,
    help="Check the file and every row against the case files, and show what would be "
         "recorded, without recording anything.")

SHOWN_PLANNED = 20
"""Entries a dry run lists one by one; it counts the rest."""


@contextlib.contextmanager
def _maybe_dry(case_files: Any, dry_run: bool) -> Iterator[list[Any] | None]:
    if not dry_run:
        yield None
        return
    with case_files.dry_run() as planned:
        yield planned


_BAD_ROWS_HELP = (
    "The file is checked as a whole first: one of the wrong shape (semicolons for commas, a "
    "header a column short, the header repeated, numbers re-saved as decimals, US-style "
    "dates) is refused with one message and records nothing, exit status 2. "
    "Bad rows: every good row goes in; a bad row (a cell that cannot be read, or a rule "
    "that refuses it) records nothing and is listed with its row number and column, and "
    "the exit status is then 1. Fix the file and run the import again: imports are "
    "idempotent, so rows already in are not recorded twice."
)


@scc.command("import-schools",
             help="Register the schools of a GIAS establishment extract (edubasealldata*.csv, "
                  "from get-information-schools.service.gov.uk) and bring their details up to "
                  "date. New schools are registered from their open date (or 1 September 2005, "
                  "when scc's records begin, if GIAS gives none); a changed school gets "
                  "one entry with the changed fields; unchanged schools record nothing. "
                  "Independent, Welsh and other establishments the LA keeps no case file on "
                  "are skipped.\n\n" + _BAD_ROWS_HELP)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--by", default="GIAS import", show_default=True,
              help="Who the entries are recorded by.")
@click.option("--la-code", metavar="CODE",
              help="Import only this LA's schools (GIAS 'LA (code)', e.g. 874). "
                   "Default: SCC_LA_CODE; every LA's if that is unset.")
@click.option("--allow-older", is_flag=True,
              help="Let this extract replace the register fields of schools whose fields came "
                   "from a newer extract. Without it those schools keep their newer fields and "
                   "are counted apart. The extract's day is in its name "
                   "(edubasealldata20261120.csv), else the last day any of its rows changed.")
@_DRY_RUN
def import_schools(file: str, by: str, la_code: str | None, allow_older: bool,
                   dry_run: bool) -> None:
    from adapters.config import Settings
    from adapters.importers import gias
    from application import imports

    la_code = la_code or Settings.from_env().la_code
    if la_code is not None and not re.fullmatch(r"\d{3}", la_code.strip()):
        raise UserError(f"{la_code!r} is not an LA code: it has three digits, e.g. 874")
    extract = _read_extract(gias.read_establishments, file)
    where = f" (LA {la_code.strip()})" if la_code else ""
    if extract.extract_on is not None:
        where += f", extract of {formatting.long_date(extract.extract_on)}"
    _run_import(imports.import_schools, extract, dry_run, "schools", f"Schools from {file}{where}",
                ("schools added", "schools changed", "schools unchanged"),
                by=_operator(by, "scc import-schools"),
                la_code=la_code and la_code.strip(), extract_on=extract.extract_on,
                allow_older=allow_older)


@scc.command("import-inspections",
             help="Record the published inspections of an Ofsted CSV of state-funded schools' "
                  "inspections, each backdated to its publication date: official statistics "
                  "(latest inspections), all-inspections files, monthly management information, "
                  "the 2015-19 files with a title line above the header, the 2024-25 files "
                  "without an overall grade, and the report-card files from November 2025 (the "
                  "report card and the graded inspection before it). A judgement is recorded "
                  "on the URN the file says was inspected (a converted academy's row may carry "
                  "its predecessor's). Inspections already recorded (same inspection date), "
                  "schools not yet inspected and schools without a case file are counted "
                  "apart; a special measures or serious weaknesses judgement makes an open "
                  "maintained school eligible for intervention."
                  "\n\n" + _BAD_ROWS_HELP)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--by", default="Ofsted import", show_default=True,
              help="Who the entries are recorded by.")
@_DRY_RUN
def import_inspections(file: str, by: str, dry_run: bool) -> None:
    from adapters.importers import ofsted
    from application import imports

    _run_import(imports.import_inspections, _read_extract(ofsted.read_inspections, file),
                dry_run, "inspections", f"Inspections from {file}",
                ("inspections added", "", "inspections already recorded"),
                by=_operator(by, "scc import-inspections"))


@scc.command("import-links",
             help="Record the links between schools of a GIAS links file "
                  "(links_edubasealldata*.csv: URN, LinkURN, LinkName, LinkType, "
                  "LinkEstablishedDate): predecessors and successors of academy conversions, "
                  "mergers, amalgamations and splits, and other links, on both schools' case "
                  "files where both have one. Links already recorded are not recorded again; "
                  "rows where neither school has a case file are counted apart. Import the "
                  "schools first.\n\n" + _BAD_ROWS_HELP)
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--by", default="GIAS import", show_default=True,
              help="Who the entries are recorded by.")
@_DRY_RUN
def import_links(file: str, by: str, dry_run: bool) -> None:
    from adapters.importers import gias_links
    from application import imports

    _run_import(imports.import_links, _read_extract(gias_links.read_links, file), dry_run,
                "links", f"Links from {file}", ("links added", "", "links already recorded"),
                by=_operator(by, "scc import-links"))


def _run_import(importer: Any, extract: Any, dry_run: bool, what: str, heading: str,
                labels: tuple[str, str, str], **options: Any) -> None:
    """Runs one of the imports over an extract read and checked whole, with its progress,
    for real or as a dry run, and prints its report."""
    with (_case_files() as case_files, _rows_progress(f"Importing {what}") as progress,
          _maybe_dry(case_files, dry_run) as planned):
        report = importer(case_files, extract.records, progress=progress, **options)
    _print_import_report(heading, report, labels, planned)


def _read_extract(read: Any, file: str) -> Any:
    from pathlib import Path

    from adapters.importers.csv_rows import NotAnExtract

    try:
        return read(Path(file))
    except NotAnExtract as error:
        raise UserError(f"{file}: {error}") from None
    except OSError as error:
        raise UserError(f"Cannot read {file}: {error.strerror}") from None


@contextlib.contextmanager
def _rows_progress(label: str) -> Iterator[Any]:
    """A progress bar on stderr over a file's rows, or a log line every thousand rows when
    stderr is not a terminal."""
    with contextlib.ExitStack() as bars:
        bar: Any = None
        logged = 0
        to_terminal = sys.stderr.isatty()  # asked once: a call per row costs more than a row

        def progress(done: int, total: int) -> None:
            nonlocal bar, logged
            if not to_terminal:
                if done - logged >= 1000 or done == total:
                    click.echo(f"{label}: {done} of {total} rows", err=True)
                    logged = done
                return
            if bar is None:
                bar = bars.enter_context(click.progressbar(
                    length=total, label=label, file=sys.stderr, show_pos=True))
            bar.update(done - bar.pos)

        yield progress


def _print_import_report(title: str, report: Any, labels: tuple[str, str, str],
                         planned: list[Any] | None = None) -> None:
    """The counts, the reasons rows were skipped, each rejected row; exit status 1 if any.
    After a dry run, what would have been recorded, and that nothing was."""
    from application import imports
    from application.views import summarise

    if planned is not None:
        title = f"Dry run, nothing recorded. {title}"

    def count(n: int, what: str) -> str:
        return f"  {n:>7}  {what}"

    click.echo(f"{title}: {report.rows} row{'' if report.rows == 1 else 's'}")
    for n, label in zip((report.added, report.changed, report.unchanged), labels, strict=True):
        if label:
            click.echo(count(n, label))
    click.echo(count(report.skipped, f"row{'' if report.skipped == 1 else 's'} skipped"))
    for reason, n in report.skipped_by_reason().items():
        click.echo(f"  {n:>7}    {reason}")
    if any(reason.startswith(imports.OLDER) for reason in report.skipped_for):
        click.echo("Schools whose fields came from a newer extract kept them; import with "
                   "--allow-older to replace them with this extract's.")
    rejected = report.rejected_rows
    click.echo(count(len(rejected), f"row{'' if len(rejected) == 1 else 's'} rejected"))
    if planned is not None:
        click.echo()
        click.echo(f"Would record {len(planned)} entr{'y' if len(planned) == 1 else 'ies'}:")
        for urn, entry in planned[:SHOWN_PLANNED]:
            click.echo(f"  URN {urn}  {entry.effective.isoformat()}  {summarise(entry)}")
        if len(planned) > SHOWN_PLANNED:
            click.echo(f"  ... and {len(planned) - SHOWN_PLANNED} more")
    if rejected:
        click.echo()
        click.echo("Rejected rows:")
        for problem in report.rejected:
            click.echo(f"  {problem}")
        click.echo(report.policy)
        click.get_current_context().exit(1)


# Notifications ------------------------------------------------------------------------------

@contextlib.contextmanager
def _notifications() -> Iterator[Any]:
    from adapters.bootstrap import build_notifications
    from adapters.config import Settings

    with _case_files() as case_files:
        try:
            notes = build_notifications(Settings.from_env(), case_files)
        except ValueError as error:  # SCC_SMTP_SECURITY and the like
            raise UserError(str(error)) from None
        try:
            yield notes
        finally:
            notes.close()


@scc.group(invoke_without_command=True,
           help="The emails scc sends (reminders, passed deadlines, weekly digests), newest "
                "first, with whether each was sent. 'scc notifications send' sends now.")
@click.option("--email", metavar="ADDRESS", help="Only this person's messages.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1))
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@click.pass_context
def notifications(ctx: click.Context, email: str | None, limit: int, output: str) -> None:
    if ctx.invoked_subcommand is not None:
        return
    with _notifications() as notes:
        rows = notes.inbox(email, limit) if email else notes.recent(limit)
    if output == "json":
        click.echo(formatting.to_json(rows))
        return
    if not rows:
        click.echo(f"No messages{f' for {email}' if email else ''}.")
        return

    def status(r: dict[str, Any]) -> str:
        if r["status"] == "queued" and r["attempts"]:
            return (f"retry at {formatting.local_time(r['next_attempt_at'])} "
                    f"({r['attempts']} failed)")
        return f"failed after {r['attempts']}" if r["status"] == "failed" else r["status"]

    click.echo(formatting.table(
        ["queued", "to", "status", "subject", "last error"],
        [[formatting.local_time(r["created_at"]), r["recipient"], status(r), r["subject"],
          r["last_error"] if r["status"] != "sent" else None] for r in rows]))


@notifications.command("send", help="Queue the reminders and passed deadlines recorded since "
                       "the last run, then send every message that is due; prints the counts.")
def notifications_send() -> None:
    with _notifications() as notes:
        queued = notes.catch_up()
        counts = notes.deliver(notes.case_files.clock.now())
    click.echo(f"Queued {queued} new message{'' if queued == 1 else 's'}; sent {counts['sent']}, "
               f"failed {counts['failed']} ({counts['given_up']} given up), "
               f"{counts['waiting']} waiting.")


# The worker ---------------------------------------------------------------------------------

@scc.command(help="Run the worker until stopped: it keeps the read models up to date and, if "
                  "no other worker on this store does, fires deadline reminders and passings "
                  "(one line each on stderr) and sends notifications. "
                  "Options: scc worker --help.",
             context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
             add_help_option=False)
@click.argument("options", nargs=-1, type=click.UNPROCESSED)
def worker(options: tuple[str, ...]) -> None:
    import os

    # The worker is an entry point of its own (scheduler/, python -m scheduler), which entry
    # points do not import from each other: this process becomes it, signals and all.
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "scheduler", *options])


@scc.command(help="Serve the web app with gunicorn: several web workers (SCC_WEB_WORKERS) on "
                  "SCC_WEB_BIND, logging JSON, settings in web/gunicorn_conf.py. Run one "
                  "`scc worker` beside it. Further options go to gunicorn (gunicorn --help).",
             context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
             add_help_option=False)
@click.argument("options", nargs=-1, type=click.UNPROCESSED)
def web(options: tuple[str, ...]) -> None:
    import os

    # As with the worker: this process becomes the gunicorn master, signals and all.
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-m", "gunicorn", "--config",
                              "python:web.gunicorn_conf", *options])


# Deadlines ----------------------------------------------------------------------------------

@scc.command("deadlines", help="A school's open deadlines, soonest first: what is due, when, "
                                "the working days left (negative once overdue) and when the "
                                "reminders go. KEY, for scc deadline, is the first column.")
@click.argument("urn")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def deadlines_of_school(urn: str, output: str) -> None:
    school_urn = _urn(urn)
    with _case_files() as case_files:
        name = case_files.school(school_urn)["name"]
        today = case_files.clock.today()
        rows = [_deadline_row(d, today, case_files.working_days)
                for d in case_files.deadlines(school_urn)]
    if output == "json":
        click.echo(formatting.to_json(rows))
        return
    click.echo(f"{name} (URN {school_urn}): {len(rows) or 'no'} open "
               f"deadline{'' if len(rows) == 1 else 's'} on {formatting.long_date(today)}")
    if rows:
        click.echo(formatting.table(
            ["key", "what", "due", "working days left", "reminders (working days before)",
             "suspended"],
            [[r["key"], r["what"], formatting.long_date(r["due"]), _days_left(r),
              ", ".join(f"{m['on'].day} {m['on']:%b %Y} ({m['working_days_before']})"
                        for m in r["reminders"]),
              "suspended" if r["suspended"] else ""] for r in rows]))


def _deadline_row(deadline: Any, today: date, working_days: Any) -> dict[str, Any]:
    """A deadline as plain data, with the working days from today to its due date."""
    if deadline.due >= today:
        left = working_days.working_days_between(today, deadline.due)
    else:
        left = -working_days.working_days_between(deadline.due, today)
    return {"key": deadline.key, "kind": deadline.kind, "what": deadline.what,
            "due": deadline.due, "working_days_left": left, "overdue": deadline.due < today,
            "reminders": [{"on": on, "working_days_before": days}
                          for on, days in deadline.reminders],
            "suspended": deadline.suspended}


def _days_left(row: dict[str, Any]) -> str:
    if row["overdue"]:
        return f"{row['working_days_left']} (overdue)"
    return f"{row['working_days_left']}{' (due today)' if row['working_days_left'] == 0 else ''}"


@scc.group("deadline", help="Extend, suspend or resume one deadline of a school's case file; "
                            "each is an entry with its reason. KEY is from scc deadlines URN.")
def deadline_group() -> None:
    pass


@deadline_group.command("extend", help="Move a deadline later; its reminders move with it.")
@click.argument("urn")
@click.argument("key")
@click.option("--to", "to", required=True, metavar="DATE", help="The new due date (YYYY-MM-DD).")
@click.option("--reason", required=True, help="Why, for the record.")
@click.option("--by", required=True, help="Who is recording the extension.")
def deadline_extend(urn: str, key: str, to: str, reason: str, by: str) -> None:
    school_urn, due = _urn(urn), _date(to)
    with _case_files() as case_files:
        case_files.extend_deadline(school_urn, by=_operator(by, "scc deadline extend"), key=key,
                                   to=due, reason=reason)
    click.echo(f"Extended {key} of URN {school_urn} to {formatting.long_date(due)}.")


@deadline_group.command("suspend", help="Stop a deadline's reminders until it is resumed.")
@click.argument("urn")
@click.argument("key")
@click.option("--reason", required=True, help="Why, for the record.")
@click.option("--by", required=True, help="Who is recording the suspension.")
def deadline_suspend(urn: str, key: str, reason: str, by: str) -> None:
    school_urn = _urn(urn)
    with _case_files() as case_files:
        case_files.suspend_deadline(school_urn, by=_operator(by, "scc deadline suspend"),
                                    key=key, reason=reason)
    click.echo(f"Suspended {key} of URN {school_urn}: no reminders until it is resumed.")


@deadline_group.command("resume", help="Resume a suspended deadline's reminders.")
@click.argument("urn")
@click.argument("key")
@click.option("--reason", required=True, help="Why, for the record.")
@click.option("--by", required=True, help="Who is recording the resumption.")
def deadline_resume(urn: str, key: str, reason: str, by: str) -> None:
    school_urn = _urn(urn)
    with _case_files() as case_files:
        case_files.resume_deadline(school_urn, by=_operator(by, "scc deadline resume"),
                                   key=key, reason=reason)
    click.echo(f"Resumed {key} of URN {school_urn}.")


def _operator(name: str, command: str) -> Any:
    """Who the command line records as: the login running it on the server (which is who
    an auditor can ask, since anyone may type any --by), with the name given by --by."""
    from application import recorders

    return recorders.operator(name, via=command)


# Users of the web app -----------------------------------------------------------------------

@contextlib.contextmanager
def _users() -> Iterator[Any]:
    """The users (application.users.Users) on the configured store, closed afterwards; their
    refusals become user errors."""
    from sqlalchemy.exc import SQLAlchemyError

    from adapters.bootstrap import build_users
    from adapters.config import Settings
    from application.users import UserError as Refused

    settings = Settings.from_env()
    try:
        users = build_users(settings)
    except ValueError as error:
        raise UserError(str(error)) from None
    except SQLAlchemyError as error:
        where = _where(settings.read_model_url or settings.database_url)
        reason = getattr(error, "orig", None) or error
        raise UserError(f"Cannot open the user store ({where}): {reason}. "
                        "Has it been made with scc init?") from None
    try:
        yield users
    except Refused as error:
        raise UserError(str(error)) from None
    finally:
        users.close()


@scc.group("users", help="The people who may sign in to the web app, and their roles: "
                         "caseworker (records on case files), head (a caseworker who also "
                         "assigns and keeps the category scheme), auditor (reads, replays and "
                         "exports; records nothing) and admin (manages users).")
def users_group() -> None:
    pass


@users_group.command("add", help="Add a user. EMAIL is what they sign in with. The password "
                                 "is asked for twice, hidden, unless --password-stdin is given.")
@click.argument("email")
@click.option("--name", required=True, help="Their full name, as the app shows it.")
@click.option("--role", required=True, metavar="ROLE",
              help="caseworker, head, auditor or admin.")
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input (for scripts), not a prompt.")
def users_add(email: str, name: str, role: str, password_stdin: bool) -> None:
    if password_stdin:
        password = sys.stdin.read().rstrip("\r\n")
    else:
        password = click.prompt("Password (at least 12 characters, not a common one)",
                                hide_input=True, confirmation_prompt="Repeat the password")
    with _users() as users:
        users.add(email=email, name=name, role=role, password=password,
                  by=_operator("", "scc users add"))
        added = users.get(email)
    click.echo(f"Added {added['name']} ({added['email']}) as {added['role']}.")


@users_group.command("list", help="Every user, with their role and whether they are disabled.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def users_list(output: str) -> None:
    with _users() as users:
        found = users.list()
    if output == "json":
        click.echo(formatting.to_json(found))
    elif not found:
        click.echo("No users yet: add one with scc users add.")
    else:
        click.echo(formatting.table(["email", "name", "role", "status"], [
            [u["email"], u["name"], u["role"], "disabled" if u["disabled"] else "active"]
            for u in found]))


@users_group.command("disable", help="Stop a user signing in; they are signed out of the web "
                                     "app at their next request.")
@click.argument("email")
def users_disable(email: str) -> None:
    with _users() as users:
        users.disable(email, by=_operator("", "scc users disable"))
    click.echo(f"Disabled {email.strip().lower()}: they cannot sign in.")


@users_group.command("enable", help="Let a disabled user sign in again (sessions they had "
                                    "stay ended).")
@click.argument("email")
def users_enable(email: str) -> None:
    with _users() as users:
        users.enable(email, by=_operator("", "scc users enable"))
    click.echo(f"Enabled {email.strip().lower()}: they can sign in again.")


@users_group.command("set-role", help="Give a user another role; they are signed out of the "
                                      "web app and have it from their next sign-in.")
@click.argument("email")
@click.argument("role", metavar="ROLE")
def users_set_role(email: str, role: str) -> None:
    with _users() as users:
        users.set_role(email, role, by=_operator("", "scc users set-role"))
    click.echo(f"{email.strip().lower()} is now {role}: they are signed out of the web app.")


@users_group.command("reset-password", help="Print a one-time link through which the user "
                                            "sets a new password (it works once, for 24 "
                                            "hours). Give it to them in person or by phone. "
                                            "SCC_BASE_URL, if set, is the web app's address.")
@click.argument("email")
def users_reset_password(email: str) -> None:
    import os

    with _users() as users:
        token = users.issue_password_reset(email, by=_operator("", "scc users reset-password"))
    base = os.environ.get("SCC_BASE_URL", "").strip().rstrip("/")
    path = f"/reset-password/{token}"
    click.echo(f"A one-time link for {email.strip().lower()} to set a new password (it works "
               "once, for 24 hours, and is not shown again"
               f"{'' if base else '; put the web app address in front of it'}):", err=True)
    click.echo(f"{base}{path}")


@users_group.command("log", help="Every change made to a user (added, disabled, enabled, role "
                                 "or password changed), newest first, with who made it; "
                                 "exit status 1 if the log was altered.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def users_log(output: str) -> None:
    with _users() as users:
        entries, problems = users.administration.entries(), users.administration.problems()
    if output == "json":
        click.echo(formatting.to_json({"entries": entries, "problems": problems}))
    elif not entries:
        click.echo("Nothing recorded yet.")
    else:
        click.echo(formatting.table(["#", "when (UK time)", "by", "what"], [
            [e["number"], formatting.local_time(e["recorded_at"]),
             e["by"] + (f" ({e['by_identity']})" if e["by_identity"] else ""), e["summary"]]
            for e in entries]))
    for problem in problems:
        click.echo(f"The administration log was altered: {problem}", err=True)
    if problems:
        click.get_current_context().exit(1)


DEMO_USERS = (
    ("caseworker", "caseworker@fenmarsh.example", "Casey Worker"),
    ("head", "head@fenmarsh.example", "Helen Marsh"),
    ("auditor", "auditor@fenmarsh.example", "Audrey Tor"),
    ("admin", "admin@fenmarsh.example", "Adam Min"),
)


def _add_demo_users(*, new_passwords: bool = False) -> None:
    """One user per role with a random password, printed: for the demo only, since a
    password on a terminal or in a log is a password anyone reading it has. On a store that
    already holds the demo (``make run`` again), the demo users get new passwords, printed."""
    import secrets

    made = []
    with _users() as users:
        for role, email, name in DEMO_USERS:
            password = secrets.token_urlsafe(12)
            if users.get(email) is None:
                users.add(email=email, name=name, role=role, password=password)
            elif new_passwords:
                users.set_password(email, password)
            else:
                continue
            made.append((role, email, password))
    click.echo()
    if not made:
        click.echo("The demo users exist already; their passwords were printed when they "
                   "were made.")
        return
    click.echo("DEMO ONLY - sign in to the web app as (passwords shown once, never do this "
               "with real accounts):")
    click.echo(formatting.table(["role", "email", "password"], made))


def _register_serve_command() -> None:
    from cli.sealing import seal_log
    from cli.serve import serve
    from cli.store import export_log, import_log, keys, migrate

    scc.add_command(serve)
    for command in (keys, migrate, export_log, import_log, seal_log):
        scc.add_command(command)


_register_serve_command()


def _register_token_commands() -> None:
    from cli.grants import grants
    from cli.tokens import tokens

    scc.add_command(tokens)
    scc.add_command(grants)


_register_token_commands()


def _register_document_commands() -> None:
    from cli.documents import COMMANDS

    for command in COMMANDS:
        scc.add_command(command)


_register_document_commands()


def _register_retention_commands() -> None:
    from cli.retention import COMMANDS

    for command in COMMANDS:
        scc.add_command(command)


_register_retention_commands()


def _register_people_commands() -> None:
    from cli.people import people

    scc.add_command(people)


_register_people_commands()
