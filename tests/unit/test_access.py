"""Who may do what: the permission table of issue 5, and throttling's arithmetic."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from application.access import PERMISSIONS, ROLES, may
from application.users import throttled_until

TABLE = {
    # role:     read   record assign replay manage_users read_administration approve protect_data
    "caseworker": (True, True, False, False, False, False, False, False),
    "head": (True, True, True, True, False, False, True, False),
    "auditor": (True, False, False, True, False, True, False, False),
    "admin": (False, False, False, False, True, True, False, True),
}
COLUMNS = ("read", "record", "assign", "replay", "manage_users", "read_administration",
           "approve", "protect_data")


def test_the_roles_are_caseworker_head_auditor_and_admin():
    assert ROLES == ("caseworker", "head", "auditor", "admin")
    assert set(PERMISSIONS) == set(COLUMNS)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_has_exactly_its_permissions(role):
    assert tuple(may(role, permission) for permission in COLUMNS) == TABLE[role]


def test_the_head_may_do_all_a_caseworker_may():
    assert all(may("head", p) for p in COLUMNS if may("caseworker", p))


def test_an_auditor_records_nothing_and_an_admin_reads_no_case_file():
    assert not may("auditor", "record") and not may("auditor", "assign")
    assert not may("admin", "read") and not may("admin", "replay")


def test_nobody_signed_in_may_do_anything():
    assert not any(may(None, p) for p in COLUMNS)
    assert not may("governor", "read")


def test_an_unknown_permission_is_a_programming_error():
    with pytest.raises(ValueError, match="No permission 'delete'"):
        may("head", "delete")


NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def minutes_ago(*minutes: float) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


def seconds_ago(*seconds: float) -> list[datetime]:
    return [NOW - timedelta(seconds=s) for s in seconds]


def test_five_failures_within_fifteen_minutes_make_the_next_try_wait_a_second():
    assert throttled_until(minutes_ago(14, 10, 5, 2) + [NOW], 5, NOW) == NOW + timedelta(seconds=1)


def test_each_further_failure_doubles_the_wait_up_to_a_minute_never_a_lock_out():
    # Check 6, 7 and 8 failures wait 2, 4 and 8 seconds after the last
    for count, wait in ((6, 2), (7, 4), (8, 8)):
        assert throttled_until([NOW] * count, 5, NOW) == NOW + timedelta(seconds=wait)
    # Check a hundred failures still wait only a minute (issue 5 locked for 15 minutes)
    assert throttled_until([NOW] * 100, 5, NOW) == NOW + timedelta(minutes=1)
    assert throttled_until(seconds_ago(*[60] * 100), 5, NOW) is None


def test_four_failures_or_five_spread_over_more_than_fifteen_minutes_do_not():
    assert throttled_until(minutes_ago(4, 3, 2, 1), 5, NOW) is None
    assert throttled_until(seconds_ago(20 * 60, 10, 5, 2, 0), 5, NOW) is None


def test_the_wait_ends_after_the_last_failure():
    assert throttled_until(seconds_ago(5, 4, 3, 2, 1), 5, NOW) is None
    assert throttled_until(seconds_ago(5, 4, 3, 2, 1, 0.5), 5, NOW) == NOW + timedelta(seconds=1.5)
