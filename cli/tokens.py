"""``scc tokens``: the API tokens of the web app's users (create, list, revoke)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import click

from cli import formatting


@contextlib.contextmanager
def _tokens() -> Iterator[Any]:
    """The tokens (application.tokens.ApiTokens) on the configured store, closed afterwards;
    their refusals become user errors."""
    from adapters.bootstrap import build_tokens
    from adapters.config import Settings
    from application.tokens import TokenError
    from cli.main import UserError, _users

    with _users() as users:
        tokens = build_tokens(Settings.from_env(), users)
        try:
            yield tokens
        except TokenError as error:
            raise UserError(str(error)) from None
        finally:
            tokens.store.close()


@click.group(help="API tokens: each acts for one user, with that user's role, until revoked "
                  "or the user is disabled. Send one as 'Authorization: Bearer TOKEN'.")
def tokens() -> None:
    pass


def _operator(command: str) -> Any:
    from application import recorders

    return recorders.operator(via=command)


@tokens.command("create", help="Make a token for the user with this EMAIL and print it. It is "
                               "shown only this once: only its hash is kept.")
@click.argument("email")
@click.option("--name", default="", help="What it is for, e.g. 'data warehouse'.")
def tokens_create(email: str, name: str) -> None:
    with _tokens() as store:
        made = store.create(email, name=name, by=_operator("scc tokens create"))
    click.echo(f"Token {made['id']} ({made['name']}) for {made['email']}; keep it secret, "
               "it is not shown again:", err=True)
    click.echo(made["token"])


@tokens.command("list", help="Every token (never the secret): its id, user, name, when it was "
                             "made and whether it is revoked.")
@click.option("--email", default=None, help="Only this user's tokens.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def tokens_list(email: str | None, output: str) -> None:
    with _tokens() as store:
        found = store.list(email)
    if output == "json":
        click.echo(formatting.to_json(found))
    elif not found:
        click.echo("No tokens yet: make one with scc tokens create EMAIL.")
    else:
        click.echo(formatting.table(["id", "email", "name", "created", "status"], [
            [t["id"], t["email"], t["name"], formatting.local_time(t["created_at"]),
             f"revoked {formatting.local_time(t['revoked_at'])}" if t["revoked_at"]
             else "active"] for t in found]))


@tokens.command("revoke", help="Stop the token with this ID working, at once.")
@click.argument("token_id", metavar="ID", type=int)
def tokens_revoke(token_id: int) -> None:
    with _tokens() as store:
        store.revoke(token_id, by=_operator("scc tokens revoke"))
    click.echo(f"Revoked token {token_id}.")
