"""``scc grants``: the PostgreSQL rights of the application's role (read and append the log)."""

from __future__ import annotations

import click


@click.command("grants", help="Print (or, with --apply, run) the SQL that lets ROLE, the "
               "PostgreSQL role the web app and the worker connect as, read and append the "
               "event log, the snapshots and the access log but never change or delete them, "
               "and keep the read models, outbox, users and job store. Run it as the tables' "
               "owner (SCC_DATABASE_URL), after scc init and scc migrate.")
@click.argument("role")
@click.option("--apply", "apply", is_flag=True, help="Run the statements, in one transaction.")
def grants(role: str, apply: bool) -> None:
    from adapters.bootstrap import grant_on_store
    from adapters.config import Settings
    from cli.main import UserError, _case_files, _where

    settings = Settings.from_env()
    with _case_files() as case_files:
        try:
            done = grant_on_store(settings, case_files, role, apply=apply)
        except ValueError as error:
            raise UserError(f"Cannot grant to {role}: {error}") from None
    for url, statements in done:
        if apply:
            click.echo(f"{role} may now read and append the event log on {_where(url)}, "
                       "and never change or delete it")
        else:
            click.echo(f"-- on {_where(url)}, as the owner of its tables")
            click.echo(statements, nl=False)
