"""Replaying a case file's stored events gives back the state it had when they were recorded."""

from __future__ import annotations

import copy
import functools
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain.areas.concerns import CONCERN_GROUNDS
from domain.areas.eligibility import ELIGIBILITY_ROUTES, POWERS
from domain.case_file import Entry, SchoolCaseFile
from domain.errors import CaseFileError
from domain.ofsted import framework_on
from domain.status import fold
from tests.unit.builders import HEAD, PETERBOROUGH, WORKING_DAYS, school_details

LAST_DAY = date(2026, 11, 23)
FIRST_RECORDED_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Commands:
    """Each command draws its own arguments; many are refused by a rule, which is the point:
    a refused command must record nothing."""

    def __init__(self, case_file: SchoolCaseFile, data: st.DataObject) -> None:
        self.case_file, self.data = case_file, data

    def draw(self, strategy: st.SearchStrategy[Any]) -> Any:
        return self.data.draw(strategy)

    def some_id(self, prefix: str, known: list[str]) -> str:
        return self.draw(st.sampled_from([*known * 4, f"{prefix}99"]))

    def raise_concern(self, when: Entry) -> None:
        self.case_file.raise_concern(
            when=when, ground=self.draw(st.sampled_from(CONCERN_GROUNDS)),
            description="Attendance has fallen", evidence="Termly data",
        )

    def resolve_concern(self, when: Entry) -> None:
        self.case_file.resolve_concern(
            when=when, concern_id=self.some_id("C", list(self.case_file.state.concerns)),
            outcome="Improved",
        )

    def change_category(self, when: Entry) -> None:
        self.case_file.change_category(
            when=when, scheme=PETERBOROUGH, to=self.draw(st.sampled_from(PETERBOROUGH.codes)),
            reason="Termly review",
        )

    def record_inspection(self, when: Entry) -> None:
        inspected_on = when.effective - timedelta(days=self.draw(st.integers(0, 40)))
        framework = framework_on(inspected_on)
        overall = self.draw(st.sampled_from([None, *framework.overall_grades]))
        category = self.draw(st.sampled_from([None, *framework.categories]))
        report_card = {}
        if framework.areas:
            report_card = {framework.areas[0]: self.draw(st.sampled_from(
                framework.report_card_grades))}
        safeguarding = framework.safeguarding and self.draw(st.sampled_from([None, "met"]))
        self.case_file.record_inspection(
            when=when, inspected_on=inspected_on, overall=overall, category=category,
            report_card=report_card, safeguarding=safeguarding or None,
        )

    def issue_warning_notice(self, when: Entry) -> None:
        section = self.draw(st.sampled_from(["s60", "s60", "s60A"]))
        self.case_file.issue_warning_notice(
            when=when, working_days=WORKING_DAYS,
            grounds=self.draw(st.sampled_from([["a"], ["b", "c"]])) if section == "s60" else [],
            matters="Results", required_actions="A plan", minded_action="An IEB",
            compliance_period=self.draw(st.sampled_from([None, 10, 30])), section=section,
            issuer=self.draw(st.sampled_from(["local authority", "secretary of state"])),
            with_secretary_of_state_agreement=self.draw(st.booleans()),
        )

    def advance_warning_notice(self, when: Entry) -> None:
        notices = self.case_file.state.warning_notices
        notice_id = self.some_id("WN", list(notices))
        notice = notices.get(notice_id)
        if notice is not None and notice.complied is False:
            self.case_file.give_intervention_notice(
                when=when, notice_id=notice_id, proposed_action="Additional governors",
                proposed_powers=["s64"], working_days=WORKING_DAYS,
            )
        else:
            self.case_file.record_compliance(
                when=when, notice_id=notice_id, complied=self.draw(st.booleans()),
                evidence="Governors' minutes",
            )

    def record_coasting(self, when: Entry) -> None:
        self.case_file.record_coasting(when=when, basis="Coasting definition met",
                                       notified_on=when.effective)

    def end_eligibility(self, when: Entry) -> None:
        self.case_file.end_eligibility(
            when=when, route=self.draw(st.sampled_from(
                [*self.case_file.state.eligibility, *ELIGIBILITY_ROUTES])),
            reason="Removed from category",
        )

    def exercise_power(self, when: Entry) -> None:
        self.case_file.exercise_power(
            when=when, power=self.draw(st.sampled_from(list(POWERS))), details="As minuted"
        )

    def advance_ieb_application(self, when: Entry) -> None:
        state = self.case_file.state
        application = state.ieb_application_in_progress
        if application is None:
            self.case_file.draft_ieb_application(when=when, rationale="Weak governance")
        elif application.stage == "drafted" and "governing body" not in application.consultations:
            self.case_file.record_ieb_consultation(
                when=when, application_id=application.application_id,
                consultee="governing body", response="Opposed",
            )
        elif application.stage == "drafted":
            self.case_file.submit_ieb_application(
                when=when, application_id=application.application_id
            )
        elif application.stage == "submitted":
            consent = self.draw(st.booleans())
            self.case_file.record_ieb_decision(
                when=when, application_id=application.application_id, consent=consent,
                reason="" if consent else "Academy order instead",
            )
        else:
            self.case_file.constitute_ieb(
                when=when, application_id=application.application_id,
                members=["Ann Chair", "Bob Finance"], instrument_on=when.effective,
                terms="Unpaid; two years",
            )

    def end_ieb(self, when: Entry) -> None:
        self.case_file.end_ieb(when=when, reason="Governing body reconstituted")

    def establish_msp_group(self, when: Entry) -> None:
        self.case_file.establish_msp_group(when=when, members=["HSI", "Chair"], cadence_weeks=6)

    def schedule_msp_meeting(self, when: Entry) -> None:
        meets_on = when.effective + timedelta(days=self.draw(st.integers(0, 42)))
        self.case_file.schedule_msp_meeting(when=when, meets_on=meets_on)

    def hold_msp_meeting(self, when: Entry) -> None:
        group = self.case_file.state.msp
        scheduled = [m for m in group.meetings if group.meetings[m].status == "scheduled"] \
            if group else []
        self.case_file.hold_msp_meeting(
            when=when, attendees=["HSI"], minutes="Progress reviewed",
            actions=[{"description": "Review the plan", "owner": "Head",
                      "due": when.effective + timedelta(days=14)}],
            meeting_id=self.draw(st.sampled_from([None, *scheduled])),
        )

    def complete_msp_action(self, when: Entry) -> None:
        self.case_file.complete_msp_action(
            when=when, action_id=self.some_id("A", list(self.case_file.state.msp_actions))
        )

    def close_msp_group(self, when: Entry) -> None:
        self.case_file.close_msp_group(when=when, reason="Out of category")

    def change_details(self, when: Entry) -> None:
        self.case_file.change_details(
            when=when, changes={"pupils": self.draw(st.integers(50, 600))}
        )

    def retract_entry(self, when: Entry) -> None:
        version = self.draw(st.integers(1, len(self.case_file.entries)))
        self.case_file.retract_entry(when=when, version=version, reason="Recorded in error")

    def amend_entry(self, when: Entry) -> None:
        version = self.draw(st.integers(1, len(self.case_file.entries)))
        entry = self.case_file.entries[version - 1]
        field = self.draw(st.sampled_from([*type(entry).amendable, "effective"]))
        self.case_file.amend_entry(
            when=when, version=version, changes={field: "Corrected wording"}, reason="Typo"
        )


COMMANDS = [name for name in vars(Commands) if not name.startswith(("_", "draw", "some_"))]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_replaying_the_first_events_gives_the_state_after_the_command_that_recorded_them(data):
    registered_on = data.draw(st.dates(date(2008, 1, 1), date(2020, 12, 31)), "registered on")
    recorded_at = FIRST_RECORDED_AT
    case_file = SchoolCaseFile.register(
        when=Entry(registered_on, HEAD, recorded_at),
        details=school_details(
            governance=data.draw(st.sampled_from(["maintained", "maintained", "academy"]))
        ),
    )
    commands = Commands(case_file, data)
    events = list(case_file.collect_events())
    state_after = {len(events): copy.deepcopy(case_file.state)}
    day = registered_on

    for _ in range(data.draw(st.integers(10, 40), "commands")):
        day = min(day + timedelta(days=data.draw(st.integers(0, 120))), LAST_DAY)
        effective = day
        if data.draw(st.integers(0, 5)) == 0:  # now and then, an entry recorded late
            effective = max(registered_on, day - timedelta(days=data.draw(st.integers(1, 90))))
        recorded_at += timedelta(minutes=1)
        name = data.draw(st.sampled_from(COMMANDS))
        state_before = copy.deepcopy(case_file.state)
        try:
            getattr(commands, name)(Entry(effective, HEAD, recorded_at))
        except CaseFileError:
            event(f"refused: {name}")
            # Check a refused command records nothing and leaves the state alone
            assert case_file.pending_events == []
            assert case_file.state == state_before
            continue
        event(f"accepted: {name}")
        events.extend(case_file.collect_events())
        state_after[len(events)] = copy.deepcopy(case_file.state)

    # Check the incrementally kept state is the fold of the entries
    assert case_file.state == fold(case_file.entries)
    assert len(events) == case_file.version
    for n, expected in state_after.items():
        # Check replaying the first n stored events gives the state after the nth was recorded
        replayed = functools.reduce(lambda aggregate, e: e.mutate(aggregate), events[:n], None)
        assert replayed.version == n
        assert replayed.state == expected
        assert fold(events[:n]) == expected


def test_replay_keeps_up_with_each_event_as_it_is_applied():
    """The state kept entry by entry equals the fold of the same entries at every step."""
    start = date(2023, 9, 4)
    case_file = SchoolCaseFile.register(
        when=Entry(start, HEAD, FIRST_RECORDED_AT), details=school_details()
    )
    case_file.change_category(when=Entry(date(2024, 1, 8), HEAD, FIRST_RECORDED_AT),
                              scheme=PETERBOROUGH, to="4", reason="Autumn review")
    case_file.change_category(when=Entry(date(2023, 12, 1), HEAD, FIRST_RECORDED_AT),
                              scheme=PETERBOROUGH, to="3b", reason="Late entry")
    case_file.raise_concern(when=Entry(date(2024, 2, 1), HEAD, FIRST_RECORDED_AT),
                            ground="finance", description="Deficit", evidence="")
    events = case_file.collect_events()

    replayed = None
    for n, stored in enumerate(events, start=1):
        replayed = stored.mutate(replayed)
        assert replayed.state == fold(events[:n])
    assert [c.category for c in replayed.state.categories] == ["3b", "4"]
