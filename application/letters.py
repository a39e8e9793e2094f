"""What each statutory letter says, in words, from the entry that records its step: the
facts a letter template fills in (the template holds the LA's prose)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.areas.documents import LETTERS
from domain.areas.eligibility import ELIGIBILITY_ROUTES, proposal_words
from domain.areas.register import (
    DIOCESAN_AUTHORITY,
    FOUNDATION_APPOINTER,
    GOVERNING_BODY,
    consultee_named,
    consultees,
    describe_category,
)
from domain.areas.warning_notices import (
    CONTENTS,
    COPIES,
    FIXED_PERIOD,
    GROUNDS,
    INTERVENTION_NOTICE,
    ISSUER_SETS_PERIOD,
    REPRESENTATIONS,
    S60A_LA_ONLY,
    WARNING_NOTICE_GROUNDS,
    WARNING_NOTICE_SECTIONS,
    copy_names,
)
from domain.calendar import WorkingDayCalendar
from domain.case_file import SchoolCaseFile
from domain.errors import CaseFileError
from domain.wording import long_date

S60A_GROUND = (
    "the governing body has failed to comply with a provision of an order under section 122 "
    "of the Education Act 2002 (teachers' pay and conditions) that applies to a teacher at "
    "the school, or has failed to secure that the head teacher complies with such a provision"
)
"""s60A(2)(a) and (b): the record of an s60A notice does not say which of the two."""

S60A_AMENDED_SOURCE = (
    "Education and Inspections Act 2006 s60A, as amended by the Education and Adoption Act "
    "2016 s3 (the notice sets its compliance period)"
)
S60A_REPRESENTATIONS_SOURCE = (
    "Education and Inspections Act 2006 s60A(7), (8) as inserted by the Apprenticeships, "
    "Skills, Children and Learning Act 2009; removed by the Education and Adoption Act 2016 s3"
)

RECIPIENTS = {
    "chair of governors": "Chair of Governors",
    "headteacher": "Headteacher",
    GOVERNING_BODY: "Chair of Governors",
    DIOCESAN_AUTHORITY: "Diocesan Authority",
    FOUNDATION_APPOINTER: "Appointer of the Foundation Governors",
}
"""How each recipient the record names is addressed in a letter."""


@dataclass(frozen=True)
class Letterhead:
    """The LA's own details at the head and foot of every letter, from its template folder."""

    authority: str
    address: tuple[str, ...]
    signatory: str
    signatory_role: str
    phone: str = ""
    email: str = ""
    website: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", tuple(self.address))
        for name in ("authority", "signatory", "signatory_role"):
            if not str(getattr(self, name) or "").strip():
                raise ValueError(f"The letterhead needs the {name.replace('_', ' ')}")


def letter_context(case_file: SchoolCaseFile, kind: str, rests_on: int, *,
                   recipient: str | None, letterhead: Letterhead,
                   calendar: WorkingDayCalendar, dated: date,
                   letter_id: str | None = None) -> dict[str, Any]:
    """The words of a letter of ``kind`` produced from entry ``rests_on``, dated ``dated``,
    to ``recipient`` (a consultee, for an IEB consultation letter; None otherwise): plain
    strings and lists of strings for a template. Refused in words, before anything is
    written, if the record has no such step or the letter cannot be produced from it
    (``SchoolCaseFile.letter_to_produce``). ``letter_id`` goes in the reference if known."""
    source = case_file.letter_to_produce(kind, rests_on, recipient=recipient, dated=dated)
    state = case_file.view(as_at=dated)  # what the record says on the letter's date
    school = state.school
    title = LETTERS[kind].title
    words = _WORDS[LETTERS[kind].rests_on]
    letter = words(case_file, state, source, kind=kind, recipient=recipient, calendar=calendar,
                   dated=dated)
    addressed_to = letter.pop("addressed_to", None)
    reference = f"URN {school.urn} / {letter.pop('item')}"
    return {
        "kind": kind,
        "title": title,
        "dated": long_date(dated),
        "reference": reference + (f" / {letter_id}" if letter_id else ""),
        "authority": {
            "name": letterhead.authority, "address": list(letterhead.address),
            "phone": letterhead.phone, "email": letterhead.email,
            "website": letterhead.website,
        },
        "signatory": {"name": letterhead.signatory, "role": letterhead.signatory_role},
        "school": {
            "name": school.name, "urn": str(school.urn),
            "category": describe_category(school),
            "address": [],  # the register keeps no address (GIAS's address columns are not kept)
        },
        "recipient": None if addressed_to is None else {
            "name": f"The {addressed_to}",
            "lines": [f"The {addressed_to}", school.name],
            "salutation": f"Dear {addressed_to}",
        },
        "letter": letter,
        "pdf_title": f"{title}: {school.name} (URN {school.urn})",
        "pdf_author": letterhead.authority,
    }


# Each kind of step, in words ----------------------------------------------------------------

def _warning_notice(case_file: SchoolCaseFile, state: Any, e: Any, *, kind: str,
                    recipient: str | None, calendar: WorkingDayCalendar, **_: Any
                    ) -> dict[str, Any]:
    if e.issuer != "local authority":
        raise CaseFileError(
            f"Warning notice {e.notice_id} was given by the {e.issuer}: the local authority "
            "does not write it, so scc produces no letter for it", field="rests_on")
    text = _as_amended(case_file, e)
    given_on = e.effective
    fixed_period = FIXED_PERIOD.in_force_on(given_on)
    if e.section == "s60":
        sources = [GROUNDS.source, CONTENTS.source,
                   FIXED_PERIOD.source if fixed_period else ISSUER_SETS_PERIOD.source,
                   COPIES.source]
    else:
        sources = [S60A_LA_ONLY.source]
        if not fixed_period:
            sources.append(S60A_AMENDED_SOURCE)
    representations = None
    if fixed_period and e.section == "s60":
        sources.append(REPRESENTATIONS.source)
        representations = (
            "The governing body may make representations to the Chief Inspector (Ofsted) "
            "against this notice within the initial period of 15 working days, ending on "
            f"{long_date(e.compliance_date)}.")
    elif fixed_period:
        sources.append(S60A_REPRESENTATIONS_SOURCE)
        representations = (
            "The governing body may make representations to the local authority against this "
            "notice within the initial period of 15 working days, ending on "
            f"{long_date(e.compliance_date)}.")
    missing = e.copies_missing
    return {
        "item": e.notice_id,
        "addressed_to": RECIPIENTS["chair of governors"],
        "notice_id": e.notice_id,
        "section": e.section,
        "kind_of_notice": _sentence(WARNING_NOTICE_SECTIONS[e.section]),
        "given_on": long_date(given_on),
        "grounds": [f"({g}) {WARNING_NOTICE_GROUNDS[g]}" for g in e.grounds]
        if e.section == "s60" else [S60A_GROUND],
        "matters": _paragraphs(text["matters"]),
        "required_actions": _paragraphs(text["required_actions"]),
        "compliance_period": f"{e.compliance_period} working days",
        "compliance_days": str(e.compliance_period),
        "compliance_starts": long_date(calendar.add_working_days(given_on, 1)),
        "compliance_date": long_date(e.compliance_date),
        "comply_by_date": bool(getattr(e, "comply_by_date", False)),
        "fixed_period": fixed_period,
        "minded_action": _paragraphs(text["minded_action"]),
        "copies_to": list(e.copies_to),
        "copies_not_recorded": None if missing is None else copy_names(missing),
        "representations": representations,
        "statutory_basis": sources,
    }


def _intervention_notice(case_file: SchoolCaseFile, state: Any, e: Any, **_: Any
                         ) -> dict[str, Any]:
    notice = state.warning_notices[e.notice_id]
    powers = e.proposed_powers
    return {
        "item": e.notice_id,
        "addressed_to": RECIPIENTS["chair of governors"],
        "notice_id": e.notice_id,
        "warning_notice": _sentence(WARNING_NOTICE_SECTIONS[notice.section]),
        "warning_notice_given_on": long_date(notice.issued_on),
        "compliance_date": long_date(notice.compliance_date),
        "compliance_recorded_on": _day(notice.compliance_recorded_on),
        "given_on": long_date(e.effective),
        "proposed_powers": [] if powers is None else [
            _sentence(proposal_words(p)) for p in powers],
        "powers_from": _day(e.powers_from),
        "proposed_action": _paragraphs(_as_amended(case_file, e)["proposed_action"]),
        "statutory_basis": [INTERVENTION_NOTICE.source],
    }


def _letter_of_concern(case_file: SchoolCaseFile, state: Any, e: Any, **_: Any
                       ) -> dict[str, Any]:
    raised = {c.concern_id: c for c in case_file.entries
              if type(c).__name__ == "ConcernRaised"}
    concerns = []
    for concern_id in e.concern_ids:
        entry = raised[concern_id]
        text = _as_amended(case_file, entry)
        concerns.append({
            "concern_id": concern_id, "ground": _sentence(entry.ground),
            "raised_on": long_date(entry.effective),
            "description": _paragraphs(text["description"]),
            "evidence": _paragraphs(text["evidence"]),
        })
    return {
        "item": e.letter_id,
        "addressed_to": RECIPIENTS[e.recipient],
        "letter_id": e.letter_id,
        "sent_on": long_date(e.effective),
        "concerns": concerns,
        "summary": _paragraphs(_as_amended(case_file, e)["summary"]),
    }


def _ieb_application(case_file: SchoolCaseFile, state: Any, e: Any, *, kind: str,
                     recipient: str | None, dated: date, **_: Any) -> dict[str, Any]:
    application = e.application_id
    recorded = [c for c in case_file.entries
                if type(c).__name__ == "IEBConsultationRecorded"
                and c.application_id == application
                and c.originator_version not in state.retracted and c.effective <= dated]
    consultations = [{
        "consultee": _sentence(consultee_named(c.consultee)),
        "recorded_on": long_date(c.effective),
        "response": _paragraphs(_as_amended(case_file, c)["response"]),
    } for c in recorded]
    consulted = {consultee_named(c.consultee) for c in recorded}
    notices = [_notice_history(n) for n in sorted(state.warning_notices.values(),
                                                  key=lambda n: n.issued_on)]
    words: dict[str, Any] = {
        "item": application,
        "application_id": application,
        "drafted_on": long_date(e.effective),
        "rationale": _paragraphs(_as_amended(case_file, e)["rationale"]),
        "eligibility": [
            f"{_sentence(ELIGIBILITY_ROUTES.get(route, route))}, since "
            f"{long_date(eligible.since)}" + (f": {eligible.basis}" if eligible.basis else "")
            for route, eligible in state.eligibility.items()],
        "consultees": [_sentence(c) for c in consultees(state.school)],
        "consultations": consultations,
        "not_yet_consulted": [_sentence(c) for c in consultees(state.school)
                              if c not in consulted],
        "warning_notices": notices,
        "statutory_basis": ["Education and Inspections Act 2006 s65 and Schedule 6"],
    }
    if LETTERS[kind].to_consultees:
        words["addressed_to"] = RECIPIENTS[recipient]
        words["consultee"] = recipient
    else:
        words["addressed_to"] = "Secretary of State for Education"
    return words


def _msp_minutes(case_file: SchoolCaseFile, state: Any, e: Any, **_: Any) -> dict[str, Any]:
    return {
        "item": e.meeting_id,
        "meeting_id": e.meeting_id,
        "held_on": long_date(e.effective),
        "attendees": list(e.attendees),
        "minutes": _paragraphs(_as_amended(case_file, e)["minutes"]),
        "actions": [{"action_id": a["action_id"], "description": a["description"],
                     "owner": a["owner"], "due": long_date(a["due"])} for a in e.actions],
        "recorded_by": e.by,
    }


_WORDS = {
    "WarningNoticeIssued": _warning_notice,
    "InterventionNoticeGiven": _intervention_notice,
    "LetterOfConcernSent": _letter_of_concern,
    "IEBApplicationDrafted": _ieb_application,
    "MSPMeetingHeld": _msp_minutes,
}


# Helpers ------------------------------------------------------------------------------------

def _notice_history(notice: Any) -> str:
    grounds = ", ".join(f"({g})" for g in notice.grounds) or "teachers' pay and conditions"
    words = (f"Warning notice {notice.notice_id} ({notice.section}), given on "
             f"{long_date(notice.issued_on)} on grounds {grounds}; compliance period of "
             f"{notice.compliance_period} working days ending on "
             f"{long_date(notice.compliance_date)}: {notice.status}")
    if notice.compliance_recorded_on is not None:
        words += f" (recorded on {long_date(notice.compliance_recorded_on)})"
    if notice.intervention_notice_on is not None:
        words += f"; notice of intervention given on {long_date(notice.intervention_notice_on)}"
    return words


def _as_amended(case_file: SchoolCaseFile, entry: Any) -> dict[str, str]:
    """The entry's amendable wording as it now reads, after any amendments (corrections)."""
    text = {name: getattr(entry, name) or "" for name in type(entry).amendable}
    for correction in case_file.state.corrections.get(entry.originator_version, []):
        if correction.kind == "amended":
            text.update({k: v for k, v in correction.changes.items() if k in text})
    return text


def _paragraphs(text: str) -> list[str]:
    """Text as written, a paragraph for each line that has words."""
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _day(day: date | None) -> str | None:
    return None if day is None else long_date(day)
