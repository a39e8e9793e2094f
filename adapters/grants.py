"""What the application's PostgreSQL role may do: read and append the event log, never change
or remove it (issue 18, finding #3).

The tables are made and upgraded by their owner (``scc init``, ``scc migrate``); the web app
and the worker connect as another role, which these grants give SELECT and INSERT only on the
entries, the snapshots and the access log (both chains; a trigger refuses any UPDATE,
DELETE or TRUNCATE of them), and what it needs on the tables it
keeps up to date: the read models and their positions, the outbox, users, sign-in failures,
API tokens and the scheduler's jobs (each SELECT, INSERT, UPDATE, DELETE). The schema's
revision is read only. Read-model tables the owner makes later (a rebuild into a new
generation) get the same rights through default privileges.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from psycopg import sql

APPEND_ONLY = ("access_log", "user_administration", "kept_files", "kept_file_parts",
               "data_protection_decisions", "sealed_files", "sealed_file_parts")
"""scc's own tables that are chains, or files the chains name: read and appended, never
changed."""
READ_ONLY = ("scc_schema_version",)


REFUSE_CHANGE = "scc_refuse_change"
"""The trigger function that refuses any UPDATE, DELETE or TRUNCATE of a chain's table."""


def grant_statements(role: str, schema: str, event_tables: Sequence[str], *,
                     own_tables: bool = True) -> list[sql.Composed]:
    """The statements, in order, run by the tables' owner, for ``role`` on ``schema``: the
    event log's tables (the entries first), and (``own_tables``) scc's own, when they are in
    this database.

    The eventsourcing library takes an EXCLUSIVE lock on the entries' table to number them
    in commit order, and PostgreSQL before 17 allows that lock only to a role that may UPDATE,
    DELETE or TRUNCATE the table. The role is therefore granted UPDATE on it, and a trigger
    refuses every UPDATE, DELETE and TRUNCATE of the chains' tables, whoever runs it (a role
    that is not the owner cannot drop or disable the trigger).
    """
    who, where = sql.Identifier(role), sql.Identifier(schema)
    append_only = [*event_tables, *(APPEND_ONLY if own_tables else ())]

    def tables(names: Sequence[str]) -> sql.Composable:
        return sql.SQL(", ").join(sql.Identifier(schema, name) for name in names)

    texts = ["GRANT USAGE ON SCHEMA {where} TO {who}"]
    if own_tables:
        texts += [
            "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {who}",
            "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {read_only} FROM {who}",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {where} "
            "GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {who}",
            "ALTER DEFAULT PRIVILEGES IN SCHEMA {where} GRANT USAGE, SELECT ON SEQUENCES TO {who}",
        ]
    texts += ["REVOKE ALL ON {append_only} FROM {who}",
              "GRANT SELECT, INSERT ON {append_only} TO {who}",
              "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {where} TO {who}"]
    statements = [sql.SQL(text).format(who=who, where=where, append_only=tables(append_only),
                                       read_only=tables(READ_ONLY))
                  for text in texts]
    refuse = sql.Identifier(schema, REFUSE_CHANGE)
    statements.append(sql.SQL(
        "CREATE OR REPLACE FUNCTION {refuse}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "RAISE EXCEPTION '% of %.% refused: scc''s record is append-only', TG_OP, "
        "TG_TABLE_SCHEMA, TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END $$"
    ).format(refuse=refuse))
    for table in append_only:
        target = sql.Identifier(schema, table)
        for name, when in (("scc_append_only", "UPDATE OR DELETE ON {table} FOR EACH ROW"),
                           ("scc_no_truncate", "TRUNCATE ON {table} FOR EACH STATEMENT")):
            statements += [
                sql.SQL("DROP TRIGGER IF EXISTS {name} ON {table}").format(
                    name=sql.Identifier(name), table=target),
                sql.SQL("CREATE TRIGGER {name} BEFORE " + when + " EXECUTE FUNCTION "
                        "{refuse}()").format(name=sql.Identifier(name), table=target,
                                             refuse=refuse)]
    if event_tables:  # for the library's EXCLUSIVE lock; the trigger refuses any UPDATE
        statements.append(sql.SQL("GRANT UPDATE ON {entries} TO {who}").format(
            entries=sql.Identifier(schema, event_tables[0]), who=who))
    return statements


def as_text(statements: Sequence[sql.Composed], connection: Any) -> str:
    return "".join(f"{statement.as_string(connection)};\n" for statement in statements)


class GrantsRefused(ValueError):
    """The grants could not be shown or made (not PostgreSQL, or the server refused)."""


def grant_on_store(database_url: str, read_model_url: str, event_tables: Sequence[str],
                   role: str, *, apply: bool) -> list[tuple[str, str]]:
    """For each database the store uses (the event log's, and the read models' if another):
    its URL and the statements as SQL text; run there, in one transaction each, if ``apply``."""
    import psycopg

    from adapters.event_store import event_store_env

    if not database_url.startswith("postgres"):
        raise GrantsRefused("scc grants is for PostgreSQL: an SQLite store has no roles (keep "
                            "its file readable by the service's user only)")
    together = database_url.split("?")[0] == read_model_url.split("?")[0]
    plans = [(database_url, list(event_tables), together)]
    if not together:
        plans.append((read_model_url, [], True))
    done = []
    for url, tables, own in plans:
        schema = event_store_env(url).get("POSTGRES_SCHEMA", "public")
        statements = grant_statements(role, schema, tables, own_tables=own)
        try:
            with psycopg.connect(url.split("?")[0], connect_timeout=10) as connection:
                done.append((url, as_text(statements, connection)))
                if apply:
                    with connection.transaction():
                        for statement in statements:
                            connection.execute(statement)
        except psycopg.Error as error:
            raise GrantsRefused(" ".join(str(error).split())) from None
    return done
