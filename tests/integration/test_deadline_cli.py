"""``scc deadlines`` and ``scc deadline extend|suspend|resume`` on an SQLite file.

The school: category 4 from Mon 1 Dec 2025, a special measures report published Mon 8 Dec
2025 (statement of action due Mon 22 Dec), a warning notice given Mon 15 Dec 2025 with 10
working days (due Wed 31 Dec). The commands run on Wed 17 Dec 2025 unless a test says else.
"""

from __future__ import annotations

import getpass
import json
from datetime import UTC, date, datetime

import pytest
import time_machine
from click.testing import CliRunner

from adapters.bootstrap import build_case_files
from adapters.config import Settings
from cli.main import scc
from tests.fakes import FixedClock
from tests.sign_off import approved

URN = 110001
STATEMENT = "statement_of_action:I1"


@pytest.fixture
def env(tmp_path) -> dict[str, str | None]:
    env = {"SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'scc.sqlite3'}",
           "SCC_CATEGORY_SCHEME": "peterborough", "SCC_TERM_DATES": None,
           "SCC_DATA_DIR": None, "SCC_DEADLINE_POLICY": None}
    case_files = build_case_files(Settings.from_env({k: v for k, v in env.items() if v}),
                                  clock=FixedClock(datetime(2025, 12, 16, 9, tzinfo=UTC)))
    try:
        case_files.register_school(
            by="HSI", effective=date(2019, 9, 2), urn=URN, name="Fengate Primary School",
            phase="Primary", establishment_type="Community school", governance="maintained",
            la_code="874")
        approved(case_files, "change_category", URN, by="HSI", effective=date(2025, 12, 1), to="4",
                 reason="Leadership has not secured improvement")
        case_files.record_inspection(URN, by="Ofsted import", published_on=date(2025, 12, 8),
                                     inspected_on=date(2025, 11, 4), overall=None,
                                     category="special measures")
        approved(case_files, "issue_warning_notice",
            URN, by="HSI", effective=date(2025, 12, 15), grounds=["a"],
            matters="Results in the bottom 5%", required_actions="Adopt the LA's plan",
            minded_action="Appoint an interim executive board", compliance_period=10)
    finally:
        case_files.close()
    return env


def run(env, *args: str, on: date = date(2025, 12, 17)):
    with time_machine.travel(datetime(on.year, on.month, on.day, 9, tzinfo=UTC), tick=False):
        return CliRunner().invoke(scc, list(args), env=env)


def fails_with(result, message: str) -> None:
    assert result.exit_code == 2, result.output
    assert f"Error: {message}" in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.output


def listed(env, on: date = date(2025, 12, 17)) -> dict[str, dict]:
    result = run(env, "deadlines", str(URN), "--format", "json", on=on)
    assert result.exit_code == 0, result.output
    return {row["key"]: row for row in json.loads(result.stdout)}


def test_deadlines_table_shows_what_is_due_when_and_the_working_days_left(env):
    """Wed 17 Dec 2025: to Mon 22 Dec, 3 working days (18, 19, 22); to Wed 31 Dec, 8 (18,
    19, 22, 23, 24, 29, 30, 31); to Thu 1 Jan 2026, a bank holiday, also 8."""
    result = run(env, "deadlines", str(URN))

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == ("Fengate Primary School (URN 110001): 4 open deadlines on "
                        "17 December 2025")
    assert lines[1].split() == ["key", "what", "due", "working", "days", "left", "reminders",
                                "(working", "days", "before)", "suspended"]
    rows = lines[3:]
    assert [row.split()[0] for row in rows] == [
        STATEMENT, "compliance:WN1", "category_review:next", "visit:next"]
    assert "22 December 2025  3  " in rows[0]
    assert "15 Dec 2025 (5), 19 Dec 2025 (1)" in rows[0]
    assert "31 December 2025  8  " in rows[1]
    assert "1 January 2026    8  " in rows[2]


def test_deadlines_json_gives_plain_data_and_overdue_days_as_negative_numbers(env):
    """Mon 5 Jan 2026: 22 Dec passed 7 working days ago (23, 24, 29, 30, 31 Dec, 2, 5 Jan)."""
    on_time = listed(env)[STATEMENT]
    assert on_time == {
        "key": STATEMENT, "kind": "statement_of_action",
        "what": "Statement of action after Ofsted's special measures judgement (term dates "
                "not loaded: counted in statutory working days)",
        "due": "2025-12-22", "working_days_left": 3, "overdue": False,
        "reminders": [{"on": "2025-12-15", "working_days_before": 5},
                      {"on": "2025-12-19", "working_days_before": 1}],
        "suspended": False,
    }

    late = listed(env, on=date(2026, 1, 5))[STATEMENT]
    assert (late["working_days_left"], late["overdue"]) == (-7, True)

    table = run(env, "deadlines", str(URN), on=date(2026, 1, 5)).stdout
    assert "22 December 2025  -7 (overdue)" in table


def test_deadline_due_today_says_so(env):
    result = run(env, "deadlines", str(URN), on=date(2025, 12, 22))

    assert "22 December 2025  0 (due today)" in result.stdout


def test_extend_moves_the_due_date_and_its_reminders(env):
    """Extended to Fri 9 Jan 2026: reminders Fri 2 Jan (5: 8, 7, 6, 5, 2 Jan) and Thu 8 Jan."""
    result = run(env, "deadline", "extend", str(URN), STATEMENT, "--to", "2026-01-09",
                 "--reason", "Ofsted agreed a later date", "--by", "Head of School Improvement")

    assert result.exit_code == 0, result.output
    assert result.stdout == (f"Extended {STATEMENT} of URN {URN} to 9 January 2026.\n")
    extended = listed(env)[STATEMENT]
    assert extended["due"] == "2026-01-09"
    assert extended["reminders"] == [{"on": "2026-01-02", "working_days_before": 5},
                                     {"on": "2026-01-08", "working_days_before": 1}]
    history = json.loads(run(env, "history", str(URN), "--format", "json").stdout)
    assert "Ofsted agreed a later date" in json.dumps(history[-1])


def test_the_command_line_is_recorded_as_itself_whatever_name_it_is_given(env):
    # Security review #4: --by takes any name, the head's included; the record says it came
    # from the command line, and which login on the server ran it
    run(env, "deadline", "extend", str(URN), STATEMENT, "--to", "2026-01-09",
        "--reason", "Ofsted agreed a later date", "--by", "Helen Marsh")

    history = json.loads(run(env, "history", str(URN), "--format", "json").stdout)
    assert history[-1]["by"] == "Helen Marsh"
    assert history[-1]["actor"] == {"operator": getpass.getuser(),
                                    "via": "scc deadline extend"}
    assert history[-1]["by_identity"] == f"scc deadline extend, run by {getpass.getuser()}"
    table = run(env, "history", str(URN)).stdout
    assert f"Helen Marsh (scc deadline extend, run by {getpass.getuser()})" in table
    # Entries recorded before (here with names alone) say no more than they did
    assert history[0]["actor"] == {} and history[0]["by_identity"] == ""


def test_suspend_then_resume_records_each_with_its_reason(env):
    suspended = run(env, "deadline", "suspend", str(URN), "compliance:WN1",
                    "--reason", "Matter with the Regional Director", "--by", "HSI")

    assert suspended.exit_code == 0, suspended.output
    assert "Suspended compliance:WN1 of URN 110001" in suspended.stdout
    assert listed(env)["compliance:WN1"]["suspended"] is True
    assert "compliance:WN1" in run(env, "deadlines", str(URN)).stdout.splitlines()[4]
    assert run(env, "deadlines", str(URN)).stdout.splitlines()[4].endswith("suspended")

    resumed = run(env, "deadline", "resume", str(URN), "compliance:WN1",
                  "--reason", "Regional Director replied", "--by", "HSI")

    assert resumed.exit_code == 0, resumed.output
    assert listed(env)["compliance:WN1"]["suspended"] is False


def test_deadline_commands_refuse_nonsense_in_words(env):
    fails_with(run(env, "deadline", "extend", str(URN), STATEMENT, "--to", "2025-12-19",
                   "--reason", "Typo", "--by", "HSI"),
               "An extension moves the deadline later than 22 December 2025")
    fails_with(run(env, "deadline", "extend", str(URN), "visit:nope", "--to", "2026-05-01",
                   "--reason", "Typo", "--by", "HSI"),
               "There is no open deadline 'visit:nope' on this case file")
    fails_with(run(env, "deadline", "extend", str(URN), STATEMENT, "--to", "next week",
                   "--reason", "Typo", "--by", "HSI"),
               "'next week' is not a date")
    fails_with(run(env, "deadline", "resume", str(URN), STATEMENT, "--reason", "Why not",
                   "--by", "HSI"),
               f"Deadline {STATEMENT} is not suspended")
    assert run(env, "deadline", "suspend", str(URN), STATEMENT, "--reason", "Complaint",
               "--by", "HSI").exit_code == 0
    fails_with(run(env, "deadline", "suspend", str(URN), STATEMENT, "--reason", "Again",
                   "--by", "HSI"),
               f"Deadline {STATEMENT} is already suspended")
    fails_with(run(env, "deadline", "suspend", str(URN), "compliance:WN1", "--reason", " ",
                   "--by", "HSI"),
               "Enter the reason")
    fails_with(run(env, "deadline", "resume", str(URN), STATEMENT, "--reason", " ",
                   "--by", "HSI"),
               "Enter the reason")
    fails_with(run(env, "deadline", "resume", str(URN), STATEMENT, "--reason", "Done",
                   "--by", " "),
               "Say who is recording the entry")
    fails_with(run(env, "deadlines", "999999"), "No school with URN 999999 has a case file")
    fails_with(run(env, "deadlines", "Fengate"), "'Fengate' is not a URN")

    missing = run(env, "deadline", "extend", str(URN), STATEMENT, "--to", "2026-01-09",
                  "--by", "HSI")
    assert missing.exit_code == 2
    assert "Missing option '--reason'" in missing.stderr


def test_deadlines_follow_the_las_policy_file(env, tmp_path):
    """SCC_DEADLINE_POLICY: statement of action in 15 working days, due Wed 31 Dec 2025."""
    policy = tmp_path / "policy.toml"
    policy.write_text("statement_of_action_working_days = 15\nreminder_working_days = [3]\n")

    rows = listed({**env, "SCC_DEADLINE_POLICY": str(policy)})

    assert rows[STATEMENT]["due"] == "2025-12-31"
    assert rows[STATEMENT]["reminders"] == [{"on": "2025-12-24", "working_days_before": 3}]

    policy.write_text("statement_of_action_days = 15\n")
    fails_with(run({**env, "SCC_DEADLINE_POLICY": str(policy)}, "deadlines", str(URN)),
               f"{policy}: unknown key 'statement_of_action_days'")
