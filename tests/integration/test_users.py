"""Users on a real database: adding, signing in, throttling and the access log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from uuid import UUID

import argon2
import pytest

from adapters.read_models import read_model_engine
from adapters.users import Argon2Hasher, SQLUserStore
from application.users import SignInRefused, SignInThrottled, UserError, Users

PASSWORD = "correct horse battery staple"


@pytest.fixture
def users(database_url, clock) -> Iterator[Users]:
    users = Users(SQLUserStore(read_model_engine(database_url)), Argon2Hasher(), clock)
    yield users
    users.close()


def test_a_user_is_added_listed_and_signs_in(users):
    users.add(email=" Casey@Fenmarsh.example ", name="Casey  Worker", role="caseworker",
              password=PASSWORD)
    users.add(email="adam@fenmarsh.example", name="Adam Min", role="admin", password=PASSWORD)

    # Check the email address is kept in lower case and the name tidied, and each account
    # has an id of its own (what entries record of who made them)
    account_id = users.get("casey@fenmarsh.example")["account_id"]
    casey = {"email": "casey@fenmarsh.example", "name": "Casey Worker", "role": "caseworker",
             "disabled": False, "account_id": account_id}
    assert users.get("CASEY@fenmarsh.example") == casey
    assert UUID(account_id) != UUID(users.get("adam@fenmarsh.example")["account_id"])
    assert [u["email"] for u in users.list()] == ["adam@fenmarsh.example",
                                                  "casey@fenmarsh.example"]

    # Check signing in gives the user, whatever the case of the address typed
    assert users.authenticate("Casey@fenmarsh.example", PASSWORD, source_ip="10.0.0.1") == casey
    assert users.get("nobody@fenmarsh.example") is None


@pytest.mark.parametrize(("fields", "message", "field"), [
    ({"email": "casey"}, "Enter an email address in the correct format", "email"),
    ({"email": "casey@fenmarsh"}, "Enter an email address in the correct format", "email"),
    ({"name": "  "}, "Enter the user's name", "name"),
    ({"role": "governor"}, "Choose a role: caseworker, head, auditor or admin", "role"),
    ({"password": "short pass1"}, "Enter a password of at least 12 characters", "password"),
])
def test_what_is_entered_is_checked(users, fields, message, field):
    entered = {"email": "casey@fenmarsh.example", "name": "Casey Worker",
               "role": "caseworker", "password": PASSWORD} | fields

    with pytest.raises(UserError, match=message) as refused:
        users.add(**entered)

    assert refused.value.field == field
    assert users.list() == []


def test_an_email_address_is_used_once(users):
    users.add(email="casey@fenmarsh.example", name="Casey", role="caseworker", password=PASSWORD)

    with pytest.raises(UserError, match="A user with the email address casey@fenmarsh.example "
                                        "already exists"):
        users.add(email="CASEY@fenmarsh.example", name="Other", role="admin", password=PASSWORD)

    assert users.get("casey@fenmarsh.example")["role"] == "caseworker"


def test_a_wrong_password_and_an_unknown_address_are_refused_alike(users):
    users.add(email="casey@fenmarsh.example", name="Casey", role="caseworker", password=PASSWORD)

    with pytest.raises(SignInRefused) as wrong:
        users.authenticate("casey@fenmarsh.example", "not the password", source_ip="10.0.0.1")
    with pytest.raises(SignInRefused) as unknown:
        users.authenticate("nobody@fenmarsh.example", PASSWORD, source_ip="10.0.0.1")

    assert str(wrong.value) == str(unknown.value) == "Enter a correct email address and password"


def test_a_disabled_user_cannot_sign_in_until_enabled(users):
    users.add(email="casey@fenmarsh.example", name="Casey", role="caseworker", password=PASSWORD)

    users.disable("casey@fenmarsh.example")

    assert users.get("casey@fenmarsh.example")["disabled"] is True
    with pytest.raises(SignInRefused, match="Enter a correct email address and password"):
        users.authenticate("casey@fenmarsh.example", PASSWORD, source_ip="10.0.0.1")

    users.enable("casey@fenmarsh.example")
    assert users.authenticate("casey@fenmarsh.example", PASSWORD, source_ip="10.0.0.1")
    with pytest.raises(UserError, match="There is no user with the email address x@y.example"):
        users.disable("x@y.example")


def test_failures_for_an_address_slow_its_sign_ins_without_locking_it(users, clock):
    users.add(email="casey@fenmarsh.example", name="Casey", role="caseworker", password=PASSWORD)
    for _ in range(5):
        clock.advance(minutes=1)
        with pytest.raises(SignInRefused) as refused:
            users.authenticate("casey@fenmarsh.example", "guess", source_ip="10.0.0.1")
        assert not isinstance(refused.value, SignInThrottled)

    # Check the next try within a second waits, from any IP address, right password or not
    with pytest.raises(SignInThrottled, match="Wait 1 second, then try again"):
        users.authenticate("casey@fenmarsh.example", PASSWORD, source_ip="10.0.0.2")

    # Check each further failure doubles the wait
    clock.advance(seconds=1)
    with pytest.raises(SignInRefused):
        users.authenticate("casey@fenmarsh.example", "guess", source_ip="10.0.0.1")
    with pytest.raises(SignInThrottled, match="Wait 2 seconds") as throttled:
        users.authenticate("casey@fenmarsh.example", PASSWORD, source_ip="10.0.0.2")
    assert throttled.value.wait <= timedelta(seconds=2)

    # Check once the wait is over the right password is let in, and the count starts again
    clock.advance(seconds=2)
    assert users.authenticate("casey@fenmarsh.example", PASSWORD, source_ip="10.0.0.1")
    for _ in range(5):
        with pytest.raises(SignInRefused) as refused:
            users.authenticate("casey@fenmarsh.example", "guess", source_ip="10.0.0.1")
        assert not isinstance(refused.value, SignInThrottled)


def test_twenty_failures_from_one_ip_address_slow_it_for_every_address(users, clock):
    users.add(email="casey@fenmarsh.example", name="Casey", role="caseworker", password=PASSWORD)
    for n in range(20):
        clock.advance(seconds=10)
        with pytest.raises(SignInRefused):
            users.authenticate(f"guess{n % 5}@fenmarsh.example", PASSWORD, source_ip="10.6.6.6")

    with pytest.raises(SignInThrottled):
        users.authenticate("casey@fenmarsh.example", PASSWORD, source_ip="10.6.6.6")
    assert users.authenticate("casey@fenmarsh.example", PASSWORD, source_ip="10.0.0.1")
    clock.advance(seconds=1)
    assert users.authenticate("casey@fenmarsh.example", PASSWORD, source_ip="10.6.6.6")


def test_signing_in_with_an_old_hash_rehashes_the_password(database_url, clock):
    store = SQLUserStore(read_model_engine(database_url))
    weak = Argon2Hasher(argon2.PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1))
    Users(store, weak, clock).add(email="casey@fenmarsh.example", name="Casey",
                                  role="caseworker", password=PASSWORD)
    old = store.get("casey@fenmarsh.example")["password_hash"]

    users = Users(store, Argon2Hasher(), clock)
    users.authenticate("casey@fenmarsh.example", PASSWORD, source_ip=None)

    new = store.get("casey@fenmarsh.example")["password_hash"]
    assert new != old and not Argon2Hasher().needs_rehash(new)
    assert users.authenticate("casey@fenmarsh.example", PASSWORD, source_ip=None)
    users.close()


def test_the_access_log_says_who_viewed_which_case_file_newest_first(users, clock):
    users.record_access(email="casey@fenmarsh.example", urn=990007, view="case file")
    clock.advance(minutes=5)
    users.record_access(email="Audrey@fenmarsh.example", urn=990007, view="as at")
    users.record_access(email="audrey@fenmarsh.example", urn=990005, view="export")

    log = users.access_log()

    assert [(e["email"], e["urn"], e["view"]) for e in log] == [
        ("audrey@fenmarsh.example", 990005, "export"),
        ("audrey@fenmarsh.example", 990007, "as at"),
        ("casey@fenmarsh.example", 990007, "case file"),
    ]
    assert log[-1]["at"].replace(microsecond=0) == datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    assert log[0]["at"] - log[-1]["at"] >= timedelta(minutes=5)
    assert [e["view"] for e in users.access_log(urn=990007, limit=1)] == ["as at"]


def test_views_logged_at_once_by_several_requests_stay_one_chain(database_url, clock):
    from concurrent.futures import ThreadPoolExecutor

    from application.access_log import verify_access_log

    # Four processes' worth of stores on one database, each logging views at the same time
    stores = [SQLUserStore(read_model_engine(database_url)) for _ in range(4)]
    try:
        def view(n: int) -> None:
            stores[n % 4].record_access(at=clock.now(), email=f"user{n % 4}@la.example",
                                        urn=990007, view=f"case file {n}")

        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(view, range(40)))

        # Check none was lost and none forked the chain: each row follows the one before
        assert verify_access_log(stores[0]) == {"rows": 40, "problem": None, "erased": []}
    finally:
        for store in stores:
            store.close()


def _record_together(store, clock, views: list[str]) -> list[BaseException | None]:
    """Each view recorded from a thread of its own, all waiting for the write lock at once
    (held here until every one is queued), so that one transaction adds them all."""
    import threading
    import time

    from adapters import users as user_store

    outcomes: list[BaseException | None] = [None] * len(views)

    def view(n: int) -> None:
        try:
            store.record_access(at=clock.now(), email="casey@la.example", urn=990007,
                                view=views[n])
        except Exception as error:  # noqa: BLE001 - the outcome is what the test reads
            outcomes[n] = error

    threads = [threading.Thread(target=view, args=(n,)) for n in range(len(views))]
    with user_store._ACCESS_WRITES:
        for thread in threads:
            thread.start()
        while len(store._waiting) < len(views):
            time.sleep(0.001)
    for thread in threads:
        thread.join()
    return outcomes


def test_views_queued_for_the_write_lock_are_all_logged_each_following_the_one_before(
        database_url, clock):
    from application.access_log import verify_access_log

    store = SQLUserStore(read_model_engine(database_url))
    try:
        store.record_access(at=clock.now(), email="casey@la.example", urn=990007, view="first")

        outcomes = _record_together(store, clock, [f"case file {n}" for n in range(8)])

        assert outcomes == [None] * 8
        assert verify_access_log(store) == {"rows": 9, "problem": None, "erased": []}
        assert sorted(e["view"] for e in store.access_log(urn=990007, limit=20)) == sorted(
            ["first", *(f"case file {n}" for n in range(8))])
    finally:
        store.close()


def test_a_view_that_cannot_be_logged_fails_every_view_logged_with_it_and_leaves_none(
        database_url, clock, monkeypatch):
    from application import access_log
    from application.access_log import verify_access_log

    linked = access_log.access_link

    def refusing(previous, row):
        if row["view"] == "unloggable":
            raise ValueError("the database refused the row")
        return linked(previous, row)

    store = SQLUserStore(read_model_engine(database_url))
    try:
        store.record_access(at=clock.now(), email="casey@la.example", urn=990007, view="first")
        monkeypatch.setattr(access_log, "access_link", refusing)

        outcomes = _record_together(store, clock, ["before", "unloggable", "after"])

        # The page that logged each of them was refused (none was shown unlogged) ...
        assert all(isinstance(o, ValueError) for o in outcomes)
        # ... and the log holds none of the three: nothing half-written, the chain whole
        assert [e["view"] for e in store.access_log(urn=990007, limit=20)] == ["first"]
        monkeypatch.setattr(access_log, "access_link", linked)
        store.record_access(at=clock.now(), email="casey@la.example", urn=990007, view="next")
        assert verify_access_log(store) == {"rows": 2, "problem": None, "erased": []}
    finally:
        store.close()
