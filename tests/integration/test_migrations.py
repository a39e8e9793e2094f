"""Upgrading a store's own tables keeps their rows: ``scc migrate`` on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

import pytest
import sqlalchemy as sa
from alembic import command
from click.testing import CliRunner

from adapters import migrations
from adapters.bootstrap import build_case_files, build_projections, build_users
from adapters.config import Settings
from adapters.outbox import SQLOutbox
from adapters.read_models import POSITIONS, ReadModelsOutOfShape, read_model_engine
from application.access_log import verify_access_log
from application.notifications import Message
from cli.main import scc
from tests.fakes import FixedClock
from tests.sign_off import approved

URN = 990401
PASSWORD = "correct horse battery staple"


def _env(database_url: str) -> dict[str, str | None]:
    return {"SCC_DATABASE_URL": database_url, "SCC_READ_MODEL_URL": None,
            "SCC_CIPHER_KEY": None, "SCC_DATA_DIR": None}


def _store_in_use(database_url: str) -> dict:
    """A store as people use it: a school, read models, a user, an access log and an email
    waiting; returns what a user sees of it."""
    settings = Settings(database_url=database_url)
    clock = FixedClock()
    case_files = build_case_files(settings, clock)
    case_files.register_school(
        by="Amir Khan", effective=date(2024, 9, 2), urn=URN, name="Fenwick Junior School",
        phase="Primary", establishment_type="Community school", la_code="999",
        governance="maintained")
    approved(case_files, "change_category", URN, by="Margaret Fell", effective=date(2024, 10, 1), to="4",
             reason="Inadequate: leadership")
    projections = build_projections(settings, case_files)
    projections.catch_up()
    users = build_users(settings, clock)
    users.add(email="priya@la.example", name="Priya Shah", role="caseworker", password=PASSWORD)
    # A view as an older scc logged it, in plain: a store with viewers sealed (0011) cannot
    # be taken back before them
    users.store.record_access(at=clock.now(), email="priya@la.example", urn=URN,
                              view="case file")
    outbox = SQLOutbox(read_model_engine(database_url))
    outbox.queue([Message("m1", "reminder", "Priya@LA.example", "Priya Shah", "Due soon",
                          "Warning notice WN1", URN, "WN1", datetime(2026, 11, 2, tzinfo=UTC))])
    seen = _what_users_see(projections, users, outbox)
    for closing in (outbox, users, projections.store, case_files):
        closing.close()
    return seen


def _what_users_see(projections, users, outbox) -> dict:
    return {
        "schools": [(s["urn"], s["name"], s["category"]) for s in projections.store.schools()],
        "positions": {r["projection"]: r["position"] for r in projections.status()},
        # An account's id is made by migration 0005 for an older store's users: a store taken
        # back before it and migrated again gives them new ones (checked apart).
        "users": [{k: v for k, v in u.items() if k != "account_id"} for u in users.list()],
        "access": [(a["email"], a["urn"], a["view"]) for a in users.access_log(urn=URN)],
        "emails": [(m["id"], m["status"]) for m in outbox.messages(recipient="priya@la.example")],
    }


def _seen_now(database_url: str) -> dict:
    settings = Settings(database_url=database_url)
    case_files = build_case_files(settings)
    projections = build_projections(settings, case_files)
    users = build_users(settings)
    outbox = SQLOutbox(read_model_engine(database_url))
    try:
        assert users.authenticate("priya@la.example", PASSWORD, source_ip=None)
        return _what_users_see(projections, users, outbox)
    finally:
        for closing in (outbox, users, projections.store, case_files):
            closing.close()


def _back_to(database_url: str, revision: str | None) -> None:
    """The store's tables as an older version of scc left them (``None``: the version before
    migrations, whose tables are those of revision 0001 with no revision recorded)."""
    engine = read_model_engine(database_url)
    with engine.begin() as conn:
        config = migrations._config()
        config.attributes["connection"] = conn
        command.downgrade(config, revision or "0001")
        if revision is None:
            conn.execute(sa.text(f"DROP TABLE {migrations.VERSION_TABLE}"))
    engine.dispose()


def test_a_new_store_is_made_at_the_newest_revision(database_url):
    runner = CliRunner()

    made = runner.invoke(scc, ["migrate"], env=_env(database_url))
    check = runner.invoke(scc, ["migrate", "--check"], env=_env(database_url))

    assert made.exit_code == 0, made.output
    assert check.exit_code == 0 and "Up to date" in check.stdout
    engine = read_model_engine(database_url)
    assert set(migrations.TABLES) <= set(sa.inspect(engine).get_table_names())
    assert migrations.status(engine).current == migrations.status(engine).head
    engine.dispose()


def test_a_store_being_set_up_by_another_process_is_not_taken_for_an_old_one(
        database_url, monkeypatch):
    # Another process set the store up between this one's read of the revision (none yet)
    # and its look at the tables (there now): the first look, on its own, says "older".
    engine = read_model_engine(database_url)
    migrations.require_current(engine)
    head = migrations.status(engine).head
    mid_setup = migrations.SchemaStatus(current=None, head=head,
                                        pending=(("0001", "baseline"),), new=False)
    monkeypatch.setattr(migrations, "status", lambda _: mid_setup)

    migrations.require_current(engine)  # Check: no SchemaBehind

    with engine.connect() as conn:
        assert migrations._status(conn).current == head
    engine.dispose()


@pytest.mark.parametrize("revision", [None, "0001", "0002", "0003"])
def test_an_older_store_is_refused_until_migrated_and_keeps_its_rows(database_url, revision):
    before = _store_in_use(database_url)
    _back_to(database_url, revision)
    runner = CliRunner()

    # Check the app refuses it in words, and --check says what an upgrade would do
    with pytest.raises(migrations.SchemaBehind, match="run scc migrate"):
        build_users(Settings(database_url=database_url))
    refused = runner.invoke(scc, ["report", "concern"], env=_env(database_url))
    assert refused.exit_code == 2 and "run scc migrate" in refused.stderr
    assert "Traceback" not in refused.output
    check = runner.invoke(scc, ["migrate", "--check"], env=_env(database_url))
    assert check.exit_code == 1
    assert ("to apply 0003: Each projection records the shape" in check.stdout) == (
        revision != "0003")
    assert "to apply 0005: Every account has a stable id" in check.stdout
    assert "to apply 0006: The access log becomes a hash chain" in check.stdout
    assert ("to apply 0001" in check.stdout) == (revision is None)
    assert ("to rebuild read model school_status" in check.stdout) == (revision != "0003")

    migrated = runner.invoke(scc, ["migrate"], env=_env(database_url))

    # Check every row is still there and reads as before; the read models were rebuilt
    assert migrated.exit_code == 0, migrated.output
    assert ("rebuilding read model school_status" in migrated.stdout) == (revision != "0003")
    assert _seen_now(database_url) == before
    users = build_users(Settings(database_url=database_url))
    assert all(UUID(u["account_id"]) for u in users.list())
    users.close()
    assert runner.invoke(scc, ["migrate", "--check"], env=_env(database_url)).exit_code == 0
    # Check the access log's rows from before were chained, and new ones chain on
    users = build_users(Settings(database_url=database_url), FixedClock())
    try:
        users.record_access(email="priya@la.example", urn=URN, view="case file")
        assert verify_access_log(users.store) == {"rows": 2, "problem": None, "erased": []}
    finally:
        users.close()


def test_read_models_of_another_shape_are_rebuilt_into_a_new_generation(database_url):
    before = _store_in_use(database_url)
    engine = read_model_engine(database_url)
    with engine.begin() as conn:  # as if school_status's columns had changed since
        conn.execute(POSITIONS.update().where(POSITIONS.c.name == "school_status")
                     .values(shape="0123456789abcdef"))
    settings = Settings(database_url=database_url)
    case_files = build_case_files(settings)
    runner = CliRunner()

    with pytest.raises(ReadModelsOutOfShape, match="school_status were made by another"):
        build_projections(settings, case_files)
    check = runner.invoke(scc, ["migrate", "--check"], env=_env(database_url))
    migrated = runner.invoke(scc, ["migrate"], env=_env(database_url))

    assert check.exit_code == 1
    assert check.stdout.count("to rebuild") == 1
    assert migrated.exit_code == 0, migrated.output
    with engine.connect() as conn:
        generations = dict(conn.execute(
            sa.select(POSITIONS.c.name, POSITIONS.c.generation)).all())
    assert generations["school_status"] == 2 and generations["deadlines"] == 1
    assert _seen_now(database_url) == before
    case_files.close()
    engine.dispose()


def test_tokens_made_before_they_expired_keep_working_until_90_days_after_the_upgrade(
        database_url):
    import hashlib
    from datetime import timedelta

    from adapters.bootstrap import build_tokens

    _store_in_use(database_url)
    _back_to(database_url, "0003")
    engine = read_model_engine(database_url)
    token = "scc_made-by-an-older-version-of-scc"
    columns = {c["name"] for c in sa.inspect(engine).get_columns("api_tokens")}
    assert "expires_at" not in columns  # Check: the shape of an older store
    with engine.begin() as conn:
        conn.execute(sa.text(
            "INSERT INTO api_tokens (email, name, token_hash, created_at) "
            "VALUES ('priya@la.example', 'warehouse', :hash, :at)"),
            {"hash": hashlib.sha256(token.encode()).hexdigest(),
             "at": datetime(2026, 1, 5, 9, 0) if engine.dialect.name == "sqlite"
             else datetime(2026, 1, 5, 9, 0, tzinfo=UTC)})
    engine.dispose()

    migrated = CliRunner().invoke(scc, ["migrate"], env=_env(database_url))

    assert migrated.exit_code == 0, migrated.output
    settings = Settings(database_url=database_url)
    users = build_users(settings)
    tokens = build_tokens(settings, users)
    try:
        assert tokens.user(token)["email"] == "priya@la.example"
        [listed] = tokens.list()
        assert abs(listed["expires_at"] - datetime.now(UTC) - timedelta(days=90)) < timedelta(
            minutes=5)
        assert listed["last_used_at"] is not None
        assert users.sessions.resume(users.sessions.begin("priya@la.example"))
    finally:
        tokens.close()
        users.close()
