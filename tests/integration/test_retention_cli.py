"""scc retention and scc holds: the schedule, the report, a hold, and destruction proposed by
one person and approved by another, on the system clock (dates are relative to today, so the
commands' own clock decides, and the test passes whichever day it runs)."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from adapters.bootstrap import build_case_files
from adapters.config import Settings

URN = 100400
GOVERNOR = "Philippa Underwood-Kaye"


@pytest.fixture
def env(tmp_path) -> dict[str, str | None]:
    return {"SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'scc.sqlite3'}",
            "SCC_DATA_DIR": str(tmp_path / "data"), "SCC_DEADLINE_POLICY": None,
            "SCC_KEY_STORE_URL": None}


def run(env, *args: str, status: int = 0):
    from cli.main import scc

    result = CliRunner().invoke(scc, list(args), env=env)
    assert result.exit_code == status, result.output
    return result


@pytest.fixture
def closed_seven_years_ago(env):
    today = date.today()
    closed = date(today.year - 7, 7, 31)
    case_files = build_case_files(Settings(database_url=env["SCC_DATABASE_URL"]))
    try:
        case_files.register_school(
            by="Priya Shah", effective=date(today.year - 9, 9, 1), urn=URN,
            name="Fen Drove Primary", phase="Primary", establishment_type="Community school",
            la_code="999", governance="maintained")
        case_files.establish_msp_group(URN, by="Priya Shah", effective=date(today.year - 8, 1, 9),
                                       members=[GOVERNOR], cadence_weeks=6)
        case_files.change_school_details(URN, by="Priya Shah", effective=closed,
                                         closed_on=closed)
    finally:
        case_files.close()
    return closed


def test_a_closed_school_is_reported_held_then_proposed_and_approved_by_another(
        env, closed_seven_years_ago):
    schedule = run(env, "retention", "schedule").output
    assert "closed-school" in schedule and "no: the LA's to confirm" in schedule

    report = run(env, "retention", "report").output
    assert "Fen Drove Primary" in report and "closed-school" in report and "due" in report

    # Check a hold on the school keeps it, and is refused without a reason or target
    refused = run(env, "holds", "place", "--reason", "Claim", "--by", "Dee", status=2)
    assert "Say what the hold is on" in refused.output
    run(env, "holds", "place", "--school", str(URN), "--reason", "Claim 2026/77", "--by", "Dee")
    assert "held: legal hold H1 on school 100400 (Claim 2026/77)" in run(
        env, "retention", "report").output
    nothing = run(env, "retention", "propose", "--by", "Dee", status=2)
    assert "Nothing is due for destruction today" in nothing.output
    run(env, "holds", "lift", "H1", "--reason", "Settled", "--by", "Dee")

    proposed = run(env, "retention", "propose", "--by", "Dee Protection").output
    assert "Proposed destruction D1: 1 record" in proposed
    own = run(env, "retention", "approve", "D1", "--by", "Dee Protection", status=2)
    assert "another person must approve it" in own.output
    approved = run(env, "retention", "approve", "D1", "--by", "Sam Approver").output
    assert "personal data erased from 1 case file" in approved

    # Check the record verifies and shows the erasure, not the name
    assert "no alterations found" in run(env, "verify").output
    history = run(env, "history", str(URN), "--format", "csv").output
    assert GOVERNOR not in history and "[erased under retention rule closed-school" in history
    decisions = run(env, "retention", "decisions").output
    assert "records destroyed" in decisions and "hold lifted" in decisions
    assert "Nothing is due for destruction today." in run(env, "retention", "report").output
