"""A school with a long case file, recorded through the application's own commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from application.case_files import SchoolCaseFiles

BY = "benchmark"


def build_school(case_files: SchoolCaseFiles, urn: int, events: int,
                 start: date = date(2015, 1, 5)) -> list[date]:
    """Records a maintained school in category 4 whose MSP group meets fortnightly (schedule, hold
    with two actions, complete both; a category review every 20 meetings), through
    the application's backdated commands, until it has exactly ``events`` entries; returns each
    entry's effective date."""
    day, dates = start, []

    def record(command: Callable[..., object], **fields: object) -> None:
        if len(dates) < events:
            effective = fields.pop("effective", day)
            command(urn, by=BY, effective=effective, **fields)
            dates.append(effective)

    case_files.register_school(
        by=BY, effective=day, urn=urn, name=f"Benchmark School {urn}", phase="Primary",
        establishment_type="Community school", governance="maintained", la_code="874",
        pupils=320, opened_on=date(1998, 9, 1))
    dates.append(day)
    record(case_files.change_category, to="3b", reason="Falling outcomes")
    record(case_files.raise_concern, ground="standards", description="KS2 results fell")
    record(case_files.communicate_concern, concern_id="C1", recipient="headteacher")
    record(case_files.change_category, to="4", reason="Safeguarding gaps")
    record(case_files.establish_msp_group, members=["LA adviser", "Chair"], cadence_weeks=2)
    for cycle in range(1, events):
        if len(dates) >= events:
            break
        if cycle % 20 == 0:
            record(case_files.change_category, to="3b" if cycle % 40 else "4", reason="Review")
        meeting = f"M{cycle}"
        record(case_files.schedule_msp_meeting, meets_on=day + timedelta(days=7))
        record(case_files.hold_msp_meeting, effective=day + timedelta(days=7), meeting_id=meeting,
               attendees=["LA adviser", "Chair", "Headteacher"], minutes=f"Meeting {cycle}",
               actions=[{"description": "Update the action plan", "owner": "Headteacher",
                         "due": day + timedelta(days=35)},
                        {"description": "Audit safeguarding records", "owner": "Chair",
                         "due": day + timedelta(days=35)}])
        for action in (2 * cycle - 1, 2 * cycle):
            record(case_files.complete_msp_action, effective=day + timedelta(days=14),
                   action_id=f"A{action}", note="Done")
        day += timedelta(days=14)
    return dates
