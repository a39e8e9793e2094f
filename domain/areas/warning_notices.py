"""Warning notices (Education and Inspections Act 2006 s60, and s60A on teachers' pay and
conditions): giving one, the governing body's compliance, withdrawal, supersession by the
Secretary of State's notice, and the notice of intervention that follows a failure to comply.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.areas.core import CaseFileCore, CaseFileEvent, Entry, require_choice, require_text
from domain.calendar import WorkingDayCalendar
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
"""s60 as amended by the Education and Adoption Act 2016: either may give a notice."""

FIXED_PERIOD_RULES_END = date(2016, 4, 18)
FIXED_COMPLIANCE_PERIOD = 15

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
    "Children and Learning Act 2009 Sch 13 para 4",
)
AGREEMENT_AFTER_SOS_NOTICE = Rule(
    "s60-4A-agreement", "The LA needs the Secretary of State's agreement after their notice",
    "Once the Secretary of State has given a warning notice, the local authority may give an "
    "s60 notice only with the Secretary of State's agreement.",
    "Education and Inspections Act 2006 s60(4A)", applies_from=date(2016, 4, 18),
)
SOS_NOTICE_SUPERSEDES = Rule(
    "s60-4B-supersedes", "The Secretary of State's notice supersedes the LA's",
    "When the Secretary of State gives a warning notice, the local authority's open s60 "
    "notices cease to have effect.",
    "Education and Inspections Act 2006 s60(4B)", applies_from=date(2016, 4, 18),
)
FAILURE_AFTER_PERIOD = Rule(
    "failure-after-period", "Failure to comply only after the period",
    "A failure to comply can be recorded only after the compliance period has ended.",
    "Education and Inspections Act 2006 s60(1)(b)-(c)",
)
INTERVENTION_NOTICE = Rule(
    "s60-1d-intervention-notice", "Notice of intervention after a failure",
    "After the governing body fails to comply, the authority gives reasonable written notice "
    "that it proposes to use its powers; the school is then eligible for intervention.",
    "Education and Inspections Act 2006 s60(1)(d)",
)

RULES = (GROUNDS, CONTENTS, FIXED_PERIOD, ISSUER_SETS_PERIOD, S60A_LA_ONLY,
         AGREEMENT_AFTER_SOS_NOTICE, SOS_NOTICE_SUPERSEDES, FAILURE_AFTER_PERIOD,
         INTERVENTION_NOTICE)


def compliance_date(
    given_on: date, period: int | None, working_days: WorkingDayCalendar
) -> tuple[int, date]:
    """The compliance period and the day it ends, for a warning notice given on ``given_on``.

    s60(4)(c) and SI 2016/466: from 18 April 2016 the issuer sets the period; before then it
    was "the day on which the notice is given and ending with the fifteenth working day
    following that day". Both count statutory working days after the day of giving.
    """
    if given_on < FIXED_PERIOD_RULES_END:
        if period not in (None, FIXED_COMPLIANCE_PERIOD):
            FIXED_PERIOD.refuse(
                f"A warning notice given before 18 April 2016 has a fixed compliance period of "
                f"{FIXED_COMPLIANCE_PERIOD} working days, not {period}"
            )
        period = FIXED_COMPLIANCE_PERIOD
    elif period is None:
        raise CaseFileError("Set the compliance period: how many working days the school has")
    if period < 1:
        ISSUER_SETS_PERIOD.refuse("The compliance period must be at least one working day")
    return period, working_days.add_working_days(given_on, period)


# Entries ------------------------------------------------------------------------------------

class WarningNoticeIssued(CaseFileEvent):
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
    amendable = ("matters", "required_actions", "minded_action")


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


class InterventionNoticeGiven(CaseFileEvent):
    notice_id: str
    proposed_action: str
    amendable = ("proposed_action",)


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
    intervention_notice_on: date | None = None
    recorded_in: int = 0  # the version of the entry that gave the notice
    overdue: bool = False  # the compliance period ended with no compliance recorded

    @property
    def status(self) -> str:
        if self.withdrawn_on is not None:
            return "withdrawn"
        if self.superseded_by is not None:
            return "superseded"
        if self.complied is True:
            return "complied with"
        if self.complied is False:
            return "not complied with"
        return "open"


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
            recorded_in=e.originator_version,
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
            notice.superseded_by = e.superseded_by

    def _on_InterventionNoticeGiven(self, e: Any) -> None:
        if notice := self.warning_notices.get(e.notice_id):
            notice.intervention_notice_on = e.effective


def deadlines(state: Any, policy: Any, working_days: Any, scheme: Any) -> Iterator[tuple]:
    """The end of each open notice's compliance period, and the decision on intervention
    after a failure (or a period that ended with nothing recorded)."""
    for notice in state.open_warning_notices:
        yield ("compliance", notice.notice_id, notice.compliance_date,
               f"Warning notice {notice.notice_id}: compliance period ends", notice.recorded_in)
    for notice in state.warning_notices.values():
        undecided = notice.intervention_notice_on is None and notice.status in (
            "open", "not complied with")
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
        compliance_period: int | None = None, section: str = "s60",
        issuer: str = "local authority", copies_to: list[str] | None = None,
        with_secretary_of_state_agreement: bool = False,
    ) -> str:
        """Gives a warning notice (s60, or s60A on teachers' pay and conditions)."""
        state = self._require_maintained(when, "Warning notices")
        require_choice("section", section, tuple(WARNING_NOTICE_SECTIONS))
        require_choice("issuer", issuer, ISSUERS)
        if section == "s60":
            if not grounds:
                GROUNDS.refuse("Give at least one ground: (a), (b) or (c) of s60(2)")
            for ground in grounds:
                require_choice("ground", ground, tuple(WARNING_NOTICE_GROUNDS))
        elif grounds:
            GROUNDS.refuse("An s60A notice rests on pay and conditions, not s60(2) grounds")
        elif issuer != "local authority":
            S60A_LA_ONLY.refuse(
                "Only the local authority may give an s60A (teachers' pay and conditions) "
                "warning notice"
            )
        for name, text in (("matters relied on", matters), ("required action", required_actions),
                           ("action the authority is minded to take", minded_action)):
            require_text(name, text)
        period, ends_on = compliance_date(when.effective, compliance_period, working_days)
        open_notices = [n for n in state.warning_notices.values() if n.status == "open"]
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
        notice_id = f"WN{self._count(self.WarningNoticeIssued) + 1}"
        self._record(
            self.WarningNoticeIssued, when=when, notice_id=notice_id, issuer=issuer,
            section=section, grounds=sorted(grounds), matters=matters.strip(),
            required_actions=required_actions.strip(), compliance_period=period,
            compliance_date=ends_on, minded_action=minded_action.strip(),
            copies_to=list(copies_to or ["Ofsted"]),
        )
        if issuer == "secretary of state":
            for notice in open_notices:
                if notice.issuer == "local authority" and notice.section == "s60":
                    self._record(
                        self.WarningNoticeSuperseded, when=when, notice_id=notice.notice_id,
                        superseded_by=notice_id,
                    )
        return notice_id

    def record_compliance(
        self, *, when: Entry, notice_id: str, complied: bool, evidence: str
    ) -> None:
        """Records whether the governing body complied; failure only after the period ends."""
        notice = self._warning_notice(notice_id, when)
        if notice.complied is not None:
            raise CaseFileError(
                f"Compliance with warning notice {notice_id} was already recorded on "
                f"{long_date(notice.compliance_recorded_on)}"
            )
        if notice.status != "open":
            raise CaseFileError(f"Warning notice {notice_id} is {notice.status}")
        if not complied and when.effective <= notice.compliance_date:
            FAILURE_AFTER_PERIOD.refuse(
                f"The compliance period of warning notice {notice_id} runs to "
                f"{long_date(notice.compliance_date)}; failure to comply can be recorded only "
                "after it ends"
            )
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

    def give_intervention_notice(
        self, *, when: Entry, notice_id: str, proposed_action: str
    ) -> None:
        """Written notice that the LA proposes to use its powers: the school becomes eligible.

        s60(1)(d): eligibility after a warning notice needs the notice, the period expired,
        failure to comply, and reasonable written notice of the proposed intervention.
        """
        state = self._require_maintained(when, "Intervention")
        notice = self._warning_notice(notice_id, when)
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
        require_text("proposed action", proposed_action)
        self._record(
            self.InterventionNoticeGiven, when=when, notice_id=notice_id,
            proposed_action=proposed_action.strip(),
        )
        if "warning_notice" not in state.eligibility:
            self._record(
                self.BecameEligible, when=when, route="warning_notice",
                basis=f"warning notice {notice_id} not complied with; notice of intervention given",
            )

    def _warning_notice(self, notice_id: str, when: Entry) -> WarningNotice:
        self._require_after_registration(when)
        notice = self.state.warning_notices.get(notice_id)
        if notice is None:
            raise CaseFileError(f"There is no warning notice {notice_id}")
        if when.effective < notice.issued_on:
            raise CaseFileError(f"Warning notice {notice_id} was issued later, on "
                                f"{long_date(notice.issued_on)}")
        return notice
