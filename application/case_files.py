"""The use cases on schools' case files: commands that record, queries that return plain data."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import random
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from threading import Lock
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, project_aggregate
from eventsourcing.persistence import (
    ApplicationRecorder,
    EventStore,
    IntegrityError,
    JSONTranscoder,
    Mapper,
    PersistenceError,
)
from eventsourcing.utils import get_topic

from application.personal_keys import (
    PROCESS_KEYS,
    Keyring,
    SealingTranscoder,
    register_personal_transcoding,
)
from application.ports import Clock
from application.snapshot_check import CheckedRepository
from application.transcodings import (
    plain_state,
    register_case_file_transcodings,
    stored_value,
)
from application.views import (
    changed_aspects,
    cite_entry,
    compare_status,
    describe_entry,
    describe_status,
    status_aspects,
)
from domain.areas.concerns import SOURCE_NOT_RECORDED
from domain.areas.documents import StoredFile
from domain.areas.sign_off import needs_sign_off
from domain.areas.warning_notices import copies_missing, copy_names, expected_copies
from domain.calendar import WorkingDayCalendar
from domain.case_file import Entry, FiringNotDue, SchoolCaseFile, case_file_id
from domain.categories import CategoryScheme
from domain.deadlines import (
    Deadline,
    DeadlinePolicy,
    Firing,
    pending_deadlines,
    pending_firings,
)
from domain.errors import CaseFileError
from domain.identity import Recorder
from domain.personal_data import Erasure
from domain.status import CaseFileState, fold, replay
from domain.wording import local_time, long_date

T = TypeVar("T")
log = logging.getLogger(__name__)
CLOCK_BEHIND_NOTED = timedelta(seconds=5)
"""How far this process's clock may be behind the case file's last recorded time before
recording an entry says so in the log: servers' clocks drift apart by less."""
OVERVIEWS_KEPT = 200
"""Case files whose described overview is kept, the most recently read: describing a short
case file again costs a fraction of a millisecond; the long ones read over and over are the
ones worth keeping (a 500-entry case file's entries described take about half a megabyte)."""
REMINDERS = Recorder.system("reminders")
"""Who records reminders and passed deadlines: scc itself, not a person."""
Who = str | Recorder
"""Who is recording: a Recorder (name and identity), or a name alone (tests, the demo)."""
_JSON = json.JSONDecoder()
"""Entries read in bulk as plain JSON: stored as UTF-8 text, so decoded without the guess
json.loads makes of bytes."""

EntriesOfKinds = Callable[[ApplicationRecorder, Mapper[Any], list[str]],
                          Iterable[tuple[Any, int, str, dict[str, Any]]]]
"""Reads the log's stored entries of some kinds (topics) in the order recorded, as (stream
id, version, topic, the entry's fields as plain JSON): a store's own quicker reading than the
library's notifications (adapters.event_scan.entries_of_kinds)."""


@dataclass(frozen=True)
class ProducedLetter:
    """A letter written and kept, ready to be recorded: what ``produce_letter`` records."""

    template: str
    template_version: str
    file: StoredFile
    signed_by: str | None = None


class _StepChecked(Exception):
    """A step's rules passed in a trial run (``_try_step``): raised to keep nothing of it."""


class SchoolNotFound(CaseFileError):
    """No case file for this URN (or none yet at the date asked about)."""


class ConcurrentChange(CaseFileError):
    """Someone else kept changing the same case file while this change was being recorded."""


class StaleCaseFile(ConcurrentChange):
    """The case file changed after the version the change was made against (read by whoever
    asked for the change): nothing was recorded."""


@dataclass
class Receipt:
    """What ``recording_against`` learns of one change: the version it expects the case file
    to be at (None: any), and the version after the change is saved."""

    urn: int
    expected: int | None
    version: int | None = None


_receipt: ContextVar[Receipt | None] = ContextVar("scc_receipt", default=None)


@dataclass(frozen=True)
class Overview:
    """A case file as it stands: its status, every entry, its open deadlines. Shared by the
    requests that read the case file at the same version on the same day: read it, never
    change it (copy what is to be changed)."""

    status: dict[str, Any]
    history: list[dict[str, Any]]
    deadlines: list[Deadline]
    snapshot_mismatch: str | None = None
    """Why the case file's snapshot was set aside when it was loaded, if it was: the rest
    was then read from its entries (``snapshot_check``)."""


class SealingEventStore(EventStore[UUID]):
    """The library's event store, with the keys a batch of entries needs made at once."""

    def __init__(self, *args: Any, keyring: Keyring, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keyring = keyring

    def put(self, domain_events: Any, **kwargs: Any) -> Any:
        self.keyring.prepare(domain_events)
        return super().put(domain_events, **kwargs)


class SchoolCaseFiles(Application[UUID]):
    """Every school's case file, one event stream each."""

    name = "SchoolCaseFiles"
    snapshotting_intervals: ClassVar = {SchoolCaseFile: 100}
    env: ClassVar = {
        # Commands run against a cached case file that is fast-forwarded from the store,
        # so a school with a long history is not replayed for every command. A command
        # that fails leaves its copy behind (see _change), so no deep copy is needed.
        "AGGREGATE_CACHE_MAXSIZE": "2000",
        "DEEPCOPY_FROM_AGGREGATE_CACHE": "n",
    }
    attempts = 10

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        clock: Clock,
        working_days: WorkingDayCalendar,
        scheme: CategoryScheme,
        policy: DeadlinePolicy | None = None,
        entries_of_kinds: EntriesOfKinds | None = None,
        keyring: Keyring | None = None,
    ) -> None:
        self.keyring = keyring or Keyring(PROCESS_KEYS)
        """The keys of the entries' personal values (``application.personal_keys``):
        ``adapters.bootstrap`` gives the key store beside the log; without one, the keys are
        this process's (an in-memory store's, or a test's)."""
        super().__init__(env)
        self.keyring.on_erasure(self._forget_every_case_file)
        self._entries_of_kinds = entries_of_kinds
        self.clock = clock
        self.working_days = working_days
        self.scheme = scheme
        self.policy = policy or DeadlinePolicy()
        self._locks: dict[int, Lock] = {}
        self._urns_by_stream: dict[UUID, int] = {}
        self._locks_lock = Lock()
        self._planned: list[tuple[int, Any]] | None = None
        self._overviews: OrderedDict[UUID, tuple[Any, ...]] = OrderedDict()
        """Each case file's Overview with the loaded case file, version and day it is of."""
        self._overviews_lock = Lock()

    @contextlib.contextmanager
    def dry_run(self) -> Iterator[list[Any]]:
        """Commands are checked and run as usual, but the entries they would record are
        gathered, as (URN, entry), in the list given rather than stored; the case files they
        changed are forgotten afterwards, so nothing of the dry run stays."""
        planned: list[tuple[int, Any]] = []
        self._planned = planned
        try:
            yield planned
        finally:
            self._planned = None
            for _, entry in planned:
                self._forget(entry.originator_id)

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        if self._planned is None:
            return super().save(*objs, **kwargs)
        for obj in objs:
            urn = obj.state.school.urn
            self._planned.extend((urn, entry) for entry in obj.collect_events())
        return []

    def take_snapshot(self, aggregate_id: UUID, version: int | None = None,
                      projector_func: Any = project_aggregate) -> None:
        """The library reads a case file back from the store to snapshot it at ``version``;
        when a command has just recorded that version, the case file it changed (cached, and
        locked for the command) is that case file at that version, so it is taken as it is:
        reading back a 5,000-entry case file cost 0.6 s of CPU at every 100th entry."""
        held = self._cached(aggregate_id)
        if (held is not None and version is not None and held.version == version
                and self.snapshots is not None and not held.pending_events):
            self.snapshots.put([SchoolCaseFile.Snapshot.take(held)])
            return
        super().take_snapshot(aggregate_id, version, projector_func)

    def _cached(self, aggregate_id: UUID) -> SchoolCaseFile | None:
        if self.repository.cache is None:
            return None
        try:
            return self.repository.cache.get(aggregate_id)
        except KeyError:
            return None

    def construct_repository(self) -> CheckedRepository:
        """The library's repository, set from the same settings, with snapshots checked
        against the chain as they are loaded (``snapshot_check``)."""
        plain = super().construct_repository()
        checked = CheckedRepository(
            event_store=self.events, snapshot_store=self.snapshots,
            fastforward=plain.fastforward, fastforward_skipping=plain.fastforward_skipping,
            deepcopy_from_cache=plain.deepcopy_from_cache)
        checked.cache = plain.cache
        return checked

    def construct_event_store(self) -> EventStore[UUID]:
        return SealingEventStore(mapper=self.mapper, recorder=self.recorder,
                                 keyring=self.keyring)

    def construct_transcoder(self) -> SealingTranscoder:
        transcoder = SealingTranscoder()
        self.register_transcodings(transcoder)
        return transcoder

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        register_case_file_transcodings(transcoder)
        register_personal_transcoding(transcoder, self.keyring)

    # Commands --------------------------------------------------------------------------

    def register_school(self, *, by: Who, effective: date | None = None, **details: Any) -> int:
        """Opens a case file; returns the URN."""
        when = self._entry(by, effective, None)
        case_file = SchoolCaseFile.register(when=when, details=details)
        recording = list(case_file.pending_events)
        try:
            self.save(case_file)
        except IntegrityError:
            if not self._stored_already(recording):
                raise CaseFileError(f"URN {details['urn']} already has a case file") from None
        return int(details["urn"])

    def change_school_details(self, urn: int, *, by: Who, effective: date | None = None,
                              **changes: Any) -> None:
        self._change(urn, by, effective, lambda f, w: f.change_details(when=w, changes=changes))

    def convert_to_academy(
        self, urn: int, *, by: Who, effective: date, new_urn: int, name: str | None = None,
        establishment_type: str = "Academy converter",
    ) -> int:
        """The academy opens on ``effective`` under a new URN linked to the maintained
        school, which closes the day before: a close date is a school's last day open (as
        GIAS records it), so no day counts both."""
        def convert(old: SchoolCaseFile, when: Entry) -> SchoolCaseFile:
            school = old.state.school
            old.link_successor(when=when, successor_urn=new_urn)
            closes_on = date.fromordinal(when.effective.toordinal() - 1)
            if school.closed_on != closes_on:  # GIAS may have given the date already
                old.change_details(when=when, changes={"closed_on": closes_on})
            return SchoolCaseFile.register(when=when, details={
                "urn": new_urn, "name": name or school.name, "phase": school.phase,
                "establishment_type": establishment_type, "governance": "academy",
                "la_code": school.la_code, "pupils": school.pupils,
                "opened_on": when.effective, "religious_character": school.religious_character,
                "predecessor_urn": urn,
            })

        self._case_file(urn)  # a school without a case file is refused as such first
        if new_urn in self:
            raise CaseFileError(f"URN {new_urn} already has a case file")
        self._change(urn, by, effective, convert)
        return new_urn

    def link_school(self, urn: int, *, by: Who, effective: date | None = None, link_urn: int,
                    link_name: str, link_type: str, established_on: date | None = None) -> bool:
        """Records a GIAS link from one school to another; False if already recorded."""
        return self._change(urn, by, effective, lambda f, w: f.link_school(
            when=w, link_urn=link_urn, link_name=link_name, link_type=link_type,
            established_on=established_on))

    def raise_concern(self, urn: int, *, by: Who, effective: date | None = None,
                      ground: str, description: str, evidence: str = "",
                      source: str = SOURCE_NOT_RECORDED) -> str:
        return self._change(urn, by, effective, lambda f, w: f.raise_concern(
            when=w, ground=ground, description=description, evidence=evidence, source=source))

    def communicate_concern(self, urn: int, *, by: Who, effective: date | None = None,
                            concern_id: str, recipient: str, note: str = "") -> None:
        self._change(urn, by, effective, lambda f, w: f.communicate_concern(
            when=w, concern_id=concern_id, recipient=recipient, note=note))

    def resolve_concern(self, urn: int, *, by: Who, effective: date | None = None,
                        concern_id: str, outcome: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.resolve_concern(
            when=w, concern_id=concern_id, outcome=outcome))

    def send_letter_of_concern(self, urn: int, *, by: Who, effective: date | None = None,
                               concern_ids: list[str], summary: str,
                               recipient: str = "chair of governors") -> str:
        return self._change(urn, by, effective, lambda f, w: f.send_letter_of_concern(
            when=w, concern_ids=concern_ids, summary=summary, recipient=recipient))

    def issue_warning_notice(self, urn: int, *, by: Who, effective: date | None = None,
                             **notice: Any) -> str:
        """Gives a warning notice; its compliance date is computed in working days."""
        return self._step(urn, by, effective, "issue_warning_notice", notice)

    def record_compliance(self, urn: int, *, by: Who, effective: date | None = None,
                          notice_id: str, complied: bool, evidence: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.record_compliance(
            when=w, notice_id=notice_id, complied=complied, evidence=evidence))

    def withdraw_warning_notice(self, urn: int, *, by: Who, effective: date | None = None,
                                notice_id: str, reason: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.withdraw_warning_notice(
            when=w, notice_id=notice_id, reason=reason))

    def record_representations(self, urn: int, *, by: Who, effective: date | None = None,
                               notice_id: str, summary: str) -> None:
        """The governing body's representations to Ofsted on a notice before 18 April 2016."""
        self._change(urn, by, effective, lambda f, w: f.record_representations(
            when=w, notice_id=notice_id, summary=summary))

    def record_ofsted_decision(self, urn: int, *, by: Who, effective: date | None = None,
                               notice_id: str, confirmed: bool, details: str = "") -> None:
        """Ofsted's decision on representations: the notice confirmed or not."""
        self._change(urn, by, effective, lambda f, w: f.record_ofsted_decision(
            when=w, notice_id=notice_id, confirmed=confirmed, details=details))

    def expected_copies(self, urn: int, *, issuer: str, given_on: date) -> list[str]:
        """Who must get a copy of a warning notice the issuer gives the school on the day, by
        the school's category and the LA's policy (s60(6)-(6B); list unconfirmed)."""
        school = self._case_file(urn).state.school
        return copy_names(expected_copies(school, issuer, given_on, self.policy))

    def missing_copies(self, urn: int, *, issuer: str, given_on: date,
                       copies_to: list[str]) -> list[str]:
        """The required recipients ``copies_to`` does not name, for the check before a
        warning notice is recorded (it is recorded all the same, with a warning)."""
        school = self._case_file(urn).state.school
        return copy_names(copies_missing(
            expected_copies(school, issuer, given_on, self.policy), copies_to))

    def give_intervention_notice(self, urn: int, *, by: Who, effective: date | None = None,
                                 notice_id: str, proposed_powers: list[str],
                                 proposed_action: str = "") -> None:
        self._step(urn, by, effective, "give_intervention_notice", {
            "notice_id": notice_id, "proposed_powers": proposed_powers,
            "proposed_action": proposed_action})

    def record_coasting(self, urn: int, *, by: Who, effective: date | None = None,
                        basis: str, notified_on: date | None = None) -> None:
        """s60B: eligible as coasting once the Secretary of State notified the governing body
        (``notified_on``, which the case file requires)."""
        self._change(urn, by, effective, lambda f, w: f.record_coasting(
            when=w, basis=basis, notified_on=notified_on))

    def end_coasting(self, urn: int, *, by: Who, effective: date | None = None, how: str,
                     reason: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.end_coasting(
            when=w, how=how, reason=reason))

    def end_eligibility(self, urn: int, *, by: Who, effective: date | None = None,
                        route: str, reason: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.end_eligibility(
            when=w, route=route, reason=reason))

    def exercise_power(self, urn: int, *, by: Who, effective: date | None = None,
                       power: str, details: str) -> str:
        return self._change(urn, by, effective, lambda f, w: f.exercise_power(
            when=w, power=power, details=details))

    def record_academy_order(self, urn: int, *, by: Who, effective: date | None = None,
                             basis: str, reference: str) -> str:
        """The Secretary of State's academy order, made on ``effective``."""
        return self._change(urn, by, effective, lambda f, w: f.record_academy_order(
            when=w, basis=basis, reference=reference))

    def revoke_academy_order(self, urn: int, *, by: Who, effective: date | None = None,
                             order_id: str, reason: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.revoke_academy_order(
            when=w, order_id=order_id, reason=reason))

    def identify_for_rise(self, urn: int, *, by: Who, effective: date | None = None,
                          basis: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.identify_for_rise(when=w, basis=basis))

    def assign_rise_adviser(self, urn: int, *, by: Who, effective: date | None = None,
                            adviser: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.assign_rise_adviser(
            when=w, adviser=adviser))

    def agree_rise_plan(self, urn: int, *, by: Who, effective: date | None = None,
                        summary: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.agree_rise_plan(when=w, summary=summary))

    def record_rise_review(self, urn: int, *, by: Who, effective: date | None = None,
                           notes: str, outcome: str) -> str:
        return self._change(urn, by, effective, lambda f, w: f.record_rise_review(
            when=w, notes=notes, outcome=outcome))

    def exit_rise(self, urn: int, *, by: Who, effective: date | None = None,
                  reason: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.exit_rise(when=w, reason=reason))

    def draft_ieb_application(self, urn: int, *, by: Who, effective: date | None = None,
                              rationale: str) -> str:
        return self._change(urn, by, effective, lambda f, w: f.draft_ieb_application(
            when=w, rationale=rationale))

    def record_ieb_consultation(self, urn: int, *, by: Who, effective: date | None = None,
                                application_id: str, consultee: str, response: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.record_ieb_consultation(
            when=w, application_id=application_id, consultee=consultee, response=response))

    def submit_ieb_application(self, urn: int, *, by: Who, effective: date | None = None,
                               application_id: str) -> None:
        self._step(urn, by, effective, "submit_ieb_application",
                   {"application_id": application_id})

    def record_ieb_decision(self, urn: int, *, by: Who, effective: date | None = None,
                            application_id: str, consent: bool, reason: str = "") -> None:
        self._change(urn, by, effective, lambda f, w: f.record_ieb_decision(
            when=w, application_id=application_id, consent=consent, reason=reason))

    def constitute_ieb(self, urn: int, *, by: Who, effective: date | None = None,
                       application_id: str, members: list[str], instrument_on: date | None,
                       terms: dict[str, str] | str, term_ends_on: date | None = None) -> None:
        """``terms``: each member's terms by name, or one text the instrument sets for all."""
        self._change(urn, by, effective, lambda f, w: f.constitute_ieb(
            when=w, application_id=application_id, members=members,
            instrument_on=instrument_on, terms=terms, term_ends_on=term_ends_on))

    def change_ieb_members(self, urn: int, *, by: Who, effective: date | None = None,
                           members: list[str], reason: str, instrument_on: date | None = None,
                           terms: dict[str, str] | str | None = None) -> None:
        self._change(urn, by, effective, lambda f, w: f.change_ieb_members(
            when=w, members=members, reason=reason, instrument_on=instrument_on, terms=terms))

    def record_arrangements_consultation(self, urn: int, *, by: Who,
                                         effective: date | None = None, consultee: str,
                                         response: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.record_arrangements_consultation(
            when=w, consultee=consultee, response=response))

    def end_ieb(self, urn: int, *, by: Who, effective: date | None = None, reason: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.end_ieb(when=w, reason=reason))

    def establish_msp_group(self, urn: int, *, by: Who, effective: date | None = None,
                            members: list[str], cadence_weeks: int) -> None:
        self._change(urn, by, effective, lambda f, w: f.establish_msp_group(
            when=w, members=members, cadence_weeks=cadence_weeks))

    def schedule_msp_meeting(self, urn: int, *, by: Who, effective: date | None = None,
                             meets_on: date) -> str:
        return self._change(urn, by, effective, lambda f, w: f.schedule_msp_meeting(
            when=w, meets_on=meets_on))

    def move_msp_meeting(self, urn: int, *, by: Who, effective: date | None = None,
                         meeting_id: str, meets_on: date, reason: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.move_msp_meeting(
            when=w, meeting_id=meeting_id, meets_on=meets_on, reason=reason))

    def cancel_msp_meeting(self, urn: int, *, by: Who, effective: date | None = None,
                           meeting_id: str, reason: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.cancel_msp_meeting(
            when=w, meeting_id=meeting_id, reason=reason))

    def hold_msp_meeting(self, urn: int, *, by: Who, effective: date | None = None,
                         attendees: list[str], minutes: str,
                         actions: list[dict[str, Any]] | None = None,
                         meeting_id: str | None = None) -> str:
        return self._change(urn, by, effective, lambda f, w: f.hold_msp_meeting(
            when=w, attendees=attendees, minutes=minutes, actions=actions,
            meeting_id=meeting_id))

    def complete_msp_action(self, urn: int, *, by: Who, effective: date | None = None,
                            action_id: str, note: str = "") -> None:
        self._change(urn, by, effective, lambda f, w: f.complete_msp_action(
            when=w, action_id=action_id, note=note))

    def close_msp_group(self, urn: int, *, by: Who, effective: date | None = None,
                        reason: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.close_msp_group(when=w, reason=reason))

    def change_category(self, urn: int, *, by: Who, effective: date | None = None,
                        to: str, reason: str, evidence: str = "") -> None:
        self._step(urn, by, effective, "change_category",
                   {"to": to, "reason": reason, "evidence": evidence})

    def record_inspection(self, urn: int, *, by: Who, published_on: date, inspected_on: date,
                          overall: int | None, category: str | None = None,
                          report_card: dict[str, str] | None = None,
                          safeguarding: str | None = None,
                          received_on: date | None = None) -> str:
        """Records an Ofsted judgement, effective from its publication date; ``received_on``
        (publication if not given) starts the statement of action's count. Whether a report
        card's category may differ from its grades is the LA's policy."""
        may_differ = self.policy.report_card_category_may_differ
        try:
            return self._change(urn, by, published_on, lambda f, w: f.record_inspection(
                when=w, inspected_on=inspected_on, overall=overall, category=category,
                report_card=report_card, safeguarding=safeguarding, received_on=received_on,
                category_may_differ=may_differ))
        except CaseFileError as error:
            if error.field == "effective":  # the entry's date is the publication date here
                error.field = "published_on"
            raise

    def assign_caseworker(self, urn: int, *, by: Who, effective: date | None = None,
                          name: str, email: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.assign_caseworker(
            when=w, name=name, email=email))

    def erase_personal_data(self, urn: int, *, by: Who, rule: str, destruction: str,
                            keys: list[str], what: str, erasure: Erasure) -> None:
        """Records the erasure in the case file, then destroys the keys: the record says
        what was erased before it is. A failure between the two leaves the entry and keys
        still to destroy, which ``destroy`` does when asked again (it skips keys gone)."""
        self._change(urn, by, erasure.on, lambda f, w: f.record_erasure(
            when=w, rule=rule, destruction=destruction, keys=keys, what=what))
        self.keyring.destroy(keys, erasure, getattr(by, "name", str(by)))

    def set_task(self, urn: int, *, by: Who, effective: date | None = None, what: str,
                 owner_name: str, owner_email: str, due: date | None) -> str:
        return self._change(urn, by, effective, lambda f, w: f.set_task(
            when=w, what=what, owner_name=owner_name, owner_email=owner_email, due=due))

    def reassign_task(self, urn: int, *, by: Who, effective: date | None = None,
                      task_id: str, owner_name: str, owner_email: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.reassign_task(
            when=w, task_id=task_id, owner_name=owner_name, owner_email=owner_email))

    def complete_task(self, urn: int, *, by: Who, effective: date | None = None,
                      task_id: str, note: str = "") -> None:
        self._change(urn, by, effective, lambda f, w: f.complete_task(
            when=w, task_id=task_id, note=note))

    def produce_letter(self, urn: int, *, by: Who, effective: date | None = None, kind: str,
                       rests_on: int, recipient: str | None,
                       make: Callable[[SchoolCaseFile, date], ProducedLetter]) -> str:
        """Records a letter that ``make`` writes from the case file (and keeps), once the
        step it rests on is found: ``make`` is not called for a step not recorded."""
        def command(case_file: SchoolCaseFile, when: Entry) -> str:
            case_file.letter_source(kind, rests_on)
            made = make(case_file, when.effective)
            return case_file.record_letter(
                when=when, kind=kind, rests_on=rests_on, recipient=recipient,
                template=made.template, template_version=made.template_version,
                file=made.file, signed_by=made.signed_by)
        return self._change(urn, by, effective, command)

    def letter_sources(self, urn: int, kind: str) -> list[dict[str, Any]]:
        """The standing entries a letter of ``kind`` can be produced from now, newest first,
        as a difference cites an entry."""
        with self._lock(urn):
            return [cite_entry(e) for e in self._case_file(urn).letter_sources(kind)]

    def attach_sent_version(self, urn: int, *, by: Who, effective: date | None = None,
                            document_id: str, file: StoredFile, note: str = "") -> None:
        self._change(urn, by, effective, lambda f, w: f.attach_sent_version(
            when=w, document_id=document_id, file=file, note=note))

    def attach_evidence(self, urn: int, *, by: Who, effective: date | None = None,
                        description: str, file: StoredFile, to_entry: int | None = None) -> str:
        return self._change(urn, by, effective, lambda f, w: f.attach_evidence(
            when=w, description=description, file=file, to_entry=to_entry))

    def record_visit(self, urn: int, *, by: Who, effective: date | None = None, kind: str,
                     notes: str) -> str:
        return self._change(urn, by, effective, lambda f, w: f.record_visit(
            when=w, kind=kind, notes=notes))

    def record_statement_of_action(self, urn: int, *, by: Who, effective: date | None = None,
                                   inspection_id: str, summary: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.record_statement_of_action(
            when=w, inspection_id=inspection_id, summary=summary))

    def review_category(self, urn: int, *, by: Who, effective: date | None = None,
                        reason: str) -> None:
        self._change(urn, by, effective, lambda f, w: f.review_category(when=w, reason=reason))

    # Sign-off (domain.areas.sign_off) ---------------------------------------------------

    def needs_sign_off(self, urn: int, step: str, arguments: dict[str, Any],
                       effective: date | None = None) -> bool:
        """Whether ``step``, taking effect on ``effective`` (today if not given), needs a
        head's approval under the LA's policy."""
        return needs_sign_off(self.policy, step, arguments, effective or self.clock.today(),
                              self.scheme)

    def draft_step(self, urn: int, *, by: Who, step: str, arguments: dict[str, Any],
                   reason: str = "", effective: date | None = None,
                   takes_effect: date | None = None) -> str:
        """Drafts a step for a head's approval, to take effect when approved (or, for a step
        already taken, on ``takes_effect``); the step's own rules are checked first, as if it
        were recorded then, and nothing of that check is kept. Returns the draft's id."""
        self._try_step(urn, by, takes_effect or effective, step, arguments)
        return self._change(urn, by, effective, lambda f, w: f.draft_step(
            when=w, step=step, arguments=arguments, reason=reason, policy=self.policy,
            scheme=self.scheme, takes_effect=takes_effect))

    def check_step(self, urn: int, *, by: Who, step: str, arguments: dict[str, Any],
                   takes_effect: date | None = None) -> None:
        """Refuses, as drafting it would, a step whose own rules refuse it (for a form's
        "Check your answers" before a draft is sent); records nothing."""
        self._try_step(urn, by, takes_effect, step, arguments)

    def redraft_step(self, urn: int, *, by: Who, draft_id: str, arguments: dict[str, Any],
                     reason: str = "", effective: date | None = None,
                     takes_effect: date | None = None) -> None:
        step = self._draft_of(urn, draft_id).step
        self._try_step(urn, by, takes_effect or effective, step, arguments)
        self._change(urn, by, effective, lambda f, w: f.redraft_step(
            when=w, draft_id=draft_id, arguments=arguments, reason=reason,
            takes_effect=takes_effect))

    def return_draft(self, urn: int, *, by: Who, role: str, draft_id: str, reason: str,
                     effective: date | None = None) -> None:
        self._change(urn, by, effective, lambda f, w: f.return_draft(
            when=w, draft_id=draft_id, role=role, reason=reason))

    def withdraw_draft(self, urn: int, *, by: Who, draft_id: str, reason: str,
                       effective: date | None = None) -> None:
        self._change(urn, by, effective, lambda f, w: f.withdraw_draft(
            when=w, draft_id=draft_id, reason=reason))

    def approve_draft(self, urn: int, *, by: Who, role: str, draft_id: str,
                      effective: date | None = None) -> Any:
        """A head approves: the step and the approval are recorded in one save, the step
        effective on the approval's day; returns what the step made (a notice's id)."""
        return self._change(urn, by, effective, lambda f, w: f.approve_draft(
            when=w, draft_id=draft_id, role=role,
            take_step=lambda when, step, arguments: self._take_step(f, when, step, arguments)))

    def _draft_of(self, urn: int, draft_id: str) -> Any:
        draft = self.state_of(urn).sign_off_drafts.get(draft_id)
        if draft is None:
            raise CaseFileError(f"There is no draft {draft_id}")
        return draft

    def _step(self, urn: int, by: Who, effective: date | None, step: str,
              arguments: dict[str, Any]) -> Any:
        """Records a step that may need sign-off directly, unless the LA's policy says a head
        approves it first (rule ``sign-off``: refused, naming it)."""
        def command(case_file: SchoolCaseFile, when: Entry) -> Any:
            case_file.require_no_sign_off(when=when, step=step, arguments=arguments,
                                          policy=self.policy, scheme=self.scheme)
            return self._take_step(case_file, when, step, arguments)

        return self._change(urn, by, effective, command)

    def _try_step(self, urn: int, by: Who, effective: date | None, step: str,
                  arguments: dict[str, Any]) -> None:
        """Runs the step's own rules against the case file without keeping anything: the
        cached copy it ran on is forgotten (``_change`` drops it on any exception)."""
        def trial(case_file: SchoolCaseFile, when: Entry) -> None:
            self._take_step(case_file, when, step, arguments)
            raise _StepChecked

        with contextlib.suppress(_StepChecked):
            self._change(urn, by, effective, trial)

    def _take_step(self, case_file: SchoolCaseFile, when: Entry, step: str,
                   arguments: dict[str, Any]) -> Any:
        """Runs one of the steps sign-off may cover with the LA's settings."""
        if step == "issue_warning_notice":
            return case_file.issue_warning_notice(
                when=when, working_days=self.working_days, policy=self.policy, **arguments)
        if step == "give_intervention_notice":
            return case_file.give_intervention_notice(
                when=when, working_days=self.working_days, policy=self.policy, **arguments)
        if step == "submit_ieb_application":
            return case_file.submit_ieb_application(when=when, **arguments)
        if step == "change_category":
            return case_file.change_category(when=when, scheme=self.scheme, **arguments)
        raise CaseFileError(f"{step!r} is not a step that is drafted for approval")

    def extend_deadline(self, urn: int, *, by: Who, key: str, to: date, reason: str) -> None:
        self._change(urn, by, None, lambda f, w: f.extend_deadline(
            when=w, deadlines=self._deadlines(f), key=key, to=to, reason=reason))

    def suspend_deadline(self, urn: int, *, by: Who, key: str, reason: str) -> None:
        self._change(urn, by, None, lambda f, w: f.suspend_deadline(
            when=w, deadlines=self._deadlines(f), key=key, reason=reason))

    def resume_deadline(self, urn: int, *, by: Who, key: str, reason: str) -> None:
        self._change(urn, by, None, lambda f, w: f.resume_deadline(
            when=w, deadlines=self._deadlines(f), key=key, reason=reason))

    def fire(self, firing: Firing, *, by: Who = REMINDERS) -> bool:
        """Records a reminder sent or a due date passed; False if it is no longer due or was
        already recorded (by another worker, or before a restart)."""
        try:
            self._change(firing.urn, by, None, lambda f, w: f.record_firing(
                when=w, deadlines=self._deadlines(f), firing=firing))
        except FiringNotDue:
            return False
        return True

    def deadlines(self, urn: int) -> list[Deadline]:
        """The case file's open deadlines under the LA's policy, soonest first."""
        with self._lock(urn):
            return self._deadlines(self._case_file(urn))

    def deadlines_at_entry(self, urn: int, version: int) -> list[Deadline]:
        """The open deadlines as the case file stood once entry ``version`` was recorded
        (what a reminder recorded then was about, though the deadline may be met since)."""
        with self._lock(urn):
            state = fold(self._case_file(urn).entries[:version])
            return pending_deadlines(state, self.policy, self.working_days, self.scheme)

    def firings(self, urn: int) -> list[Firing]:
        """The reminders and passings still to be recorded on the case file."""
        with self._lock(urn):
            case_file = self._case_file(urn)
            return pending_firings(urn, case_file.state, self._deadlines(case_file),
                                   self.clock.today())

    def _deadlines(self, case_file: SchoolCaseFile) -> list[Deadline]:
        return pending_deadlines(case_file.state, self.policy, self.working_days, self.scheme)

    def retract_entry(self, urn: int, *, by: Who, version: int, reason: str) -> None:
        self._change(urn, by, None, lambda f, w: f.retract_entry(
            when=w, version=version, reason=reason))

    def amend_entry(self, urn: int, *, by: Who, version: int, changes: dict[str, Any],
                    reason: str) -> None:
        self._change(urn, by, None, lambda f, w: f.amend_entry(
            when=w, version=version, changes=changes, reason=reason))

    @contextlib.contextmanager
    def recording_against(self, urn: int, version: int | None = None) -> Iterator[Receipt]:
        """Makes the commands on this case file within the block conditional: if ``version``
        is given and the case file is at another version, or someone else saves a change
        first, StaleCaseFile is raised and nothing is recorded (no retry against the fresh
        file: whoever read ``version`` must read again). The receipt's ``version`` is the
        version the block's last change left the case file at."""
        receipt = Receipt(int(urn), version)
        token = _receipt.set(receipt)
        try:
            yield receipt
        finally:
            _receipt.reset(token)

    # Queries ---------------------------------------------------------------------------

    def school(self, urn: int, *, as_at: date | None = None,
               as_known_at: datetime | None = None) -> dict[str, Any]:
        """The school's status, as at an effective date and as known at a recorded time."""
        with self._lock(urn):
            state = self._view(urn, as_at, as_known_at)
            return describe_status(state, self.scheme, as_at or self.clock.today())

    def history(self, urn: int, *, as_at: date | None = None,
                as_known_at: datetime | None = None) -> list[dict[str, Any]]:
        """Every entry, oldest first, with any corrections shown against what they correct.

        ``as_known_at`` leaves out what was recorded later; ``as_at`` what took effect later.
        """
        with self._lock(urn):
            case_file = self._case_file(urn)
            state = self._view(urn, as_at, as_known_at, case_file)
            return [
                describe_entry(e, state.corrections.get(e.originator_version, []), state)
                for e in case_file.entries
                if (as_known_at is None or e.timestamp <= as_known_at)
                and (as_at is None or e.effective <= as_at)
            ]

    def differences(self, urn: int, start: date, end: date,
                    as_known_at: datetime | None = None) -> list[dict[str, Any]]:
        """What changed in the school's status from ``start`` to ``end`` (``compare_status``),
        each change with the entries that made it (``cite_entry``): those that took effect
        after ``start``, up to ``end``, and changed that aspect when the fold applied them.
        A change no entry made (a school's closing date reached, say) cites none."""
        with self._lock(urn):
            case_file = self._case_file(urn)
            self._view(urn, start, as_known_at, case_file)  # says so if no school then
            cited: dict[str, list[Any]] = {}
            first = previous = None
            for entry, state in replay(case_file.entries, start, end, as_known_at):
                status = describe_status(state, self.scheme,
                                         start if entry is None else entry.effective)
                aspects = status_aspects(status)
                if entry is None:
                    first = status
                else:
                    for aspect in changed_aspects(previous, aspects):
                        cited.setdefault(aspect, []).append(entry)
                previous = aspects
            last = describe_status(state, self.scheme, end)
            return [{**row, "entries": [cite_entry(e) for e in cited.get(row["aspect"], [])]}
                    for row in compare_status(first, last)]

    def overview(self, urn: int) -> Overview:
        """What ``school``, ``history`` and ``deadlines`` return now, from one reading of
        the case file (a case file page shows all three).

        Described once per version of the case file and day: a long case file's entries,
        described afresh for every page, were a good part of its page's time, and nothing
        described changes until an entry is added (a correction is an entry) or the day
        changes. Kept for the OVERVIEWS_KEPT case files read last, with the loaded case file
        they were described from: one loaded again (after a failed command, say) is
        described again."""
        with self._lock(urn):
            case_file = self._case_file(urn)
            today = self.clock.today()
            key = (case_file.version, today)
            with self._overviews_lock:
                kept = self._overviews.get(case_file.id)
                if kept is not None:
                    self._overviews.move_to_end(case_file.id)
            if kept is None or kept[0] is not case_file or kept[1] != key:
                state = self._view(urn, None, None, case_file)
                described = Overview(
                    status=describe_status(state, self.scheme, today),
                    history=[describe_entry(e, state.corrections.get(e.originator_version, []),
                                            state)
                             for e in case_file.entries],
                    deadlines=self._deadlines(case_file),
                )
                kept = (case_file, key, described)
                if self.repository.cache is not None:  # else each reading loads afresh
                    with self._overviews_lock:
                        self._overviews[case_file.id] = kept
                        while len(self._overviews) > OVERVIEWS_KEPT:
                            self._overviews.popitem(last=False)
            return dataclasses.replace(kept[2], snapshot_mismatch=self.snapshot_mismatch(urn))

    def snapshot_mismatch(self, urn: int) -> str | None:
        """What to tell the user if this case file's snapshot did not match its record when
        it was last loaded here (what is shown was then read from its entries), else None."""
        altered = getattr(self.repository, "altered_snapshots", {})
        return altered.get(case_file_id(int(urn)))

    def schools(self, *, as_at: date | None = None) -> list[dict[str, Any]]:
        """Every school with a case file, ordered by URN."""
        return sorted(
            (self.school(urn, as_at=as_at) for urn in self.urns()),
            key=lambda s: s["urn"],
        )

    def urns(self) -> list[int]:
        """The URN of every case file, from the registrations in the notification log."""
        topic = get_topic(SchoolCaseFile.Registered)
        urns, start = [], 1
        while True:
            page = self.recorder.select_notifications(start, 500, topics=[topic])
            for notification in page:
                urns.append(self.mapper.to_domain_event(notification).urn)
            if len(page) < 500:
                return sorted(urns)
            start = page[-1].id + 1

    def register_facts(self, fields: tuple[str, ...]) -> dict[int, tuple[Any, ...] | None]:
        """Every case file's register ``fields`` as they stand, by URN, from one reading of
        the log's registrations and details changes, the changes applied in effective-date
        order as the fold applies them (an import compares a whole extract with these rather
        than loading each case file). None for a case file with a retracted or amended entry:
        its fields are to be read from the case file itself."""
        registered, changed, *corrections = (get_topic(kind) for kind in (
            SchoolCaseFile.Registered, SchoolCaseFile.DetailsChanged,
            SchoolCaseFile.EntryAmended, SchoolCaseFile.EntryRetracted))
        at = {name: position for position, name in enumerate(fields)}
        by_stream: dict[Any, list[Any] | None] = {}
        changes: dict[Any, list[tuple[str, int, dict[str, Any]]]] = {}
        urns: dict[Any, int] = {}
        kinds = [registered, changed, *corrections]
        read = self._entries_of_kinds or _notified_entries_of_kinds
        for stream, version, topic, entry in read(self.recorder, self.mapper, kinds):
            if topic == registered:
                urns[stream] = entry["urn"]
                by_stream[stream] = [  # most values are plain JSON: no call for them
                    value if type(value := entry.get(name)) is not dict
                    else stored_value(value) for name in fields]
            elif topic == changed:
                changes.setdefault(stream, []).append(
                    (entry["effective"]["_data_"], version, entry["changes"]))
            else:
                by_stream[stream] = None
        for stream, in_order in changes.items():
            if (known := by_stream.get(stream)) is None:
                continue
            for _, _, changed_fields in sorted(in_order, key=lambda c: (c[0], c[1])):
                for name, value in changed_fields.items():
                    if name in at:
                        known[at[name]] = stored_value(value)
        return {urn: None if (known := by_stream.get(stream)) is None else tuple(known)
                for stream, urn in urns.items()}

    def open_case_files(self, *, by: Who, schools: list[tuple[date, dict[str, Any]]]) -> None:
        """Opens many case files in one transaction (an import's new schools), each checked
        as register_school checks it. Raises CaseFileError, having opened none, if any of
        them was opened meanwhile."""
        case_files = [SchoolCaseFile.register(when=self._entry(by, effective, None),
                                              details=details) for effective, details in schools]
        try:
            self.save(*case_files)
        except IntegrityError:
            raise CaseFileError("One of these schools already has a case file") from None

    def state_of(self, urn: int) -> CaseFileState:
        """The case file's state as known now (for projections; not to be changed)."""
        with self._lock(urn):
            return self._case_file(urn).state

    def urn_of(self, stream_id: UUID) -> int:
        """The URN of a case file's event stream (remembered: it never changes), read from
        its first entry alone: an entry later in the stream that cannot be read does not hide
        which school it belongs to."""
        urn = self._urns_by_stream.get(stream_id)
        if urn is None:
            (registered,) = self.events.get(stream_id, lte=SchoolCaseFile.INITIAL_VERSION)
            urn = self._urns_by_stream[stream_id] = registered.urn
        return urn

    def remember_stream(self, stream_id: UUID, urn: int) -> None:
        """Tells ``urn_of`` a stream's URN read elsewhere (a rebuild's scan)."""
        self._urns_by_stream[stream_id] = urn

    def version(self, urn: int) -> int:
        return self._case_file(urn).version

    def __contains__(self, urn: int) -> bool:
        try:
            self._case_file(urn)
        except SchoolNotFound:
            return False
        return True

    # Loading and saving -----------------------------------------------------------------

    def _entry(self, by: Who, effective: date | None, case_file: SchoolCaseFile | None) -> Entry:
        """Who records, what it takes effect on, and when it is recorded: now, or the time
        the case file's last entry was recorded if that is later.

        Recorded times never go backwards within a case file (issue 18): an entry is
        recorded after the one before it, whatever the clock of the server recording it.
        A clock behind the last recorded time is met by taking that time, not by refusing
        the entry: whoever records cannot set a server's clock, and a statutory step must
        not wait on it. The entry's version keeps the order; the log says when a clock was
        behind by more than CLOCK_BEHIND_NOTED, so that it can be put right."""
        now = self.clock.now()
        if case_file is not None and now < case_file.modified_on:
            if case_file.modified_on - now > CLOCK_BEHIND_NOTED:
                log.warning("URN %s: this server's clock (%s) is behind the time its last "
                            "entry was recorded (%s); the new entry is recorded at that time",
                            case_file.urn, now.isoformat(), case_file.modified_on.isoformat())
            now = case_file.modified_on
        return Entry(effective or self.clock.today(), by, now)

    def _change(self, urn: int, by: Who, effective: date | None,
                command: Callable[[SchoolCaseFile, Entry], T]) -> T:
        """Loads, runs the command, saves; a stale save is retried against the fresh file."""
        with self._lock(urn):
            return self._change_locked(urn, by, effective, command)

    def _change_locked(self, urn: int, by: Who, effective: date | None,
                       command: Callable[[SchoolCaseFile, Entry], T]) -> T:
        receipt = _receipt.get()
        if receipt is not None and receipt.urn != int(urn):
            receipt = None  # another school's file (an academy's opened by a conversion)
        for attempt in range(1, self.attempts + 1):
            case_file = self._case_file(urn)
            if receipt is not None and receipt.expected not in (None, case_file.version):
                raise StaleCaseFile(_STALE.format(
                    urn=urn, expected=receipt.expected,
                    now=f"it is now at version {case_file.version}"))
            recording: list[Any] = []
            try:
                result = command(case_file, self._entry(by, effective, case_file))
                # A command may open another case file (academy conversion): one transaction.
                opened = [result] if isinstance(result, SchoolCaseFile) else []
                recording = [*case_file.pending_events,
                             *(e for o in opened for e in o.pending_events)]
                self.save(case_file, *opened)
            except IntegrityError:
                self._forget(case_file.id)
                if self._stored_already(recording):
                    if receipt is not None:
                        receipt.version = case_file.version
                    return result
                if receipt is not None and receipt.expected is not None:
                    raise StaleCaseFile(_STALE.format(
                        urn=urn, expected=receipt.expected,
                        now="someone else recorded a change meanwhile")) from None
                if attempt == self.attempts:
                    raise ConcurrentChange(_CONFLICT.format(urn=urn)) from None
                # A short random pause, longer after each clash, so that processes changing
                # one case file together spread out rather than clash again at once.
                time.sleep(random.uniform(0, min(0.1, 0.002 * 2 ** attempt)))
            except BaseException:
                self._forget(case_file.id)  # the cached copy may hold unsaved events
                raise
            else:
                if receipt is not None:
                    receipt.version = case_file.version
                return result
        raise AssertionError("unreachable")

    def _stored_already(self, recording: list[Any]) -> bool:
        """Whether the entries a save was refused for are in the store already: a save whose
        connection broke after the commit and was retried (PostgreSQL restarting, say) is
        refused as a clash with itself, and must not be run again."""
        if not recording:
            return False
        first = recording[0]
        stored = self.recorder.select_events(
            first.originator_id, gt=first.originator_version - 1,
            lte=first.originator_version)
        if not stored:
            return False
        # Compared as decoded, after the same round trip, so that encoding details (a
        # tuple read back as a list, a cipher's fresh nonce) do not hide that they are one.
        ours = self.mapper.to_domain_event(self.mapper.to_stored_event(first))
        return self.mapper.to_domain_event(stored[0]) == ours

    def _lock(self, urn: int) -> Lock:
        """One command or query at a time per case file in this process: the cached case
        file is shared between threads and is not copied (see ``env``)."""
        try:
            key = int(urn)
        except (TypeError, ValueError):
            raise SchoolNotFound(f"{urn!r} is not a URN: a URN is a six-digit number") from None
        with self._locks_lock:
            return self._locks.setdefault(key, Lock())

    def _case_file(self, urn: int) -> SchoolCaseFile:
        self.keyring.current()
        try:
            return self.repository.get(case_file_id(int(urn)))
        except (AggregateNotFoundError, ValueError, TypeError) as error:
            # The library reports any failure while decoding an entry as a ValueError
            if (failed := _store_failure_behind(error)) is not None:
                raise failed from error  # the store failed under the reading: not a 404
            raise SchoolNotFound(f"No school with URN {urn} has a case file") from None

    def _view(self, urn: int, as_at: date | None, as_known_at: datetime | None,
              case_file: SchoolCaseFile | None = None) -> CaseFileState:
        case_file = case_file or self._case_file(urn)
        state = case_file.view(as_at=as_at, as_known_at=as_known_at)
        if state.school is None:
            when = " and ".join(
                part for part in (as_at and f"on {long_date(as_at)}",
                                  as_known_at and f"as known at {local_time(as_known_at)}")
                if part
            )
            raise SchoolNotFound(f"URN {urn} had no case file {when}")
        return state

    def close(self) -> None:
        # The cached case files are freed now, as they are dropped (they hold no cycles),
        # rather than by a later full collection of the app and all it holds.
        self._forget_every_case_file()
        super().close()
        close_keys = getattr(self.keyring.store, "close", None)
        if close_keys is not None:  # the key store's connections (it reopens if used again)
            close_keys()

    def _forget_every_case_file(self) -> None:
        """A key was destroyed: no copy read with it may be shown again."""
        cache = self.repository.cache
        if cache is not None:  # the library's LRUCache.clear() resets its order, not its keys
            for aggregate_id in list(cache.cache):
                with contextlib.suppress(KeyError):
                    cache.get(aggregate_id, evict=True)
        with self._overviews_lock:
            self._overviews.clear()

    def _forget(self, aggregate_id: UUID) -> None:
        if self.repository.cache is not None:
            with contextlib.suppress(KeyError):  # not cached: nothing to forget
                self.repository.cache.get(aggregate_id, evict=True)


def _store_failure_behind(error: BaseException | None) -> BaseException | None:
    """The store's failure an entry could not be decoded for (the key store refusing
    connections as its keys were read), if that is why."""
    while error is not None and not isinstance(error, PersistenceError):
        error = error.__cause__ or error.__context__
    return error


_STALE = (
    "The case file of URN {urn} changed after version {expected} was read ({now}); nothing "
    "was recorded. Re-read it and retry."
)
_CONFLICT = (
    "The case file of URN {urn} was being changed by someone else at the same time; "
    "nothing was recorded. Reload it and try again."
)


def _notified_entries_of_kinds(recorder: ApplicationRecorder, mapper: Mapper[Any],
                               topics: list[str],
                               ) -> Iterator[tuple[Any, int, str, dict[str, Any]]]:
    """EntriesOfKinds through the library's notifications, for any store: the entries'
    fields as plain JSON (dates as stored_value reads them), several times quicker than the
    transcoder, which builds every tagged value."""
    start = 1
    while True:
        page = recorder.select_notifications(start, 1000, topics=topics)
        for notification in page:
            state = plain_state(mapper, notification.state)
            yield (notification.originator_id, notification.originator_version,
                   notification.topic, _JSON.decode(state.decode("utf-8")))
        if len(page) < 1000:
            return
        start = page[-1].id + 1
