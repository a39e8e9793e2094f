"""Retention, legal holds and destruction of personal data (``domain.data_protection``): the
report of what is due, holds placed and lifted, destruction proposed by one person and
approved, and carried out, by another."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from application.case_files import SchoolCaseFiles
from application.ports import Clock
from domain.case_file import case_file_id
from domain.data_protection import (
    AFTER_CLOSURE,
    AFTER_LAST_ENTRY,
    AFTER_VIEWING,
    DEFAULT_SCHEDULE,
    LEGAL_HOLD,
    SCOPES,
    DataProtectionError,
    Decision,
    Decisions,
    Destruction,
    Hold,
    Item,
    RetentionRule,
    decided,
    next_decision,
    next_id,
    problems,
    require_other_person,
)
from domain.identity import Recorder
from domain.personal_data import Erasure


class DecisionStore(Protocol):
    """The decisions, oldest first (adapters.data_protection.SQLDecisionLog)."""

    def last(self) -> Decision | None: ...

    def append(self, decision: Decision) -> bool: ...

    def decisions(self) -> list[Decision]: ...

    def close(self) -> None: ...


class AccessLogMonths(Protocol):
    """The access log's months, each sealed under a key of its own."""

    def months(self) -> list[dict[str, Any]]:
        """Each month held: {"month": "2024-03", "erased": Erasure | None}."""

    def erase_months(self, months: list[str], erasure: Erasure, by: str) -> int: ...


@dataclass(frozen=True)
class Due:
    """A record the schedule says may now be destroyed, and what holds keep it."""

    item: Item
    rule: RetentionRule
    since: date
    school: str | None
    holds: tuple[Hold, ...]
    people_held: tuple[str, ...]  # person ids kept out of the destruction by their holds
    proposed_in: str | None

    @property
    def blocked(self) -> bool:
        return bool(self.holds)

    @property
    def status(self) -> str:
        if self.holds:
            return "held: " + "; ".join(h.words for h in self.holds)
        if self.proposed_in:
            return f"proposed in {self.proposed_in}"
        if self.people_held:
            return (f"due; {len(self.people_held)} "
                    f"{'person is' if len(self.people_held) == 1 else 'people are'} held and "
                    "kept")
        return "due"


class DataProtection:
    """The decisions about personal data, and carrying them out."""

    attempts = 10

    def __init__(self, case_files: SchoolCaseFiles, store: DecisionStore, *,
                 schedule: Iterable[RetentionRule] = DEFAULT_SCHEDULE, clock: Clock,
                 access_log: AccessLogMonths | None = None) -> None:
        self.case_files, self.store, self.clock = case_files, store, clock
        self.schedule = {rule.key: rule for rule in schedule}
        self.access_log = access_log

    def close(self) -> None:
        self.store.close()

    # What stands ------------------------------------------------------------------------

    def decisions(self) -> Decisions:
        return decided(self.store.decisions())

    def problems(self) -> list[str]:
        return problems(self.store.decisions())

    def log(self) -> list[dict[str, Any]]:
        """Every decision, newest first, in words."""
        return [{"number": d.number, "action": d.action, "subject": d.subject, "by": d.by,
                 "recorded_at": d.recorded_at, "details": d.details}
                for d in reversed(self.store.decisions())]

    def report(self, *, progress: Callable[[int, int], None] | None = None) -> list[Due]:
        """Every record the schedule makes due for destruction by today, with the holds that
        keep it and whether it is proposed already. Case files already erased are left out."""
        today = self.clock.today()
        state = self.decisions()
        proposed = {(i.urn, i.month): d.destruction_id
                    for d in state.pending() for i in d.items}
        found: list[Due] = []
        urns = self.case_files.urns()
        for done, urn in enumerate(urns, start=1):
            if progress is not None and (done % 500 == 0 or done == len(urns)):
                progress(done, len(urns))
            school = self.case_files.state_of(urn)
            if school.erasures and not self._erasable(urn, school, state):
                continue  # erased already, but for the erasure's own record and the held
            for rule in self.schedule.values():
                since = _since(rule, school)
                if since is None or rule.due(since) > today:
                    continue
                item = Item(rule.key, rule.due(since), urn=urn)
                found.append(Due(item, rule, since, school.school.name,
                                 tuple(state.holds_on(urn=urn)),
                                 tuple(self._people_held(urn, state)),
                                 proposed.get((urn, None))))
                break  # one rule is enough to make a case file due
        rule = self._access_rule()
        if rule is not None and self.access_log is not None:
            for month in self.access_log.months():
                if month["erased"] is not None:
                    continue
                since = date.fromisoformat(f"{month['month']}-01")
                since = rule.due(date(since.year + since.month // 12, since.month % 12 + 1, 1))
                if since > today:
                    continue
                item = Item(rule.key, since, month=month["month"])
                found.append(Due(item, rule, since, None, tuple(state.holds_on(urn=None)),
                                 (), proposed.get((None, month["month"]))))
        return found

    def _access_rule(self) -> RetentionRule | None:
        return next((r for r in self.schedule.values() if r.after == AFTER_VIEWING), None)

    def _erasable(self, urn: int, school: Any, state: Decisions) -> list[str]:
        """The keys of a case file an erasure would destroy now: those not destroyed, less
        those of people under a hold and those made for the record of an earlier erasure."""
        held = set(self._people_held(urn, state))
        before = school.erasures[-1] if school.erasures else None
        records = self.case_files.keyring.store.key_records(case_file=case_file_id(urn))
        return [k.key_id for k in records if k.erasure is None and k.person not in held
                and (before is None or k.created_on is None
                     or k.created_on < before.erased_on)]

    def _people_held(self, urn: int, state: Decisions) -> list[str]:
        held = {h.target for h in state.standing_holds if h.scope == "person"}
        return sorted({k.person for k in self.case_files.keyring.store.key_records(
            case_file=case_file_id(urn)) if k.person in held and k.erasure is None})

    # Holds ------------------------------------------------------------------------------

    def place_hold(self, *, scope: str, target: Any = None, reason: str, by: Recorder) -> str:
        """A legal hold on a school (URN), a person (their id in the key store, as subject
        access finds them) or everything."""
        if scope not in SCOPES:
            raise DataProtectionError(f"A hold is on a school, a person or everything, not "
                                      f"{scope!r}")
        if not reason or not reason.strip():
            raise DataProtectionError("Say why the hold is placed (the inquiry or claim)")
        if scope == "school":
            try:
                target = int(target)
            except (TypeError, ValueError):
                raise DataProtectionError(f"{target!r} is not a URN") from None
            if target not in self.case_files:
                raise DataProtectionError(f"No school with URN {target} has a case file")
        elif scope == "person":
            if not target or self.case_files.keyring.store.person(str(target)) is None:
                raise DataProtectionError(f"No person {target!r} is in the key store: find "
                                          "them with scc people find")
            target = str(target)
        else:
            target = None
        hold_id = next_id("H", self.decisions().holds)
        self._record("hold placed", hold_id, by, {"scope": scope, "target": target,
                                                  "reason": reason.strip()})
        return hold_id

    def lift_hold(self, hold_id: str, *, reason: str, by: Recorder) -> None:
        hold = self.decisions().holds.get(hold_id)
        if hold is None or hold.lifted_on is not None:
            raise DataProtectionError(f"No standing legal hold {hold_id}")
        if not reason or not reason.strip():
            raise DataProtectionError("Say why the hold is lifted")
        self._record("hold lifted", hold_id, by, {"reason": reason.strip()})

    # Destruction ------------------------------------------------------------------------

    def propose(self, *, by: Recorder, urns: Iterable[int] | None = None,
                months: Iterable[str] | None = None) -> str:
        """Proposes the records due (all of them, or those named) for destruction; another
        person approves. A record under a hold, not due, or proposed already is refused."""
        due = {(d.item.urn, d.item.month): d for d in self.report()}
        wanted = ([(int(u), None) for u in urns or ()] + [(None, m) for m in months or ()]
                  or [key for key, d in due.items() if not d.blocked and not d.proposed_in])
        if not wanted:
            raise DataProtectionError("Nothing is due for destruction today")
        items = []
        for key in wanted:
            found = due.get(key)
            what = f"school {key[0]}" if key[0] is not None else f"the access log of {key[1]}"
            if found is None:
                raise DataProtectionError(f"The retention schedule does not make {what} "
                                          "due for destruction today")
            if found.blocked:
                LEGAL_HOLD.refuse(f"{what.capitalize()} is under a "
                                  + "; ".join(h.words for h in found.holds))
            if found.proposed_in:
                raise DataProtectionError(f"{what.capitalize()} is already proposed in "
                                          f"{found.proposed_in}")
            items.append(found.item.as_details())
        destruction_id = next_id("D", self.decisions().destructions)
        self._record("destruction proposed", destruction_id, by, {"items": items})
        return destruction_id

    def refuse(self, destruction_id: str, *, reason: str, by: Recorder) -> None:
        self._pending(destruction_id)
        if not reason or not reason.strip():
            raise DataProtectionError("Say why the destruction is refused")
        self._record("destruction refused", destruction_id, by, {"reason": reason.strip()})

    def approve(self, destruction_id: str, *, by: Recorder) -> dict[str, Any]:
        """Approves and carries out a proposed destruction: for each case file, every key
        but those of people under a hold is destroyed, and the erasure recorded in it; for
        each month of the access log, its key. Holds are checked again now."""
        destruction = self._pending(destruction_id)
        require_other_person(destruction, by.name, by.identity)
        state = self.decisions()
        for item in destruction.items:
            if holds := state.holds_on(urn=item.urn):
                LEGAL_HOLD.refuse(f"{item.words.capitalize()} came under a "
                                  + "; ".join(h.words for h in holds)
                                  + " after it was proposed: refuse the proposal, or lift the "
                                  "hold first")
        self._record("destruction approved", destruction_id, by, {})
        return self.carry_out(destruction_id, by=by)

    def carry_out(self, destruction_id: str, *, by: Recorder) -> dict[str, Any]:
        """Destroys what an approved destruction lists and is not destroyed yet (again after
        a failure part way: what is done is skipped)."""
        destruction = self.decisions().destructions[destruction_id]
        if destruction.status != "approved":
            raise DataProtectionError(f"Destruction {destruction_id} is {destruction.status}, "
                                      "not approved")
        state = self.decisions()
        today = self.clock.today()
        done: dict[str, Any] = {"case_files": 0, "keys": 0, "people_kept": 0, "months": 0}
        for item in destruction.items:
            rule = self.schedule.get(item.rule)
            erasure = Erasure(f"retention rule {item.rule}"
                              + (f" ({rule.period} after {rule.after})" if rule else ""), today)
            if item.urn is None:
                if self.access_log is not None and item.month is not None:
                    done["months"] += self.access_log.erase_months([item.month], erasure,
                                                                   by.name)
                continue
            held = set(self._people_held(item.urn, state))
            records = self.case_files.keyring.store.key_records(case_file=case_file_id(item.urn))
            keys = self._erasable(item.urn, self.case_files.state_of(item.urn), state)
            if not keys:
                continue
            people = sum(1 for k in records if k.key_id in keys and k.person is not None)
            what = (f"the free text and the names of {people} "
                    f"{'person' if people == 1 else 'people'}"
                    + (f"; {len(held)} {'person' if len(held) == 1 else 'people'} under a "
                       "legal hold kept" if held else ""))
            self.case_files.erase_personal_data(
                item.urn, by=by, rule=erasure.rule, destruction=destruction_id,
                keys=keys, what=what, erasure=erasure)
            done["case_files"] += 1
            done["keys"] += len(keys)
            done["people_kept"] += len(held)
        self._record("records destroyed", destruction_id, by, done)
        return done

    def _pending(self, destruction_id: str) -> Destruction:
        destruction = self.decisions().destructions.get(destruction_id)
        if destruction is None:
            raise DataProtectionError(f"No destruction {destruction_id} was proposed")
        if destruction.status != "proposed":
            raise DataProtectionError(f"Destruction {destruction_id} was {destruction.status} "
                                      f"by {destruction.decided_by}")
        return destruction

    def _record(self, action: str, subject: str, by: Recorder,
                details: dict[str, Any]) -> Decision:
        for _ in range(self.attempts):
            decision = next_decision(self.store.last(), action=action, subject=subject,
                                     by=by.name, actor=by.identity,
                                     recorded_at=self.clock.now(), details=details)
            if self.store.append(decision):
                return decision
        raise RuntimeError("The decisions log kept changing while this was recorded")


def _since(rule: RetentionRule, state: Any) -> date | None:
    """The day a case file's retention period starts under ``rule``, if it has begun."""
    if rule.after == AFTER_CLOSURE:
        return state.school.closed_on
    if rule.after == AFTER_LAST_ENTRY and state.school.closed_on is None:
        return state.latest_effective
    return None

