"""The application's PostgreSQL role under ``scc grants``: it records, snapshots and keeps the
read models, but may not change or delete the event log, the snapshots or the access log."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import psycopg
import pytest
from click.testing import CliRunner

from adapters.bootstrap import build_case_files, build_projections, build_users
from adapters.config import Settings
from application.access_log import verify_access_log
from cli.main import scc
from domain.case_file import case_file_id
from tests.conftest import _postgres_schema_url
from tests.fakes import FixedClock

pytestmark = pytest.mark.postgres
URN = 990501


def _env(url: str) -> dict[str, str | None]:
    return {"SCC_DATABASE_URL": url, "SCC_READ_MODEL_URL": None, "SCC_CIPHER_KEY": None,
            "SCC_DATA_DIR": None, "CREATE_TABLE": None}


@pytest.fixture
def owner_and_app(postgres_database) -> Iterator[tuple[str, str, str]]:
    """A schema made by its owner (scc init, scc migrate), and a login role of no rights:
    (the owner's URL, the application role's URL, the role's name)."""
    owner = _postgres_schema_url(postgres_database)
    role = f"scc_app_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_database, autocommit=True) as admin:
        admin.execute(f'CREATE ROLE "{role}" LOGIN')
    app = owner.replace("://postgres@", f"://{role}@", 1)
    runner = CliRunner()
    for command in (["init"], ["migrate"]):
        made = runner.invoke(scc, command, env=_env(owner))
        assert made.exit_code == 0, made.output
    try:
        yield owner, app, role
    finally:
        with psycopg.connect(postgres_database, autocommit=True) as admin:
            admin.execute(f'DROP OWNED BY "{role}"')
            admin.execute(f'DROP ROLE "{role}"')


def test_scc_grants_prints_what_it_would_run(owner_and_app):
    owner, _, role = owner_and_app

    printed = CliRunner().invoke(scc, ["grants", role], env=_env(owner))

    assert printed.exit_code == 0, printed.output
    schema = owner.rsplit("schema=", 1)[1]
    assert (f'GRANT SELECT, INSERT ON "{schema}"."schoolcasefiles_events", '
            f'"{schema}"."schoolcasefiles_snapshots", "{schema}"."access_log", '
            f'"{schema}"."user_administration", "{schema}"."kept_files", '
            f'"{schema}"."kept_file_parts", "{schema}"."data_protection_decisions", '
            f'"{schema}"."sealed_files", "{schema}"."sealed_file_parts" TO "{role}";'
            in printed.stdout)
    assert "BEFORE UPDATE OR DELETE ON" in printed.stdout


def test_the_application_role_records_but_cannot_change_or_delete_the_log(owner_and_app):
    owner, app, role = owner_and_app
    runner = CliRunner()
    # Check the role can do nothing before the grants
    refused = runner.invoke(scc, ["schools"], env=_env(app))
    assert refused.exit_code != 0

    granted = runner.invoke(scc, ["grants", role, "--apply"], env=_env(owner))
    assert granted.exit_code == 0, granted.output

    # Check, as the role: entries are recorded, a snapshot taken at entry 100, the read
    # models kept, the access log appended
    settings = Settings(database_url=app)
    case_files = build_case_files(settings, FixedClock())
    try:
        case_files.register_school(
            by="Amir Khan", effective=date(2024, 9, 2), urn=URN, name="Fenwick Junior School",
            phase="Primary", establishment_type="Community school", la_code="999",
            governance="maintained")
        for n in range(104):
            case_files.record_visit(URN, by="Priya Shah", effective=date(2024, 10, 1),
                                    kind="monitoring", notes=f"Visit {n}")
        snapshots = case_files.snapshots.recorder.select_events(case_file_id(URN))
        assert [s.originator_version for s in snapshots] == [100]
        projections = build_projections(settings, case_files)
        projections.catch_up()
        assert [s["urn"] for s in projections.store.schools()] == [URN]
        projections.store.close()
    finally:
        case_files.close()
    users = build_users(settings, FixedClock())
    try:
        users.record_access(email="priya@la.example", urn=URN, view="case file")
        assert verify_access_log(users.store, users.keyring) == {
            "rows": 1, "problem": None, "erased": []}
        users.add(email="priya@la.example", name="Priya Shah", role="caseworker",
                  password="correct horse battery staple")  # the administration log takes it
    finally:
        users.close()
    listed = runner.invoke(scc, ["history", str(URN)], env=_env(app))
    verified = runner.invoke(scc, ["verify"], env=_env(app))
    assert listed.exit_code == 0 and "Fenwick Junior School (URN 990501)" in listed.stdout
    assert verified.exit_code == 0, verified.output
    assert ("105 entries, 0 kept files, 1 administration entry, 1 access-log row: no alterations found"
            in verified.stdout)

    # Check the role may not change or delete what is recorded, nor empty the tables
    schema = app.rsplit("schema=", 1)[1]
    with psycopg.connect(app.split("?")[0], autocommit=True) as db:
        db.execute(f'SET search_path TO "{schema}"')
        for statement, why in (
                ("UPDATE schoolcasefiles_events SET topic = topic", "append-only"),
                ("DELETE FROM schoolcasefiles_events", "permission denied"),
                ("TRUNCATE schoolcasefiles_events", "permission denied"),
                ("UPDATE schoolcasefiles_snapshots SET topic = topic", "permission denied"),
                ("DELETE FROM schoolcasefiles_snapshots", "permission denied"),
                ("UPDATE access_log SET view = 'nothing'", "permission denied"),
                ("DELETE FROM access_log", "permission denied"),
                ("UPDATE user_administration SET action = action", "permission denied"),
                ("DELETE FROM user_administration", "permission denied"),
                ("UPDATE kept_file_parts SET content = content", "permission denied"),
                ("DELETE FROM kept_files", "permission denied"),
                ("UPDATE sealed_file_parts SET content = content", "permission denied"),
                ("DELETE FROM sealed_files", "permission denied")):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match=why):
                db.execute(statement)
        (count,) = db.execute("SELECT count(*) FROM schoolcasefiles_events").fetchone()
        assert count == 105
