"""Who viewed what, sealed a month at a time: the access log holds no viewer's address in plain,
the retention schedule erases a month by destroying its key, and the chain still verifies;
rows from before viewers were sealed stay as they were. Then ``scc verify`` on a store whose
case file and access log were both erased."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from adapters.key_store import SQLKeyStore, key_store_url
from adapters.read_models import read_model_engine
from adapters.users import Argon2Hasher, SQLUserStore
from application.access_log import month_case_file, verify_access_log
from application.personal_keys import Keyring
from application.users import Users
from domain.personal_data import Erasure

URN = 990611
RULE = "retention rule access-log (2 years after viewing)"
CASEY, AUDREY, PRIYA = "casey@fenmarsh.example", "audrey@fenmarsh.example", "priya@la.example"


@pytest.fixture
def keys(database_url, clock) -> Iterator[Keyring]:
    store = SQLKeyStore(key_store_url(database_url, None), clock=clock)
    yield Keyring(store, recheck=0)
    store.close()


@pytest.fixture
def users(database_url, clock, keys) -> Iterator[Users]:
    users = Users(SQLUserStore(read_model_engine(database_url)), Argon2Hasher(), clock,
                  keyring=keys)
    yield users
    users.close()


def stored_rows(users) -> str:
    """Every column of every row of the access log, as a backup of it holds them."""
    with users.store.engine.connect() as conn:
        return repr(conn.execute(sa.text("SELECT * FROM access_log ORDER BY id")).all())


def views_over_two_months(users, clock) -> None:
    """A row from before viewers were sealed, two views in November, one in December."""
    users.store.record_access(at=datetime(2026, 10, 30, 9, tzinfo=UTC), email=PRIYA,
                              urn=URN, view="case file")  # as an older scc logged it
    clock.move_to(date(2026, 11, 23))
    users.record_access(email=CASEY, urn=URN, view="case file")
    users.record_accesses(email=AUDREY, urns=[URN], view="search results")
    clock.move_to(date(2026, 12, 7))
    users.record_access(email=CASEY, urn=URN, view="export CSV")


def test_no_viewers_address_is_stored_and_each_reads_back_with_its_months_key(users, clock):
    views_over_two_months(users, clock)

    # Check the rows hold no address but the one logged before viewers were sealed
    stored = stored_rows(users)
    assert "casey" not in stored and "audrey" not in stored and PRIYA in stored
    # Check the log reads as it was logged, newest first
    assert [(e["email"], e["view"], e["erased"]) for e in users.access_log()] == [
        (CASEY, "export CSV", None), (AUDREY, "search results", None),
        (CASEY, "case file", None), (PRIYA, "case file", None)]
    # Check each month has a key of its own, and the retention schedule sees the months
    assert users.access_months.months() == [
        {"month": "2026-11", "rows": 2, "erased": None},
        {"month": "2026-12", "rows": 1, "erased": None}]
    assert verify_access_log(users.store, users.keyring) == {
        "rows": 4, "problem": None, "erased": []}


def test_erasing_the_months_before_a_date_erases_who_viewed_then_and_the_chain_verifies(
        users, clock):
    views_over_two_months(users, clock)
    before = stored_rows(users)

    destroyed = users.erase_access_log_before(date(2026, 12, 1), rule=RULE, by="Dee Protection")

    # Check November went, whole, and December (not yet ended on the day) stayed
    assert destroyed == [{"month": "2026-11", "rows": 2, "keys": 1}]
    erasure = Erasure(RULE, date(2026, 12, 7))
    assert [(e["email"], e["erased"]) for e in users.access_log()] == [
        (CASEY, None), (erasure.note, erasure.note), (erasure.note, erasure.note),
        (PRIYA, None)]
    assert users.access_months.months() == [
        {"month": "2026-11", "rows": 2, "erased": erasure},
        {"month": "2026-12", "rows": 1, "erased": None}]
    # Check the rows themselves are untouched (append-only) and the chain verifies, saying
    # which month was erased
    assert stored_rows(users) == before
    assert verify_access_log(users.store, users.keyring) == {
        "rows": 4, "problem": None,
        "erased": [{"month": "2026-11", "rows": 2, "erasure": erasure}]}
    # Check the key is gone from the key store: nothing left that could open November
    [record] = users.keyring.store.key_records(case_file=month_case_file("2026-11"))
    assert record.erasure == erasure
    assert users.keyring.store.keys([record.key_id]) == {record.key_id: erasure}
    # Check asking again destroys nothing more, and the schedule's own call agrees
    assert users.erase_access_log_before(date(2026, 12, 1), rule=RULE, by="Dee") == []
    assert users.access_months.erase_months(["2026-11"], erasure, "Dee") == 0
    assert users.access_months.erase_months(["2026-12"], erasure, "Dee") == 1
    assert users.access_log()[0]["erased"] == erasure.note


@pytest.mark.parametrize(("column", "change", "says"), [
    ("email_sealed", lambda v: v[:-8] + ("A" * 8 if not v.endswith("A" * 8) else "B" * 8),
     "its sealed viewer is not the one sealed when it was"),
    ("email_commitment", lambda v: "0" * 64, "was altered after it was recorded"),
    ("email", lambda v: "someone.else@la.example", "was altered after it was recorded"),
    ("view", lambda v: "nothing", "or not recorded by scc"),
])
def test_a_row_altered_still_fails_verification_after_its_month_was_erased(
        users, clock, column, change, says):
    views_over_two_months(users, clock)
    users.erase_access_log_before(date(2026, 12, 1), rule=RULE, by="Dee Protection")
    with users.store.engine.begin() as conn:
        rows = conn.execute(sa.text(f"SELECT id, {column} FROM access_log WHERE email_key IS "
                                    "NOT NULL ORDER BY id")).all()
        # the last row (December, its key still there); for the commitment and the view,
        # the first sealed row, in the month erased
        row_id, value = rows[-1] if column in ("email_sealed", "email") else rows[0]
        conn.execute(sa.text(f"UPDATE access_log SET {column} = :v WHERE id = :id"),
                     {"v": change(value), "id": row_id})

    found = verify_access_log(users.store, users.keyring)

    assert found["problem"]["row"] == row_id
    assert says in found["problem"]["problem"]


def test_scc_verify_says_what_was_erased_and_still_passes(database_url, tmp_path):
    from adapters.bootstrap import build_case_files, build_documents, build_users
    from adapters.config import Settings
    from cli.main import scc
    from domain.case_file import case_file_id
    from tests.fakes import FixedClock

    env = {"SCC_DATABASE_URL": database_url, "SCC_READ_MODEL_URL": None,
           "SCC_CIPHER_KEY": None, "SCC_DATA_DIR": str(tmp_path),
           "SCC_DOCUMENT_STORE": str(tmp_path / "documents"), "SCC_TERM_DATES": None}
    settings = Settings.from_env({k: v for k, v in env.items() if v is not None})
    clock = FixedClock()
    case_files = build_case_files(settings, clock)
    documents = build_documents(settings, case_files)
    users = build_users(settings, clock, case_files.keyring)
    try:
        case_files.register_school(
            by="Amir Khan", effective=date(2024, 9, 2), urn=URN, name="Fenwick Junior School",
            phase="Primary", establishment_type="Community school", la_code="999",
            governance="maintained")
        documents.attach_evidence(URN, by="Amir Khan", description="Minutes",
                                  stream=io.BytesIO(b"%PDF-1.4\n% minutes\n%%EOF\n"),
                                  filename="minutes.pdf")
        users.record_access(email=CASEY, urn=URN, view="case file")
        users.record_access(email=AUDREY, urn=URN, view="export CSV")
        clock.move_to(date(2026, 12, 2))
        erasure = Erasure("retention rule closed-school", clock.today())
        keys = [k.key_id for k in case_files.keyring.store.key_records(
            case_file=case_file_id(URN))]
        case_files.erase_personal_data(URN, by="Dee Protection", rule=erasure.rule,
                                       destruction="D1", keys=keys, what="everything",
                                       erasure=erasure)
        users.erase_access_log_before(date(2026, 12, 1), rule=RULE, by="Dee Protection")
    finally:
        users.close()
        documents.close()
        case_files.close()

    result = CliRunner().invoke(scc, ["verify"], env=env)

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"URN {URN}, entry 2: its file (SHA-256 ")
    assert lines[0].endswith(") was erased under retention rule closed-school on 2026-12-02")
    assert lines[1] == ("The access log: who viewed what in November 2026 (2 rows) was erased "
                        f"under {RULE} on 2026-12-02")
    assert lines[2] == ("Verified 1 school, 3 entries, 1 kept file, 0 administration "
                        "entries, 2 access-log rows: no alterations found")

    # Check an erased month's row altered is still found
    engine = read_model_engine(database_url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE access_log SET view = 'nothing' WHERE id = "
                             "(SELECT min(id) FROM access_log)"))
    engine.dispose()
    altered = CliRunner().invoke(scc, ["verify"], env=env)
    assert altered.exit_code == 1
    assert "The access log: row " in altered.stdout and "was altered" in altered.stdout
