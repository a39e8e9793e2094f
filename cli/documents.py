"""``scc letter``, ``scc attach``, ``scc documents`` and ``scc export``: a case file's letters
and evidence from the command line."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from cli import formatting


@contextlib.contextmanager
def documents_of_store() -> Iterator[Any]:
    """Letters and evidence (application.documents.Documents) on the configured store, closed
    afterwards; refusals become user errors."""
    from adapters.bootstrap import build_documents
    from adapters.config import Settings
    from cli.main import UserError, _case_files

    with _case_files() as case_files:
        try:
            documents = build_documents(Settings.from_env(), case_files)
        except ValueError as error:  # a signing key or certificate that cannot be used
            raise UserError(str(error)) from None
        try:
            yield documents
        finally:
            documents.close()


@click.command(help="Produce a letter from the record and keep it on the case file: KIND is "
                    "one of the letters scc writes (scc letter --list shows them), produced "
                    "from the entry --from records.")
@click.argument("urn", required=False)
@click.argument("kind", required=False)
@click.option("--from", "rests_on", type=int, metavar="ENTRY",
              help="The entry the letter is produced from (its version on the timeline).")
@click.option("--to", "recipient", help="For a consultation letter: who it is to.")
@click.option("--format", "fmt", type=click.Choice(["pdf", "docx"]), default="pdf",
              show_default=True, help="docx: a Word document to edit before sending.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True),
              help="Also write the letter to this file.")
@click.option("--by", help="Who is producing it.")
@click.option("--list", "list_kinds", is_flag=True,
              help="The letters scc writes, and for URN the entries each can be produced from.")
def letter(urn: str | None, kind: str | None, rests_on: int | None, recipient: str | None,
           fmt: str, out: str | None, by: str | None, list_kinds: bool) -> None:
    from cli.main import UserError, _operator, _urn
    from domain.areas.documents import LETTERS

    if list_kinds:
        if urn is None:
            for key, found in LETTERS.items():
                click.echo(f"{key}: {found.title}")
            return
        with documents_of_store() as documents:
            for choice in documents.letter_choices(_urn(urn)):
                sources = ", ".join(f"entry {s['version']}" for s in choice["sources"])
                click.echo(f"{choice['kind']}: {choice['title']}: "
                           f"{'from ' + sources if sources else 'no step recorded yet'}")
        return
    if urn is None or kind is None or rests_on is None or not by:
        raise UserError("Give the URN, the kind of letter, --from ENTRY and --by NAME "
                        "(scc letter --list URN shows what can be produced)")
    school_urn = _urn(urn)
    with documents_of_store() as documents:
        produced = documents.produce_letter(
            school_urn, by=_operator(by, "scc letter"), kind=kind, rests_on=rests_on,
            recipient=recipient, fmt=fmt)
        kept = documents.document(school_urn, produced)
        if out:
            _, content = documents.open_document(school_urn, produced)
            _write(content, Path(out))
    click.echo(f"Letter {produced} produced for URN {school_urn}: {kept['file']['name']}, "
               f"SHA-256 {kept['file']['sha256']}" + (f"; written to {out}" if out else ""))


@click.command(help="Attach a file of evidence to a school's case file: to an entry "
                    "(--to-entry), or as an entry of its own.")
@click.argument("urn")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--description", required=True, help="What the file is.")
@click.option("--to-entry", type=int, metavar="ENTRY", help="The entry it is evidence for.")
@click.option("--sent-version-of", metavar="LETTER",
              help="Instead: the version of letter LETTER (L1...) that was sent.")
@click.option("--by", required=True, help="Who is attaching it.")
def attach(urn: str, file: str, description: str, to_entry: int | None,
           sent_version_of: str | None, by: str) -> None:
    from cli.main import _operator, _urn

    school_urn, path = _urn(urn), Path(file)
    with documents_of_store() as documents, path.open("rb") as stream:
        if sent_version_of:
            documents.attach_sent_version(
                school_urn, by=_operator(by, "scc attach"), document_id=sent_version_of,
                stream=stream, filename=path.name, note=description)
            click.echo(f"Attached {path.name} as letter {sent_version_of} as sent.")
            return
        attached = documents.attach_evidence(
            school_urn, by=_operator(by, "scc attach"), stream=stream, filename=path.name,
            description=description, to_entry=to_entry)
        kept = documents.document(school_urn, attached)
    click.echo(f"Attached {path.name} as evidence {attached}, SHA-256 {kept['file']['sha256']}.")


@click.command(help="A school's letters and evidence, with their hashes; --get writes one "
                    "to a file.")
@click.argument("urn")
@click.option("--get", "document_id", metavar="ID", help="The document to write out (L1, E1).")
@click.option("--sent", is_flag=True, help="With --get: the letter as sent.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True),
              help="With --get: where to write it (its own name if not given).")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def documents(urn: str, document_id: str | None, sent: bool, out: str | None,
              output: str) -> None:
    from cli.main import _urn

    school_urn = _urn(urn)
    with documents_of_store() as kept:
        if document_id:
            file, content = kept.open_document(school_urn, document_id, sent=sent)
            target = Path(out or file.name)
            _write(content, target)
            click.echo(f"Wrote {target} ({file.size} bytes, SHA-256 {file.sha256}).")
            return
        found = kept.documents(school_urn)
    if output == "json":
        click.echo(formatting.to_json(found))
        return
    rows = []
    for d in found:
        rows.append([d["document_id"], d["title"], d["recorded_in"], d["file"]["name"],
                     d["file"]["sha256"]])
        if d["sent"]:
            rows.append([d["document_id"], "as sent", d["sent_in"], d["sent"]["name"],
                         d["sent"]["sha256"]])
    click.echo(formatting.table(["id", "document", "entry", "file", "sha256"], rows)
               if rows else f"URN {school_urn} has no letters or evidence.")


@click.command("export", help="A school's case file as a zip: its history (JSON and CSV), "
                              "every letter and file of evidence, and a manifest of their "
                              "SHA-256 hashes.")
@click.argument("urn")
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True),
              help="The zip file to write.")
def export(urn: str, out: str) -> None:
    from cli.main import UserError, _urn

    school_urn = _urn(urn)
    target = Path(out)
    if target.exists():
        raise UserError(f"{out} exists already: give a new file")
    partial = target.with_name(target.name + ".partial")
    with documents_of_store() as kept:
        history = kept.case_files.history(school_urn)
        history_csv = formatting.to_csv(formatting.history_columns(history),
                                        formatting.history_rows(history))
        history_json = formatting.to_json(formatting.history_json(history))
        try:
            with partial.open("wb") as zipped:
                manifest = kept.export(school_urn, zipped, history_json=history_json,
                                       history_csv=history_csv)
            partial.replace(target)
        finally:
            partial.unlink(missing_ok=True)
    altered = [f["path"] for f in manifest["files"] if f.get("matches_record") is False]
    erased = [f for f in manifest["files"] if f.get("erased")]
    click.echo(f"Wrote {out}: {len(manifest['files']) - len(erased)} files with their SHA-256 "
               "hashes in manifest.json")
    for file in erased:
        click.echo(f"Not in it: {file['document']} {file['version']} (SHA-256 "
                   f"{file['sha256'][:12]}…), {file['erased'].strip('[]')}")
    if altered:
        raise UserError(f"These kept files no longer match their hashes on the record: "
                        f"{', '.join(altered)}; scc verify --urn {school_urn} says more")


def _write(content: io.BufferedIOBase, target: Path) -> None:
    with content, target.open("wb") as written:
        while chunk := content.read(1 << 20):
            written.write(chunk)


COMMANDS = (letter, attach, documents, export)
