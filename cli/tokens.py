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


@click.group(help="API tokens: each acts for one user, with that user's role, until it "
                  "expires, is revoked or the user is disabled. Send one as "
                  "'Authorization: Bearer TOKEN'.")
def tokens() -> None:
    pass


def _operator(command: str) -> Any:
    from application import recorders

    return recorders.operator(via=command)


@tokens.command("create", help="Make a token for the user with this EMAIL and print it. It is "
                               "shown only this once: only its hash is kept.")
@click.argument("email")
@click.option("--name", default="", help="What it is for, e.g. 'data warehouse'.")
@click.option("--expires-in", "days", type=click.IntRange(1, 366), default=None, metavar="DAYS",
              help="Days it works for (1 to 366); SCC_TOKEN_DAYS, 90 unless set, by default.")
def tokens_create(email: str, name: str, days: int | None) -> None:
    from datetime import timedelta

    with _tokens() as store:
        made = store.create(email, name=name,
                            expires_in=timedelta(days=days) if days is not None else None,
                            by=_operator("scc tokens create"))
    click.echo(f"Token {made['id']} ({made['name']}) for {made['email']}, until "
               f"{formatting.local_time(made['expires_at'])}; keep it secret, it is not shown "
               "again:", err=True)
    click.echo(made["token"])


@tokens.command("list", help="Every token (never the secret): its id, user, name, when it was "
                             "made and last used, and whether it is revoked or expired.")
@click.option("--email", default=None, help="Only this user's tokens.")
@click.option("--format", "output", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def tokens_list(email: str | None, output: str) -> None:
    with _tokens() as store:
        found, now = store.list(email), store.clock.now()
    if output == "json":
        click.echo(formatting.to_json(found))
    elif not found:
        click.echo("No tokens yet: make one with scc tokens create EMAIL.")
    else:
        click.echo(formatting.table(["id", "email", "name", "created", "last used", "status"], [
            [t["id"], t["email"], t["name"], formatting.local_time(t["created_at"]),
             formatting.local_time(t["last_used_at"]) if t["last_used_at"] else "never",
             _status(t, now)] for t in found]))


def _status(token: dict[str, Any], now: Any) -> str:
    if token["revoked_at"]:
        return f"revoked {formatting.local_time(token['revoked_at'])}"
    if token["expires_at"] is None:
        return "active, no expiry"
    if token["expires_at"] <= now:
        return f"expired {formatting.local_time(token['expires_at'])}"
    return f"active until {formatting.local_time(token['expires_at'])}"


@tokens.command("revoke", help="Stop the token with this ID working: running servers refuse "
                                "it within a second.")
@click.argument("token_id", metavar="ID", type=int)
def tokens_revoke(token_id: int) -> None:
    with _tokens() as store:
        store.revoke(token_id, by=_operator("scc tokens revoke"))
    click.echo(f"Revoked token {token_id}.")
