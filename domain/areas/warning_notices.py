"""Warning notices (Education and Inspections Act 2006 s60, and s60A on teachers' pay and
conditions): giving one, the governing body's compliance, withdrawal, supersession by the
Secretary of State's notice, and the notice of intervention that follows a failure to comply.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.areas.core import (
    CaseFileCore,
    CaseFileEvent,
    Entry,
    names,
    require_choice,
    require_text,
)
from domain.areas.eligibility import PROPOSABLE_POWERS
from domain.areas.register import DIOCESAN_AUTHORITY, FOUNDATION_APPOINTER, School, consultees
from domain.calendar import WorkingDayCalendar
from domain.deadlines import DeadlinePolicy
from domain.errors import CaseFileError
from domain.rules import Rule
from domain.wording import long_date

TITLE = "Warning notices"

WARNING_NOTICE_GROUNDS = {
    "a": "standards of performance are unacceptably low and likely to remain so",
    "b": "a serious breakdown in management or governance is prejudicing, "
    "or likely to prejudice, standards",
    "c": "the safety of pupils or staff is threatened",
}
"""s60(2)(a)-(c)."""

WARNING_NOTICE_SECTIONS = {
    "s60": "performance standards and safety warning notice (s60)",
    "s60A": "teachers' pay and conditions warning notice (s60A)",
}
ISSUERS = ("local authority", "secretary of state")
"""s60 as amended by the Education and Adoption Act 2016 (from 18 April 2016): either may give
an s60 notice. An s60A notice is the local authority's alone (s60A, inserted by the
Apprenticeships, Skills, Children and Learning Act 2009, from 12 January 2010)."""

FIXED_PERIOD_RULES_END = date(2016, 4, 18)
FIXED_COMPLIANCE_PERIOD = 15
SOS_NOTICES_FROM = date(2016, 4, 18)
S60A_FROM = date(2010, 1, 12)

COPY_RECIPIENTS = {
    "headteacher": ("headteacher", ("head",)),
    "chief inspector": ("Chief Inspector (Ofsted)", ("ofsted", "chief inspector", "hmci")),
    DIOCESAN_AUTHORITY: ("diocesan authority", ("diocese", "diocesan")),
    FOUNDATION_APPOINTER: ("foundation governors' appointer", ("foundation",)),
    "secretary of state": ("Secretary of State", (
        "secretary of state", "regional director", "department for education", "dfe")),
    "local authority": ("local authority", ("local authority", "council")),
}
"""Each recipient a warning notice may have to be copied to (s60(6)-(6B)): its name as the
form offers it, and the words that, found in a line of ``copies_to``, count as that
recipient (a line "Ofsted" is a copy to the Chief Inspector)."""

# Rules --------------------------------------------------------------------------------------

GROUNDS = Rule(
    "s60-grounds", "A warning notice rests on a ground of s60(2)",
    "An s60 warning notice rests on one or more of: (a) standards unacceptably low and likely "
    "to remain so; (b) a serious breakdown in management or governance prejudicing standards; "
    "(c) the safety of pupils or staff threatened. An s60A notice rests on pay and conditions "
    "instead.",
    "Education and Inspections Act 2006 s60(2)",
)
CONTENTS = Rule(
    "s60-contents", "What a warning notice states",
    "A warning notice states the matters it is based on, the action required, the compliance "
    "period and the action the authority is minded to take.",
    "Education and Inspections Act 2006 s60(4), as amended by the Education and Adoption Act "
    "2016 s2",
)
FIXED_PERIOD = Rule(
    "fixed-compliance-period", "A fixed period before 18 April 2016",
    "A warning notice given before 18 April 2016 gives the governing body 15 working days, "
    "beginning with the day after the notice is given.",
    "Education and Inspections Act 2006 s60(1)(b) as enacted; SI 2016/466 reg 4",
    applies_until=date(2016, 4, 17),
)
ISSUER_SETS_PERIOD = Rule(
    "issuer-sets-period", "The issuer sets the period",
    "From 18 April 2016 the notice sets its own compliance period, of at least one working "
    "day.",
    "Education and Inspections Act 2006 s60(1)(b), as substituted by the Education and "
    "Adoption Act 2016 s2", applies_from=date(2016, 4, 18),
)
S60A_LA_ONLY = Rule(
    "s60a-local-authority-only", "Only the LA gives a pay and conditions notice",
    "A teachers' pay and conditions warning notice (s60A) is given by the local authority "
    "alone.",
    "Education and Inspections Act 2006 s60A, inserted by the Apprenticeships, Skills, "
    "Children and Learning Act 2009 Sch 13 para 4", applies_from=S60A_FROM,
)
AGREEMENT_AFTER_SOS_NOTICE = Rule(
    "s60-4A-agreement", "The LA needs the Secretary of State's agreement after their notice",
    "Once the Secretary of State has given a warning notice, the local authority may give an "
    "s60 notice only with the Secretary of State's agreement.",
    "Education and Inspections Act 2006 s60(4A)", applies_from=date(2016, 4, 18),
)
SOS_NOTICE_SUPERSEDES = Rule(
    "s60-4B-supersedes", "The Secretary of State's notice supersedes the LA's",
    "When the Secretary of State gives a warning notice, every earlier s60 notice of the "
    "local authority ceases to have effect, whether open, complied with or not complied "
    "with: no notice of intervention can follow on it afterwards. Eligibility for "
    "intervention already created by a notice of intervention given before then stands: "
    "s60(4B) ends the notice, it does not undo what the notice had already done.",
    "Education and Inspections Act 2006 s60(4B)", applies_from=date(2016, 4, 18),
)
FAILURE_AFTER_PERIOD = Rule(
    "failure-after-period", "Failure to comply only after the period",
    "A failure to comply can be recorded only after the compliance period has ended.",
    "Education and Inspections Act 2006 s60(1)(b)-(c)",
)
SOS_NOTICES_IN_FORCE = Rule(
    "s60-sos-notice-from-2016", "The Secretary of State's notices only from 18 April 2016",
    "The Secretary of State may give an s60 warning notice only from 18 April 2016; before "
    "then only the local authority could.",
    "Education and Inspections Act 2006 s60(1), as amended by the Education and Adoption Act "
    "2016 s2(2)(a); SI 2016/466 reg 2", applies_from=SOS_NOTICES_FROM,
)
S60A_IN_FORCE = Rule(
    "s60a-from-2010", "Pay and conditions notices only from 12 January 2010",
    "A teachers' pay and conditions warning notice (s60A) can be given only from 12 January "
    "2010, when s60A came into force.",
    "Education and Inspections Act 2006 s60A, inserted by the Apprenticeships, Skills, "
    "Children and Learning Act 2009 Sch 13 para 4; SI 2009/3317",
    applies_from=S60A_FROM,
)
COMPLIANCE_BY_DATE = Rule(
    "compliance-by-date", "A compliance period given as a date",
    "From 18 April 2016 a notice may set its compliance period as a date (\"comply by 13 March "
    "2026\"); the period is then the working days after the notice is given up to and "
    "including that date, which must be a working day after the day the notice is given. A "
    "date that is not a working day is refused rather than moved, so that the record never "
    "says a different day from the notice: enter the working day the notice gives.",
    "Education and Inspections Act 2006 s60(1)(b), (4)(c), as amended by the Education and "
    "Adoption Act 2016 s2", applies_from=FIXED_PERIOD_RULES_END,
)
REPRESENTATIONS = Rule(
    "s60-representations-to-ofsted", "Representations to Ofsted on a notice before 18 April 2016",
    "On an s60 notice given before 18 April 2016 the governing body could make representations "
    "to the Chief Inspector (Ofsted) within the initial period of 15 working days. While they "
    "are undecided the notice cannot be acted on (no failure to comply recorded, no notice of "
    "intervention); if Ofsted does not confirm the notice, it is never acted on.",
    "Education and Inspections Act 2006 s60(1)(c), (7), (8) as enacted; SI 2016/466 reg 4",
    applies_until=date(2016, 4, 17),
    unconfirmed="The exact text of s60(10) as enacted (how the compliance period ran after "
    "representations) was not found; scc keeps the initial 15 working days as the compliance "
    "period and holds any failure until Ofsted confirms the notice.",
)
COPIES = Rule(
    "s60-copies", "Who gets a copy of a warning notice",
    "A copy of a warning notice goes to the headteacher, the Chief Inspector (Ofsted), for a "
    "Church of England or Roman Catholic foundation or voluntary school the diocesan "
    "authority, for any other foundation or voluntary school the person who appoints the "
    "foundation governors, and from 18 April 2016 the other issuer (the Secretary of State "
    "for the local authority's notice, the local authority for the Secretary of State's). A "
    "notice whose recorded copies leave out one of them is still recorded (it was given), "
    "with a warning on its timeline entry naming the copy not recorded.",
    "Education and Inspections Act 2006 s60(6), (6A), (6B)", kind="statute",
    unconfirmed="The recipients in s60(6)-(6B) were not found in a primary text; the LA's "
    "policy file may change which kinds of recipient are required.",
    setting="warning_notice_copies",
)
INTERVENTION_NOTICE = Rule(
    "s60-1d-intervention-notice", "Notice of intervention after a failure",
    "After the governing body fails to comply, the authority gives reasonable written notice "
    "that it proposes to use its powers; the school is then eligible for intervention.",
    "Education and Inspections Act 2006 s60(1)(d)",
)

RULES = (GROUNDS, CONTENTS, FIXED_PERIOD, ISSUER_SETS_PERIOD, COMPLIANCE_BY_DATE,
         S60A_LA_ONLY, S60A_IN_FORCE, SOS_NOTICES_IN_FORCE, AGREEMENT_AFTER_SOS_NOTICE,
         SOS_NOTICE_SUPERSEDES, COPIES, REPRESENTATIONS, FAILURE_AFTER_PERIOD,
         INTERVENTION_NOTICE)


def period_and_end(
    given_on: date, period: int | None, working_days: WorkingDayCalendar,
    comply_by: date | None = None,
) -> tuple[int, date]:
    """The compliance period and the day it ends, for a warning notice given on ``given_on``.

    s60(4)(c) and SI 2016/466: from 18 April 2016 the issuer sets the period, as a number of
    working days or as a date (``comply_by``, COMPLIANCE_BY_DATE); before then it was "the day
    on which the notice is given and ending with the fifteenth working day following that
    day". Both count statutory working days after the day of giving.
    """
    if comply_by is not None:
        if given_on < FIXED_PERIOD_RULES_END:
            COMPLIANCE_BY_DATE.refuse(
                "A warning notice given before 18 April 2016 has a fixed compliance period of "
                f"{FIXED_COMPLIANCE_PERIOD} working days; leave the compliance date empty",
                field="compliance_date")
        if period is not None:
            raise CaseFileError("Give the compliance period either as working days or as a "
                                "date, not both", field="compliance_date")
        if comply_by <= given_on:
            COMPLIANCE_BY_DATE.refuse(
                f"The compliance date must be after the day the notice is given: enter a date "
                f"after {long_date(given_on)}", field="compliance_date")
        if not working_days.is_working_day(comply_by):
            COMPLIANCE_BY_DATE.refuse(
                f"{long_date(comply_by)} is not a working day; enter the working day the "
                "notice gives as the last day to comply", field="compliance_date")
        return working_days.working_days_between(given_on, comply_by), comply_by
    if given_on < FIXED_PERIOD_RULES_END:
        if period not in (None, FIXED_COMPLIANCE_PERIOD):
            FIXED_PERIOD.refuse(
                f"A warning notice given before 18 April 2016 has a fixed compliance period of "
                f"{FIXED_COMPLIANCE_PERIOD} working days, not {period}",
                field="compliance_period")
        period = FIXED_COMPLIANCE_PERIOD
    elif period is None:
        raise CaseFileError("Set the compliance period: how many working days the school has, "
                            "or the date it must comply by", field="compliance_period")
    if period < 1:
        ISSUER_SETS_PERIOD.refuse("Enter a compliance period of at least one working day",
                                  field="compliance_period")
    return period, working_days.add_working_days(given_on, period)


def expected_copies(school: School, issuer: str, given_on: date,
                    policy: DeadlinePolicy | None = None) -> list[str]:
    """Who must get a copy of a warning notice given by ``issuer`` on ``given_on`` to
    ``school`` (COPIES): keys of COPY_RECIPIENTS, among the kinds the LA's policy requires."""
    kinds = (policy or DeadlinePolicy()).warning_notice_copies
    expected = []
    if "headteacher" in kinds:
        expected.append("headteacher")
    if "chief inspector" in kinds:
        expected.append("chief inspector")
    if "diocese or foundation" in kinds:
        expected += [c for c in consultees(school)
                     if c in (DIOCESAN_AUTHORITY, FOUNDATION_APPOINTER)]
    if "other issuer" in kinds and given_on >= SOS_NOTICES_FROM:
        expected.append("local authority" if issuer == "secretary of state"
                        else "secretary of state")
    return expected


def copy_names(recipients: list[str]) -> list[str]:
    """The recipients' names as the form offers them (COPY_RECIPIENTS)."""
    return [COPY_RECIPIENTS[r][0] for r in recipients]


def copies_missing(expected: list[str], copies_to: list[str]) -> list[str]:
    """The expected recipients (COPY_RECIPIENTS keys) no line of ``copies_to`` names."""
    lines = [line.casefold() for line in copies_to]
    return [r for r in expected
            if not any(word in line for word in COPY_RECIPIENTS[r][1] for line in lines)]


# Entries ------------------------------------------------------------------------------------

class WarningNoticeIssued(CaseFileEvent):
    """Version 2 added ``comply_by_date`` (the period was given as a date) and
    ``copies_missing`` (required recipients no copy was recorded for, COPIES); a version 1
    entry reads as a period in working days and copies not checked (None)."""

    class_version = 2
    notice_id: str
    issuer: str
    section: str
    grounds: list[str]
    matters: str
    required_actions: str
    compliance_period: int
    compliance_date: date
    minded_action: str
    copies_to: list[str]
    comply_by_date: bool
    copies_missing: list[str] | None
    amendable = ("matters", "required_actions", "minded_action")

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["comply_by_date"] = False
        state["copies_missing"] = None


class ComplianceRecorded(CaseFileEvent):
    notice_id: str
    complied: bool
    evidence: str
    amendable = ("evidence",)


class WarningNoticeWithdrawn(CaseFileEvent):
    notice_id: str
    reason: str
    amendable = ("reason",)


class WarningNoticeSuperseded(CaseFileEvent):
    notice_id: str
    superseded_by: str


class RepresentationsToOfstedMade(CaseFileEvent):
    """The governing body's representations to the Chief Inspector on a notice given before
    18 April 2016 (REPRESENTATIONS)."""

    notice_id: str
    summary: str
    amendable = ("summary",)


class OfstedDecisionOnNotice(CaseFileEvent):
    """The Chief Inspector's decision on representations: the notice confirmed or not."""

    notice_id: str
    confirmed: bool
    details: str
    amendable = ("details",)


class InterventionNoticeGiven(CaseFileEvent):
    """Version 2 added ``proposed_powers`` (keys of eligibility.PROPOSABLE_POWERS) and
    ``powers_from`` (the first day a proposed power may be used, after reasonable notice);
    a version 1 entry has free text only and reads as powers not recorded (None)."""

    class_version = 2
    notice_id: str
    proposed_action: str
    proposed_powers: list[str] | None
    powers_from: date | None
    amendable = ("proposed_action",)

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["proposed_powers"] = None
        state["powers_from"] = None


# State --------------------------------------------------------------------------------------

@dataclass
class WarningNotice:
    notice_id: str
    issuer: str
    section: str
    grounds: list[str]
    matters: str
    required_actions: str
    compliance_period: int
    compliance_date: date
    minded_action: str
    copies_to: list[str]
    issued_on: date
    complied: bool | None = None
    compliance_recorded_on: date | None = None
    compliance_evidence: str | None = None
    withdrawn_on: date | None = None
    superseded_by: str | None = None
    superseded_on: date | None = None
    intervention_notice_on: date | None = None
    proposed_powers: list[str] | None = None  # None: not recorded (an older entry)
    powers_from: date | None = None
    recorded_in: int = 0  # the version of the entry that gave the notice
    overdue: bool = False  # the compliance period ended with no compliance recorded
    comply_by_date: bool = False
    copies_missing: list[str] | None = None  # None: not checked (an older entry)
    representations_on: date | None = None
    representations_summary: str | None = None
    ofsted_confirmed: bool | None = None  # None: no decision (or no representations)
    ofsted_decided_on: date | None = None

    @property
    def status(self) -> str:
        if self.withdrawn_on is not None:
            return "withdrawn"
        if self.superseded_by is not None:
            return "superseded"
        if self.ofsted_confirmed is False:
            return "not confirmed by Ofsted"
        if self.complied is True:
            return "complied with"
        if self.complied is False:
            return "not complied with"
        return "open"

    @property
    def awaiting_ofsted(self) -> bool:
        """Representations were made and Ofsted has not decided on them (REPRESENTATIONS)."""
        return self.representations_on is not None and self.ofsted_confirmed is None


@dataclass
class WarningNoticesState:
    warning_notices: dict[str, WarningNotice] = field(default_factory=dict)

    @property
    def open_warning_notices(self) -> list[WarningNotice]:
        return [n for n in self.warning_notices.values() if n.status == "open"]

    @property
    def latest_failed_notice(self) -> WarningNotice | None:
        failed = [n for n in self.warning_notices.values() if n.complied is False]
        return max(failed, key=lambda n: n.compliance_date, default=None)

    def _on_WarningNoticeIssued(self, e: Any) -> None:
        self.warning_notices[e.notice_id] = WarningNotice(
            e.notice_id, e.issuer, e.section, e.grounds, e.matters, e.required_actions,
            e.compliance_period, e.compliance_date, e.minded_action, e.copies_to, e.effective,
            recorded_in=e.originator_version, comply_by_date=e.comply_by_date,
            copies_missing=e.copies_missing,
        )

    def _on_ComplianceRecorded(self, e: Any) -> None:
        if notice := self.warning_notices.get(e.notice_id):
            notice.complied, notice.compliance_recorded_on = e.complied, e.effective
            notice.compliance_evidence = e.evidence

    def _on_WarningNoticeWithdrawn(self, e: Any) -> None:
        if notice := self.warning_notices.get(e.notice_id):
            notice.withdrawn_on = e.effective

    def _on_WarningNoticeSuperseded(self, e: Any) -> None:
        if notice := self.warning_notices.get(e.notice_id):
            notice.superseded_by, notice.superseded_on = e.superseded_by, e.effective

    def _on_RepresentationsToOfstedMade(self, e: Any) -> None:
        if notice := self.warning_notices.get(e.notice_id):
            notice.representations_on = e.effective
            notice.representations_summary = e.summary

    def _on_OfstedDecisionOnNotice(self, e: Any) -> None:
        if notice := self.warning_notices.get(e.notice_id):
            notice.ofsted_confirmed, notice.ofsted_decided_on = e.confirmed, e.effective

    def _on_InterventionNoticeGiven(self, e: Any) -> None:
        if notice := self.warning_notices.get(e.notice_id):
            notice.intervention_notice_on = e.effective
            notice.proposed_powers = e.proposed_powers
            notice.powers_from = e.powers_from


def deadlines(state: Any, policy: Any, working_days: Any, scheme: Any) -> Iterator[tuple]:
    """The end of each open notice's compliance period, and the decision on intervention
    after a failure (or a period that ended with nothing recorded)."""
    for notice in state.open_warning_notices:
        yield ("compliance", notice.notice_id, notice.compliance_date,
               f"Warning notice {notice.notice_id}: compliance period ends", notice.recorded_in)
    for notice in state.warning_notices.values():
        undecided = notice.intervention_notice_on is None and notice.status in (
            "open", "not complied with") and not notice.awaiting_ofsted
        if undecided and (notice.complied is False or notice.overdue):
            yield ("decide_intervention", notice.notice_id,
                   notice.compliance_date + timedelta(days=1),
                   f"Decide on intervention after warning notice {notice.notice_id}: "
                   "give written notice (s60(1)(d)) or record the outcome", notice.recorded_in)


# Commands -----------------------------------------------------------------------------------

class WarningNoticeCommands(CaseFileCore):
    def issue_warning_notice(
        self, *, when: Entry, working_days: WorkingDayCalendar, grounds: list[str],
        matters: str, required_actions: str, minded_action: str,
        compliance_period: int | None = None, compliance_date: date | None = None,
        section: str = "s60", issuer: str = "local authority",
        copies_to: list[str] | None = None, with_secretary_of_state_agreement: bool = False,
        policy: DeadlinePolicy | None = None,
    ) -> str:
        """Gives a warning notice (s60, or s60A on teachers' pay and conditions).

        Rules: GROUNDS, S60A_LA_ONLY, S60A_IN_FORCE, SOS_NOTICES_IN_FORCE, CONTENTS,
        FIXED_PERIOD, ISSUER_SETS_PERIOD, COMPLIANCE_BY_DATE, AGREEMENT_AFTER_SOS_NOTICE,
        SOS_NOTICE_SUPERSEDES, COPIES (a warning, not a refusal)."""
        state = self._require_maintained(when, "Warning notices")
        require_choice("section", section, tuple(WARNING_NOTICE_SECTIONS))
        require_choice("issuer", issuer, ISSUERS)
        if section == "s60":
            if not grounds:
                GROUNDS.refuse("Choose at least one ground: (a), (b) or (c) of s60(2)",
                               field="grounds")
            for ground in grounds:
                require_choice("ground", ground, tuple(WARNING_NOTICE_GROUNDS))
        elif grounds:
            GROUNDS.refuse("An s60A notice rests on pay and conditions, not s60(2) grounds: "
                           "untick the grounds", field="grounds")
        elif issuer != "local authority":
            S60A_LA_ONLY.refuse(
                "Only the local authority may give an s60A (teachers' pay and conditions) "
                "warning notice"
            )
        if section == "s60A" and not S60A_IN_FORCE.in_force_on(when.effective):
            S60A_IN_FORCE.refuse(
                "A teachers' pay and conditions warning notice (s60A) could be given only from "
                f"12 January 2010, not on {long_date(when.effective)}"
            )
        if issuer == "secretary of state" and not SOS_NOTICES_IN_FORCE.in_force_on(
                when.effective):
            SOS_NOTICES_IN_FORCE.refuse(
                "The Secretary of State could give an s60 warning notice only from 18 April "
                f"2016, not on {long_date(when.effective)}; before then only the local "
                "authority could"
            )
        for name, text, argument in (
                ("matters relied on", matters, "matters"),
                ("required action", required_actions, "required_actions"),
                ("action the authority is minded to take", minded_action, "minded_action")):
            require_text(name, text, field=argument)
        period, ends_on = period_and_end(
            when.effective, compliance_period, working_days, comply_by=compliance_date)
        by_secretary_of_state = [
            n for n in state.warning_notices.values() if n.issuer == "secretary of state"
        ]
        needs_agreement = (
            issuer == "local authority" and section == "s60" and by_secretary_of_state
        )
        if needs_agreement and not with_secretary_of_state_agreement:
            AGREEMENT_AFTER_SOS_NOTICE.refuse(
                f"The Secretary of State gave warning notice "
                f"{by_secretary_of_state[0].notice_id}; the local authority may issue one "
                "only with the Secretary of State's agreement"
            )
        copies = names("copies", list(copies_to or ["Ofsted"]))
        missing = copies_missing(
            expected_copies(state.school, issuer, when.effective, policy), copies)
        notice_id = f"WN{self._count(self.WarningNoticeIssued) + 1}"
        self._record(
            self.WarningNoticeIssued, when=when, notice_id=notice_id, issuer=issuer,
            section=section, grounds=sorted(grounds), matters=matters.strip(),
            required_actions=required_actions.strip(), compliance_period=period,
            compliance_date=ends_on, minded_action=minded_action.strip(),
            copies_to=copies, comply_by_date=compliance_date is not None,
            copies_missing=missing,
        )
        if issuer == "secretary of state" and section == "s60":
            # s60(4B): every earlier LA s60 notice ceases to have effect, open or not.
            for notice in list(state.warning_notices.values()):
                if (notice.issuer == "local authority" and notice.section == "s60"
                        and notice.issued_on <= when.effective
                        and notice.status not in ("withdrawn", "superseded")):
                    self._record(
                        self.WarningNoticeSuperseded, when=when, notice_id=notice.notice_id,
                        superseded_by=notice_id,
                    )
        return notice_id

    def record_compliance(
        self, *, when: Entry, notice_id: str, complied: bool, evidence: str
    ) -> None:
        """Records whether the governing body complied; failure only after the period ends,
        and on a notice before 18 April 2016 only once Ofsted has confirmed it if
        representations were made (REPRESENTATIONS)."""
        notice = self._warning_notice(notice_id, when)
        if notice.complied is not None:
            raise CaseFileError(
                f"Compliance with warning notice {notice_id} was already recorded on "
                f"{long_date(notice.compliance_recorded_on)}"
            )
        if not complied:
            self._require_confirmed_if_challenged(notice, "record a failure to comply")
        if notice.status != "open":
            raise CaseFileError(f"Warning notice {notice_id} is {notice.status}")
        if not complied and when.effective <= notice.compliance_date:
            FAILURE_AFTER_PERIOD.refuse(
                f"The compliance period of warning notice {notice_id} runs to "
                f"{long_date(notice.compliance_date)}; failure to comply can be recorded only "
                f"after it ends: enter a date after {long_date(notice.compliance_date)}",
                field="effective")
        require_text("evidence", evidence)
        self._record(
            self.ComplianceRecorded, when=when, notice_id=notice_id, complied=complied,
            evidence=evidence.strip(),
        )

    def withdraw_warning_notice(self, *, when: Entry, notice_id: str, reason: str) -> None:
        notice = self._warning_notice(notice_id, when)
        if notice.status != "open":
            raise CaseFileError(f"Warning notice {notice_id} is {notice.status}")
        require_text("reason", reason)
        self._record(
            self.WarningNoticeWithdrawn, when=when, notice_id=notice_id, reason=reason.strip()
        )

    def record_representations(self, *, when: Entry, notice_id: str, summary: str) -> None:
        """The governing body's representations to Ofsted on a notice given before 18 April
        2016, within its initial 15 working days (REPRESENTATIONS)."""
        self._require_maintained(when, "Warning notices")
        notice = self._warning_notice(notice_id, when)
        if notice.issued_on >= FIXED_PERIOD_RULES_END:
            REPRESENTATIONS.refuse(
                f"Warning notice {notice_id} was given on {long_date(notice.issued_on)}; "
                "representations to Ofsted were for notices given before 18 April 2016 only"
            )
        if notice.section != "s60":
            REPRESENTATIONS.refuse(
                "Representations on an s60A (pay and conditions) notice went to the local "
                "authority, not to Ofsted"
            )
        if notice.representations_on is not None:
            raise CaseFileError(
                f"Representations on warning notice {notice_id} were already recorded on "
                f"{long_date(notice.representations_on)}"
            )
        if notice.status != "open":
            raise CaseFileError(f"Warning notice {notice_id} is {notice.status}")
        if when.effective > notice.compliance_date:
            REPRESENTATIONS.refuse(
                f"Representations on warning notice {notice_id} could be made only within its "
                f"initial period, up to {long_date(notice.compliance_date)}"
            )
        require_text("summary of the representations", summary)
        self._record(self.RepresentationsToOfstedMade, when=when, notice_id=notice_id,
                     summary=summary.strip())

    def record_ofsted_decision(
        self, *, when: Entry, notice_id: str, confirmed: bool, details: str = ""
    ) -> None:
        """Ofsted's decision on the representations: the notice confirmed, or not (in which
        case it is never acted on) (REPRESENTATIONS)."""
        self._require_after_registration(when)
        notice = self._warning_notice(notice_id, when)
        if notice.representations_on is None:
            REPRESENTATIONS.refuse(
                f"No representations on warning notice {notice_id} are recorded; record them "
                "before Ofsted's decision"
            )
        if notice.ofsted_confirmed is not None:
            raise CaseFileError(
                f"Ofsted's decision on warning notice {notice_id} was already recorded on "
                f"{long_date(notice.ofsted_decided_on)}"
            )
        if when.effective < notice.representations_on:
            raise CaseFileError(
                f"Ofsted decided after the representations of "
                f"{long_date(notice.representations_on)}; enter a date on or after it"
            )
        self._record(self.OfstedDecisionOnNotice, when=when, notice_id=notice_id,
                     confirmed=bool(confirmed), details=(details or "").strip())

    def give_intervention_notice(
        self, *, when: Entry, notice_id: str, proposed_powers: list[str],
        working_days: WorkingDayCalendar, proposed_action: str = "",
        policy: DeadlinePolicy | None = None,
    ) -> None:
        """Written notice that the LA proposes to use its powers: the school becomes eligible.

        s60(1)(d): eligibility after a warning notice needs the notice, the period expired,
        failure to comply, and reasonable written notice of the proposed intervention. The
        entry records the powers proposed and the first day they may be used
        (eligibility.REASONABLE_NOTICE). Not on a notice the Secretary of State's notice has superseded
        (SOS_NOTICE_SUPERSEDES), nor one Ofsted has yet to confirm (REPRESENTATIONS).
        """
        state = self._require_maintained(when, "Intervention")
        notice = self._warning_notice(notice_id, when)
        if notice.superseded_on is not None and when.effective >= notice.superseded_on:
            SOS_NOTICE_SUPERSEDES.refuse(
                f"Warning notice {notice_id} ceased to have effect on "
                f"{long_date(notice.superseded_on)}, when the Secretary of State gave "
                f"{notice.superseded_by}; no notice of intervention can follow on it"
            )
        self._require_confirmed_if_challenged(notice, "give notice of intervention")
        if notice.complied is not False:
            INTERVENTION_NOTICE.refuse(
                f"Record that the school failed to comply with warning notice {notice_id} "
                "before giving notice of intervention"
            )
        if notice.intervention_notice_on is not None:
            raise CaseFileError(
                f"Notice of intervention after {notice_id} was already given on "
                f"{long_date(notice.intervention_notice_on)}"
            )
        if not proposed_powers:
            INTERVENTION_NOTICE.refuse("Choose the powers the notice says the authority "
                                       "proposes to use")
        for power in proposed_powers:
            require_choice("proposed power", power, tuple(PROPOSABLE_POWERS))
        if len(set(proposed_powers)) != len(proposed_powers):
            raise CaseFileError("The proposed powers include one twice")
        days = (policy or DeadlinePolicy()).reasonable_notice_working_days
        powers_from = (working_days.add_working_days(when.effective, days) if days
                       else when.effective)
        self._record(
            self.InterventionNoticeGiven, when=when, notice_id=notice_id,
            proposed_action=(proposed_action or "").strip(),
            proposed_powers=[p for p in PROPOSABLE_POWERS if p in proposed_powers],
            powers_from=powers_from,
        )
        if "warning_notice" not in state.eligibility:
            self._record(
                self.BecameEligible, when=when, route="warning_notice",
                basis=f"warning notice {notice_id} not complied with; notice of intervention given",
            )

    def _require_confirmed_if_challenged(self, notice: WarningNotice, what: str) -> None:
        if notice.ofsted_confirmed is False:
            REPRESENTATIONS.refuse(
                f"Ofsted did not confirm warning notice {notice.notice_id} after the governing "
                "body's representations, so it cannot be acted on"
            )
        if notice.awaiting_ofsted:
            REPRESENTATIONS.refuse(
                f"The governing body made representations to Ofsted on warning notice "
                f"{notice.notice_id} on {long_date(notice.representations_on)}; record Ofsted's "
                f"decision before you {what}"
            )

    def _warning_notice(self, notice_id: str, when: Entry) -> WarningNotice:
        self._require_after_registration(when)
        notice = self.state.warning_notices.get(notice_id)
        if notice is None:
            raise CaseFileError(f"There is no warning notice {notice_id}")
        if when.effective < notice.issued_on:
            raise CaseFileError(f"Warning notice {notice_id} was issued later, on "
                                f"{long_date(notice.issued_on)}: enter a date on or after it",
                                field="effective")
        return notice
