"""``scc people``: subject access from the command line, what scc holds about a person named
in the case files (UK GDPR Article 15), to read or to export for review before disclosure."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from cli import formatting


@contextlib.contextmanager
def subject_access() -> Iterator[Any]:
    """Subject access on the configured store: the case files, their key store, the users
    and the access log; its refusals become user errors."""
    from adapters.bootstrap import build_users
    from adapters.config import Settings
    from application.subject_access import SubjectAccess, SubjectAccessRefused
    from cli.main import UserError, _case_files

    with _case_files() as case_files, contextlib.ExitStack() as opened:
        # The key store bootstrap opened for the case files, which closing them leaves open
        opened.callback(case_files.keyring.store.close)
        try:
            users = build_users(Settings.from_env(), case_files.clock)
        except ValueError as error:
            raise UserError(str(error)) from None
        opened.callback(users.close)
        try:
            yield SubjectAccess(case_files, case_files.keyring.store, accounts=users,
                                access_log=users.store)
        except SubjectAccessRefused as refusal:
            raise UserError(str(refusal)) from None


@click.group("people", help="Subject access (UK GDPR Article 15): what scc holds about a "
                            "person named in the case files, found by name or email address.")
def people() -> None:
    pass


@people.command("find", help="The people NAME-OR-EMAIL matches (part of a name, email address "
                             "or login, any case), each with how many times scc mentions them, "
                             "then the mentions: every case-file entry naming them, free text "
                             "naming them, kept files about them, their user account and the "
                             "case files they viewed.")
@click.argument("query", metavar="NAME-OR-EMAIL")
def find(query: str) -> None:
    from cli.main import _schools_progress

    with subject_access() as access, _schools_progress("Reading case files") as progress:
        found = access.find(query, progress=progress)
    for answer in found:
        click.echo(f"{_who(answer['person'])}: {_counts(answer['counts'])}")
    for answer in found:
        click.echo()
        _print_answer(answer)


@people.command("export", help="Write what scc holds about the one person NAME-OR-EMAIL "
                               "matches, for the LA to review before disclosure: --json every "
                               "mention, machine-readable; --pdf the same to read, by school "
                               "and entry. Each file is written whole (readable by you alone) "
                               "or not at all.")
@click.argument("query", metavar="NAME-OR-EMAIL")
@click.option("--person", "person", metavar="ID",
              help="Which person, when NAME-OR-EMAIL matches several (scc people find lists "
                   "their ids).")
@click.option("--json", "json_file", metavar="FILE", type=click.Path(dir_okay=False,
                                                                     path_type=Path))
@click.option("--pdf", "pdf_file", metavar="FILE", type=click.Path(dir_okay=False,
                                                                   path_type=Path))
def export(query: str, person: str | None, json_file: Path | None,
           pdf_file: Path | None) -> None:
    from adapters.printable.subject_access import subject_access_json, subject_access_pdf
    from application import recorders
    from cli.main import UserError, _schools_progress

    if json_file is None and pdf_file is None:
        raise UserError("Say where to write the export: --json FILE, --pdf FILE, or both")
    if json_file is not None and json_file == pdf_file:
        raise UserError("Give the JSON and the PDF different files")
    with subject_access() as access:
        access.choose(query, person)  # refused before the case files are read
        with _schools_progress("Reading case files") as progress:
            answer = access.answer(query, person=person, progress=progress,
                                   asked_by=recorders.operator(via="scc people export"))
    contents = {}
    if json_file is not None:
        contents[json_file] = subject_access_json(answer)
    if pdf_file is not None:
        contents[pdf_file] = subject_access_pdf(answer)
    try:
        _write_all(contents)
    except OSError as error:
        raise UserError(f"Nothing was written: {error.filename}: {error.strerror}") from None
    written = " and ".join(f"{path} ({'JSON' if path == json_file else 'PDF'})"
                           for path in contents)
    click.echo(f"{_who(answer['person'])}: {_counts(answer['counts'])}.")
    click.echo(f"Written to {written}, for review before disclosure.")


def _write_all(contents: dict[Path, bytes]) -> None:
    """Every file written in full beside its target, readable by its owner alone (0600),
    then each put in place: a failure on any of them leaves none written."""
    partials: dict[Path, Path] = {}
    try:
        for target, content in contents.items():
            partial = target.with_name(f".{target.name}.partial")
            partials[target] = partial
            try:
                descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.fchmod(descriptor, 0o600)  # a partial file left by an earlier run, too
                with os.fdopen(descriptor, "wb") as out:
                    out.write(content)
                    out.flush()
                    os.fsync(out.fileno())
            except OSError as error:  # named as the user named it
                raise OSError(error.errno, error.strerror, str(target)) from None
        for target, partial in partials.items():
            os.replace(partial, target)
    finally:
        for partial in partials.values():
            partial.unlink(missing_ok=True)


def _who(person: dict[str, Any]) -> str:
    contacts = ", ".join(person["contacts"]) or "no contacts recorded"
    return f"{person['name']} (person {person['person']}; {contacts})"


def _counts(counts: dict[str, int]) -> str:
    def n(count: int, what: str) -> str:
        return f"{count} {what}{'' if count == 1 else 's'}"

    return (f"{n(counts['mentions'], 'mention')} in {n(counts['schools'], 'case file')} "
            f"({counts['named']} named, {counts['in_free_text']} in free text, "
            f"{counts['erased']} erased), {n(counts['kept_files'], 'kept file')}, "
            f"{n(counts['accounts'], 'user account')}, "
            f"{n(counts['accesses'], 'access-log line')}")


def _print_answer(answer: dict[str, Any]) -> None:
    from application.subject_access import grouped

    click.echo(answer["person"]["name"])
    for school in grouped(answer["mentions"]):
        click.echo(f"  {school['school']} (URN {school['urn']})")
        for entry in school["entries"]:
            retracted = " (retracted)" if entry["retracted"] else ""
            click.echo(f"    Entry {entry['version']}, {entry['entry']}{retracted}, effective "
                       f"{formatting.long_date(entry['effective'])}:")
            for mention in entry["mentions"]:
                value = mention["value"]
                said = value if isinstance(value, str) else "; ".join(value)
                click.echo(f"      {mention['label']}: {said} ({mention['found']}"
                           f"{', erased' if mention['erased'] else ''})")
    if not answer["mentions"]:
        click.echo("  No case file mentions them.")
    for file in answer["kept_files"]:
        click.echo(f"  Kept file: URN {file['urn']} {file['document_id']} ({file['version']}) "
                   f"{file['file_name']}, SHA-256 {file['sha256']}: {file['why']}")
    for account in answer["accounts"]:
        click.echo(f"  User account: {account['email']} ({account['name']}, {account['role']}"
                   f"{', disabled' if account['disabled'] else ''}); matched by "
                   f"{account['matched_by']}")
    for access in answer["accesses"]:
        click.echo(f"  Viewed: URN {access['urn']} {access['view']} at "
                   f"{formatting.local_time(access['at'])} as {access['email']}")
