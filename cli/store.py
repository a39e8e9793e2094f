"""``scc migrate``, ``scc export-log``, ``scc import-log`` and ``scc keys``: keeping the store."""

from __future__ import annotations

import click


@click.group("keys", help="Keys for encrypting the event log at rest (SCC_CIPHER_KEY).")
def keys() -> None:
    pass


@keys.command("generate", help="Print a new random 256-bit key, base64, for SCC_CIPHER_KEY. "
              "Keep it somewhere safe: without it the encrypted log cannot be read.")
def keys_generate() -> None:
    from adapters.bootstrap import new_cipher_key

    click.echo(new_cipher_key())
