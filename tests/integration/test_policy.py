"""The LA's deadline policy: a TOML file named by SCC_DEADLINE_POLICY."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from adapters.bootstrap import build_case_files
from adapters.config import Settings
from adapters.policy import load_policy
from domain.deadlines import DeadlinePolicy
from tests.fakes import FixedClock

EXAMPLE = Path(__file__).resolve().parents[2] / "adapters" / "policies" / "example.toml"
FIELDS = [f.name for f in dataclasses.fields(DeadlinePolicy)]


def a_policy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_policy_documents_every_key_with_its_source_at_its_default():
    text = EXAMPLE.read_text(encoding="utf-8")

    assert load_policy(EXAMPLE) == DeadlinePolicy()
    for name in FIELDS:
        assert f"\n{name} = " in text
    assert text.count("# Source:") == len(FIELDS)
    assert text.count("Default:") == len(FIELDS)


def test_la_policy_overrides_the_keys_it_names_and_keeps_the_defaults_of_the_rest(tmp_path):
    path = a_policy(tmp_path, "reminder_working_days = [10, 3, 1]\n"
                              "statement_of_action_working_days = 15\n"
                              "review_months = [9, 1]\n")

    assert load_policy(path) == DeadlinePolicy(
        reminder_working_days=(10, 3, 1), statement_of_action_working_days=15,
        review_months=(9, 1),
    )
    assert load_policy(a_policy(tmp_path, "")) == DeadlinePolicy()


def test_la_policy_may_let_a_report_card_category_differ_from_its_grades(tmp_path):
    """Rule report-card-category, setting report_card_category_may_differ (default false)."""
    path = a_policy(tmp_path, "report_card_category_may_differ = true\n")

    assert load_policy(path) == DeadlinePolicy(report_card_category_may_differ=True)
    assert DeadlinePolicy().report_card_category_may_differ is False


def test_unknown_key_is_refused_naming_it(tmp_path):
    path = a_policy(tmp_path, "reminder_days = [5, 1]\n")

    with pytest.raises(ValueError, match="unknown key 'reminder_days'; a deadline policy has "
                                         "reminder_working_days, "):
        load_policy(path)


@pytest.mark.parametrize(("line", "message"), [
    ('statement_of_action_working_days = "ten"',
     "statement_of_action_working_days must be a whole number, not 'ten'"),
    ("statement_of_action_working_days = 0",
     "statement_of_action_working_days: statement of action working days must be at least 1"),
    ("visit_weeks_otherwise = 52.0", "visit_weeks_otherwise must be a whole number, not 52.0"),
    ("ieb_chase_weeks = true", "ieb_chase_weeks must be a whole number, not True"),
    ("reminder_working_days = 5", "reminder_working_days must be a list of whole numbers"),
    ("reminder_working_days = [5, 0]",
     "reminder_working_days: Reminders come at least one working day before a due date"),
    ("reminder_working_days = [5, 5]", "reminder_working_days repeats a number: [5, 5]"),
    ("review_months = [9, 13]", "review_months: Review months are numbers from 1 to 12"),
    ("review_months = []", "review_months: Review months are numbers from 1 to 12"),
    ("report_card_category_may_differ = 1",
     "report_card_category_may_differ must be true or false, not 1"),
    ('sign_off_from = "2026-09-01"', "sign_off_from must be a date, e.g. 2026-09-01"),
    ("sign_off_from = 2026-09-01T09:00:00", "sign_off_from must be a date"),
    ('sign_off_steps = ["warning notice", "visit"]',
     "sign_off_steps: Steps that need sign-off are among warning notice, notice of "
     "intervention, IEB application, category of concern, not visit"),
])
def test_bad_value_is_refused_naming_its_key(tmp_path, line, message):
    path = a_policy(tmp_path, line + "\n")

    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_policy(path)


def test_la_policy_sets_which_steps_need_sign_off_and_from_when(tmp_path):
    path = a_policy(tmp_path, 'sign_off_steps = ["warning notice"]\n'
                              "sign_off_from = 2027-01-04\nsign_off_working_days = 5\n")

    policy = load_policy(path)

    assert policy.sign_off_steps == ("warning notice",)
    assert policy.sign_off_from == date(2027, 1, 4)
    assert policy.sign_off_working_days == 5


def test_missing_or_malformed_policy_file_is_refused_in_words(tmp_path):
    with pytest.raises(ValueError, match="Cannot read the deadline policy .*nowhere.toml"):
        load_policy(tmp_path / "nowhere.toml")
    with pytest.raises(ValueError, match="not a TOML file"):
        load_policy(a_policy(tmp_path, "reminder_working_days = [5, 1\n"))


def test_settings_pass_the_la_policy_to_the_case_files(tmp_path):
    """SCC_DEADLINE_POLICY: the statement of action in 15 working days from Mon 8 Dec 2025
    is due Wed 31 Dec 2025 (22 Dec is the 10th; 23, 24, 29, 30, 31 the 11th to 15th)."""
    path = a_policy(tmp_path, "statement_of_action_working_days = 15\n")
    environ = {"SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'scc.sqlite3'}",
               "SCC_DEADLINE_POLICY": str(path)}
    settings = Settings.from_env(environ)
    assert settings.deadline_policy == path
    assert Settings.from_env({"SCC_DEADLINE_POLICY": " "}).deadline_policy is None

    case_files = build_case_files(settings, clock=FixedClock(datetime(2025, 12, 9, 9, tzinfo=UTC)))
    try:
        assert case_files.policy == DeadlinePolicy(statement_of_action_working_days=15)
        case_files.register_school(
            by="HSI", effective=date(2019, 9, 2), urn=110001, name="Fengate Primary School",
            phase="Primary", establishment_type="Community school", governance="maintained",
            la_code="874")
        inspection = case_files.record_inspection(
            110001, by="Ofsted import", published_on=date(2025, 12, 8),
            inspected_on=date(2025, 11, 4), overall=None, category="special measures")

        due = {d.key: d.due for d in case_files.deadlines(110001)}
        assert due[f"statement_of_action:{inspection}"] == date(2025, 12, 31)
    finally:
        case_files.close()


def test_without_a_policy_the_case_files_use_the_defaults(tmp_path):
    settings = Settings.from_env({"SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'scc.sqlite3'}"})
    case_files = build_case_files(settings, clock=FixedClock())
    try:
        assert settings.deadline_policy is None
        assert case_files.policy == DeadlinePolicy()
    finally:
        case_files.close()
