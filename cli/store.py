"""``scc migrate``, ``scc export-log``, ``scc import-log`` and ``scc keys``: keeping the store."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click


@click.group("keys", help="Keys for encrypting the event log at rest (SCC_CIPHER_KEY) and for "
             "signing its checkpoints (SCC_CHECKPOINT_KEY).")
def keys() -> None:
    pass


@keys.command("generate", help="Print a new random 256-bit key, base64, for SCC_CIPHER_KEY. "
              "Keep it somewhere safe: without it the encrypted log cannot be read.")
def keys_generate() -> None:
    from adapters.bootstrap import new_cipher_key

    click.echo(new_cipher_key())


@keys.command("checkpoint", help="Write a new Ed25519 key pair for signing checkpoints: the "
              "private key to FILE (readable by its owner only; set SCC_CHECKPOINT_KEY to it, "
              "keep it off the database server and out of backups of the store) and the public "
              "key to FILE.pub (give it to auditors; SCC_CHECKPOINT_PUBLIC_KEY).")
@click.option("--name", required=True, metavar="NAME",
              help="The log's name, on every checkpoint: no spaces or '+', for example "
                   "scc.fenmarsh.gov.uk/case-files")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def keys_checkpoint(name: str, file: Path) -> None:
    import os

    from adapters.bootstrap import KeyUnreadable, Signer
    from cli.main import UserError

    try:
        signer = Signer.generate(name)
    except KeyUnreadable as error:
        raise UserError(str(error)) from None
    public = file.with_name(file.name + ".pub")
    for path in (file, public):
        if path.exists():
            raise UserError(f"{path} already exists: a key is never overwritten (checkpoints "
                            "signed with it could no longer be checked)")
    try:
        descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            out.write(signer.text() + "\n")
        public.write_text(signer.verifier.text() + "\n", encoding="utf-8")
    except OSError as error:
        raise UserError(f"Cannot write the key to {file}: {error.strerror}") from None
    click.echo(f"Signing key written to {file} (keep it secret); public key to {public}:")
    click.echo(signer.verifier.text())


@click.command("migrate", help="Upgrade the store's own tables (read models, outbox, users, "
               "access log, job store) to this version of scc, and rebuild from the log the read "
               "models whose tables changed shape. The event log itself is never changed. Stop "
               "the web app and the worker first; they refuse to start on an older schema.")
@click.option("--check", is_flag=True,
              help="Only say what would be done: exit status 1 if anything is pending.")
def migrate(check: bool) -> None:
    from adapters.bootstrap import build_projections, schema_status, upgrade_schema
    from adapters.config import Settings
    from cli.main import UserError, _case_files, _where

    settings = Settings.from_env()
    try:
        found = schema_status(settings)
    except ValueError as error:
        raise UserError(str(error)) from None
    where = _where(settings.read_model_url or settings.database_url)
    if not found["pending"] and not found["rebuild"]:
        click.echo(f"Up to date: {where} is at revision {found['head']}.")
        return
    current = "new, nothing yet" if found["new"] else found["current"] or "before migrations"
    click.echo(f"{where}: at revision {current}; this version of scc is at {found['head']}.")
    for revision, doc in found["pending"]:
        click.echo(f"  {'to apply' if check else 'applying'} {revision}: {doc}")
    for name in found["rebuild"]:
        click.echo(f"  {'to rebuild' if check else 'rebuilding'} read model {name}")
    if check:
        sys.exit(1)
    upgrade_schema(settings)
    names = schema_status(settings)["rebuild"]
    if names:
        with _case_files() as case_files:
            projections = build_projections(settings, case_files, out_of_shape_ok=True)
            try:
                with _progress(f"Rebuilding {', '.join(names)}") as progress:
                    projections.rebuild(names, progress)
            finally:
                projections.store.close()
    click.echo(f"Done: {where} is at revision {found['head']}.")


@contextlib.contextmanager
def _progress(label: str) -> Iterator[Any]:
    """A progress bar on stderr, (done, total) at a time."""
    with click.progressbar(length=1, label=label, file=sys.stderr, show_pos=True) as bar:
        def progress(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        yield progress


@click.command("export-log", help="Write the whole event log (every school's entries with their "
               "hash-chain links, and a manifest of each chain's head) to FILE as JSON lines; "
               "gzip if FILE ends .gz. The entries are written in plain text, even from an "
               "encrypted store.")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def export_log(file: Path) -> None:
    from application.log_files import export_log as export
    from cli.main import _case_files

    with _case_files() as case_files, _progress("Exporting entries") as progress:
        manifest = export(case_files, file, progress)
        encrypted = case_files.mapper.cipher is not None
    click.echo(f"Exported {_count(manifest['entries'], 'entry', 'entries')} of "
               f"{_count(manifest['schools'], 'school', 'schools')} to {file}.")
    if encrypted:
        click.echo("The file holds the entries in plain text: keep it as safe as the key.")


@click.command("import-log", help="Read a log written by scc export-log into this store, which "
               "must be empty: every school's hash chain and the file's manifest are verified "
               "first, and a file that fails is refused with nothing written. The entries are "
               "encrypted if SCC_CIPHER_KEY is set. The read models are then rebuilt.")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_log(file: Path) -> None:
    from adapters.bootstrap import build_projections
    from adapters.config import Settings
    from application.log_files import import_log as load
    from cli.main import UserError, _case_files

    settings = Settings.from_env()
    with _case_files() as case_files:
        with _progress("Verifying and importing entries") as progress:
            manifest = load(case_files, file, progress)
        click.echo(f"Imported {_count(manifest['entries'], 'entry', 'entries')} of "
                   f"{_count(manifest['schools'], 'school', 'schools')}; every chain verified.")
        try:
            projections = build_projections(settings, case_files, out_of_shape_ok=True)
        except ValueError as error:
            raise UserError(str(error)) from None
        try:
            with _progress("Rebuilding the read models") as progress:
                projections.rebuild(progress=progress)
        finally:
            projections.store.close()
    click.echo("Read models rebuilt.")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
