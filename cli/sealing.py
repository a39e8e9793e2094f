"""``scc seal-log``: a log recorded before personal data was sealed, sealed into a new store,
and ``scc seal-log verify``: the migration checked from the new store and its manifest."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from cli.store import _count, _progress


@click.group("seal-log", invoke_without_command=True, help=(
    "Seal the personal data of a log recorded before it was sealed: every entry of the old "
    "store (--from) is written into the configured store, which must be empty, with its names "
    "and free text sealed under keys in the key store and its hash link recomputed; entries "
    "sealed already keep their content. The old log's chains are verified first, and nothing "
    "is written if one fails. The manifest (--manifest) records every school's chain head "
    "before and after, signed with $SCC_CHECKPOINT_KEY if set, and each entry's old and new "
    "link: check it with scc seal-log verify. The read models are then rebuilt."))
@click.option("--from", "source", metavar="DATABASE_URL",
              help="The old store: sqlite:///path or postgresql://... (?schema=...).")
@click.option("--manifest", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Where to write the migration's manifest (JSON); never overwritten.")
@click.pass_context
def seal_log(context: click.Context, source: str | None, manifest: Path | None) -> None:
    if context.invoked_subcommand is not None:
        return
    from adapters.bootstrap import KeyUnreadable, build_projections, read_signer
    from adapters.config import Settings
    from application.sealing_migration import seal_log as seal
    from cli.main import UserError, _case_files, _where

    if source is None or manifest is None:
        raise UserError("Give the old store and where to write the manifest: scc seal-log "
                        "--from DATABASE_URL --manifest FILE")
    settings = Settings.from_env()
    try:
        signer = read_signer(settings.checkpoint_key) if settings.checkpoint_key else None
    except KeyUnreadable as error:
        raise UserError(str(error)) from None
    with _case_files() as target:
        with _old_store(settings, source, target) as old, \
                _progress("Reading and sealing entries") as progress:
            done = seal(old, target, manifest, signer=signer, source_name=_where(source),
                        progress=progress)
        kept, relinked = done["carried"] + done["relinked"], done["relinked"]
        click.echo(
            f"Sealed {_count(done['entries'], 'entry', 'entries')} of "
            f"{_count(done['schools'], 'school', 'schools')} into "
            f"{_where(settings.database_url)}: personal data sealed now in "
            f"{_count(done['sealed'], 'entry', 'entries')}; {kept} had none left to seal and "
            "were kept as recorded" + (f" ({relinked} of them linked again, as an entry before "
                                       f"{'it' if relinked == 1 else 'them'} changed)"
                                       if relinked else "") + ".")
        click.echo(f"Manifest written to {manifest}; its checkpoints before and after are "
                   + ("signed." if done["signed"] else "not signed (set SCC_CHECKPOINT_KEY "
                                                        "to sign them)."))
        try:
            projections = build_projections(settings, target, out_of_shape_ok=True)
        except ValueError as error:
            raise UserError(str(error)) from None
        try:
            with _progress("Rebuilding the read models") as progress:
                projections.rebuild(progress=progress)
        finally:
            projections.store.close()
    click.echo("Read models rebuilt.")
    click.echo(f"Check the migration with scc seal-log verify --manifest {manifest}, keep the "
               "manifest outside this system, then destroy the old store and its backups: they "
               "still hold the personal data in plain text. Signed checkpoints of the old log "
               "do not cover the new one: give the new log a checkpoint folder of its own.")


@seal_log.command("verify", help=(
    "Check the configured store against the manifest of the scc seal-log that wrote it: each "
    "sealed value is opened, the old log's content rebuilt from it and its chains recomputed "
    "to the heads recorded before the migration, and the new chains checked to the heads "
    "recorded after, so that nothing but the sealing differs (exit status 1 if anything "
    "does). The old store is not needed."))
@click.option("--manifest", required=True, metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path),
              help="The manifest scc seal-log wrote.")
@click.option("--public-key", "public_key", metavar="FILE", type=click.Path(path_type=Path),
              help="The public key its checkpoints were signed with. Default: "
                   "$SCC_CHECKPOINT_PUBLIC_KEY, or the one of $SCC_CHECKPOINT_KEY.")
def verify(manifest: Path, public_key: Path | None) -> None:
    from application.sealing_migration import verify_sealing
    from cli.main import UserError, _case_files

    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
    except OSError as error:
        raise UserError(f"Cannot read the manifest {manifest}: {error.strerror}") from None
    except ValueError:
        raise UserError(f"{manifest} is not a manifest: it is not JSON") from None
    verifier = _verifier(public_key) if _signed(data) else None
    with _case_files() as target, _progress("Verifying the sealed entries") as progress:
        result = verify_sealing(target, data, verifier=verifier, progress=progress)
    for problem in result["problems"]:
        entry = f", entry {problem['version']}" if problem["version"] is not None else ""
        click.echo(f"{problem['school']}{entry}: {problem['problem']}")
    for gone in result["erased"]:
        erasure = gone["erasure"]
        click.echo(f"{gone['school']}, entry {gone['version']}: its "
                   f"{gone['field'].replace('_', ' ')} was erased under {erasure.rule} on "
                   f"{erasure.on.isoformat()}, after the migration: checked on the new chain "
                   "only, as what the old log held cannot be read again")
    checked = (f"{_count(result['entries_checked'], 'entry', 'entries')} of "
               f"{_count(result['schools_checked'], 'school', 'schools')}")
    if result["problems"]:
        count = len(result["problems"])
        click.echo(f"Checked the migration of {checked}: "
                   f"{count} problem{'' if count == 1 else 's'} found")
        click.get_current_context().exit(1)
    signed = {"checked": " Its signed checkpoints before and after hold.",
              "not signed": " Its checkpoints were not signed.",
              "not checked": ""}[result["signed"]]
    click.echo(f"Verified the migration of {checked}: each entry is the old log's with only its "
               "personal data sealed; the old chains end at the heads recorded before it, the "
               f"new chains at the heads recorded after.{signed}")
    if result["recorded_since"]:
        click.echo(f"{_count(result['recorded_since'], 'entry', 'entries')} recorded since the "
                   "migration are not in the manifest: scc verify checks them.")


def _signed(data: Any) -> bool:
    with contextlib.suppress(AttributeError, TypeError, KeyError):
        return any(data[which].get("checkpoint") for which in ("before", "after"))
    return False


def _verifier(public_key: Path | None) -> Any:
    from adapters.bootstrap import KeyUnreadable, read_signer, read_verifier
    from adapters.config import Settings
    from cli.main import UserError

    settings = Settings.from_env()
    try:
        if public_key or settings.checkpoint_public_key:
            return read_verifier(public_key or settings.checkpoint_public_key)
        if settings.checkpoint_key:
            return read_signer(settings.checkpoint_key).verifier
    except KeyUnreadable as error:
        raise UserError(str(error)) from None
    raise UserError("The manifest's checkpoints are signed: give their public key, "
                    "--public-key FILE or SCC_CHECKPOINT_PUBLIC_KEY")


@contextlib.contextmanager
def _old_store(settings: Any, url: str, target: Any) -> Iterator[Any]:
    from adapters.bootstrap import open_old_log
    from cli.main import UserError, _where

    try:
        old = open_old_log(settings, url, target)
    except ValueError as error:
        raise UserError(f"The old store, {_where(url)}: {error}") from None
    try:
        yield old
    finally:
        old.close()
