"""``scc grants``: the PostgreSQL rights of the application's role (read and append the log)."""

from __future__ import annotations

from urllib.parse import urlsplit

import click


@click.command("grants", help="Print (or, with --apply, run) the SQL that lets ROLE, the "
               "PostgreSQL role the web app and the worker connect as, read and append the "
               "event log, the snapshots and the access log but never change or delete them, "
               "and keep the read models, outbox, users and job store. Run it as the tables' "
               "owner (SCC_DATABASE_URL), after scc init and scc migrate.")
@click.argument("role")
@click.option("--apply", "apply", is_flag=True, help="Run the statements, in one transaction.")
def grants(role: str, apply: bool) -> None:
    import psycopg

    from adapters.config import Settings
    from adapters.event_store import event_store_env
    from adapters.grants import as_text, grant_statements
    from cli.main import UserError, _case_files, _where

    settings = Settings.from_env()
    read_models = settings.read_model_url or settings.database_url
    if not settings.database_url.startswith("postgres"):
        raise UserError("scc grants is for PostgreSQL: an SQLite store has no roles (keep its "
                        "file readable by the service's user only)")
    with _case_files() as case_files:
        event_tables = [case_files.recorder.events_table_name]
        if case_files.snapshots is not None:
            event_tables.append(case_files.snapshots.recorder.events_table_name)
        _make_every_table(settings, case_files)
    together = urlsplit(read_models)._replace(query="") == urlsplit(
        settings.database_url)._replace(query="")
    plans = [(settings.database_url, event_tables, together)]
    if not together:
        plans.append((read_models, [], True))
    for url, tables, own in plans:
        schema = event_store_env(url).get("POSTGRES_SCHEMA", "public")
        statements = grant_statements(role, schema, tables, own_tables=own)
        try:
            with psycopg.connect(url.split("?")[0], connect_timeout=10) as connection:
                if not apply:
                    click.echo(f"-- on {_where(url)}, as the owner of its tables")
                    click.echo(as_text(statements, connection), nl=False)
                    continue
                with connection.transaction():
                    for statement in statements:
                        connection.execute(statement)
        except psycopg.Error as error:
            raise UserError(f"Cannot grant on {_where(url)}: "
                            f"{' '.join(str(error).split())}") from None
        if apply:
            click.echo(f"{role} may now read and append the event log on {_where(url)}, "
                       "and never change or delete it")


def _make_every_table(settings: object, case_files: object) -> None:
    """Opens what makes its tables when first opened (the read models, the API tokens), as
    the owner: the grants are on the tables that exist, and the role may not make them."""
    from adapters.bootstrap import build_projections, build_tokens, build_users

    build_projections(settings, case_files).store.close()
    users = build_users(settings)
    try:
        build_tokens(settings, users).store.close()
    finally:
        users.close()
