"""Notifications: reminders and passed deadlines by email, a weekly digest, and the in-app list.

Reminders and passings are recorded once on the case files (``ReminderSent``,
``DeadlinePassed``); this module turns each into one message per recipient in an outbox, and
delivers the outbox through a mail sender, retrying with backoff until the mail system takes
each message or it runs out of attempts.

Exactly once, as far as the outbox can see to it:

- *Queued once.* ``catch_up`` reads the log from the outbox's own position and writes the
  messages and the new position in one transaction; a message's id is derived from the entry
  and the recipient, so writing it again is a no-op.
- *Sent once.* A worker claims a message (status ``sending``, with the claim time) in a
  transaction before sending it, so two workers never send the same message; a claim older
  than the policy's ``claim_timeout`` was left by a worker that died, and is taken over.
- *The window that remains.* A worker that dies after the mail server accepted a message but
  before ``sent`` was stored leaves the claim behind, and the message is sent again once the
  claim is abandoned. Every copy carries the same Message-ID (the message's id), which mail
  stores and clients use to recognise duplicates, and which lets anyone tracing a message
  match it to its outbox row. No outbox can close this window: the SMTP server's acceptance
  and our database commit cannot share a transaction.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from eventsourcing.utils import get_topic

from application.case_files import SchoolCaseFiles
from application.projections import CaseFileProjections
from domain.case_file import SchoolCaseFile
from domain.wording import long_date

log = logging.getLogger(__name__)
FIRINGS = (get_topic(SchoolCaseFile.ReminderSent), get_topic(SchoolCaseFile.DeadlinePassed))
BATCH = 200
HEAD = "Head of School Improvement"
FOOTER = ("Sent automatically by scc, the schools causing concern case files. "
          "Replies to this address are not read.")


class DeliveryFailed(Exception):
    """The mail system did not accept a message.

    ``permanent``: retrying cannot help (the recipient's address was refused).
    ``unreachable``: nothing could be sent just now (no connection, TLS or login failed), so the
    rest of a delivery pass waits rather than fail the same way message after message.
    """

    def __init__(self, reason: str, *, permanent: bool = False,
                 unreachable: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.unreachable = unreachable


@dataclass(frozen=True)
class Message:
    """One email to one person. ``id`` is deterministic and doubles as the Message-ID."""

    id: str
    kind: str  # "reminder", "passed" or "digest"
    recipient: str
    recipient_name: str
    subject: str
    body: str
    urn: int | None
    key: str | None  # the deadline's key, or "digest:<ISO week>"
    created_at: datetime
    attempts: int = 0


class MailSender(Protocol):
    """Hands messages to the mail system (adapters.smtp implements it)."""

    def send(self, message: Message) -> None:
        """Returns once the mail system has accepted the message; raises DeliveryFailed."""


class Outbox(Protocol):
    """Where messages wait to be sent, and the outbox's position in the event log
    (adapters.outbox implements it)."""

    def position(self) -> int:
        """The last notification id of the log turned into messages."""

    def queue(self, messages: Sequence[Message], *,
              log_range: tuple[int, int] | None = None) -> int | None:
        """Adds the messages whose id is not already in the outbox, and moves the position
        from ``log_range[0]`` to ``log_range[1]``, in one transaction. Returns how many were
        added; None (nothing written) if the position was no longer ``log_range[0]``."""

    def claim(self, now: datetime, *, abandoned_before: datetime) -> Message | None:
        """Marks the message due soonest as being sent by this worker and returns it (with
        ``attempts`` counting this one); None if nothing is due. Due: queued with its next
        attempt at or before ``now``, or, after every such message, claimed before
        ``abandoned_before`` and never finished."""

    def give_up_abandoned(self, abandoned_before: datetime, *, max_attempts: int) -> int:
        """Marks failed, with the reason, every message claimed before ``abandoned_before``
        and never finished whose claim was its last attempt; returns how many."""

    def mark_sent(self, message_id: str, *, at: datetime) -> None: ...

    def mark_attempt_failed(self, message_id: str, *, attempts: int, error: str,
                            retry_at: datetime | None) -> None:
        """Records a failed attempt of this worker's claim: queued again for ``retry_at``,
        or failed for good when that is None."""

    def waiting(self) -> int:
        """Messages not yet sent that will be tried again."""

    def delivery_state(self, *, failed_since: datetime) -> dict[str, Any]:
        """How delivery is going: ``waiting`` (messages not yet sent), ``oldest_waiting``
        (when the oldest of them was queued, or None), ``waiting_tried`` (of them, those whose
        last attempt failed), ``failed`` (messages queued since ``failed_since`` and given up
        on) and ``last_error`` (the newest reason an attempt failed, among those)."""

    def messages(self, *, recipient: str | None = None, limit: int = 50
                 ) -> list[dict[str, Any]]:
        """Messages newest first, with their delivery state; only one person's if given."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class NotificationPolicy:
    """Who is told, and how hard delivery tries (from settings)."""

    head_email: str | None = None
    """The Head of School Improvement: every passed deadline, and the reminders of schools
    without a caseworker (local policy: escalation)."""
    max_attempts: int = 10
    first_retry: timedelta = timedelta(minutes=1)
    longest_retry: timedelta = timedelta(hours=1)
    claim_timeout: timedelta = timedelta(minutes=10)
    """Longer than any one send can take (the SMTP timeout), or a slow send is duplicated."""
    base_url: str | None = None
    """The web app's address (``SCC_BASE_URL``): an email links to the page it is about."""
    late_after: timedelta = timedelta(minutes=15)
    """A message still waiting this long after it was queued means mail is not going out:
    the head's dashboard says so (a few minutes covers a retry or two of a brief hiccup)."""
    digest_days: int = 14
    fresh_for: timedelta = timedelta(days=7)
    """A reminder or passing recorded longer ago than this when the outbox comes to it is
    not emailed: it belongs to a log the outbox never followed (one moved here with
    ``scc import-log``, or recorded before mail was set up), and would only tell people now
    of deadlines long gone. A worker that was down records what fell due meanwhile when it
    comes back, as new entries, so those are sent."""

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("A message is tried at least once")

    def retry_after(self, attempts: int) -> timedelta:
        """1, 2, 4, 8 ... minutes after the 1st, 2nd, 3rd, 4th ... failure, at most an hour."""
        return min(self.first_retry * 2 ** (max(attempts, 1) - 1), self.longest_retry)


class Notifications:
    """Queues and delivers the LA's emails; lists each person's messages."""

    def __init__(self, case_files: SchoolCaseFiles, outbox: Outbox, sender: MailSender,
                 projections: CaseFileProjections,
                 policy: NotificationPolicy | None = None) -> None:
        self.case_files = case_files
        self.outbox = outbox
        self.sender = sender
        self.projections = projections
        self.policy = policy or NotificationPolicy()

    def close(self) -> None:
        self.outbox.close()
        self.projections.store.close()

    # Queueing ---------------------------------------------------------------------------

    def catch_up(self, pages: int | None = None) -> int:
        """Turns the reminders and passings recorded since the last call into messages
        (at most ``pages`` pages of BATCH of them, if given); returns how many messages
        were queued."""
        recorder, mapper = self.case_files.recorder, self.case_files.mapper
        queued = 0
        for _ in itertools.repeat(None) if pages is None else range(pages):
            position = self.outbox.position()
            page = recorder.select_notifications(position + 1, BATCH, topics=FIRINGS)
            if not page:
                return queued
            now = self.case_files.clock.now()
            fresh = (e for e in map(mapper.to_domain_event, page)
                     if e.timestamp >= now - self.policy.fresh_for)
            messages = [m for event in fresh for m in self._firing(event, now)]
            added = self.outbox.queue(messages, log_range=(position, page[-1].id))
            queued += added or 0  # None: another worker queued this page first
        return queued

    def queue_digests(self, today: date) -> int:
        """Queues this ISO week's digest for every caseworker with schools, and for the
        Head of School Improvement: what is overdue and what falls due in the next two weeks.
        Once per person per week, whoever asks; returns how many were queued."""
        self.projections.catch_up(("school_status", "deadlines"))
        store = self.projections.store
        schools = {s["urn"]: s for s in store.schools()
                   if s["closed_on"] is None or s["closed_on"] > today}
        readers: dict[str, tuple[str, set[int] | None]] = {}  # email: (name, urns or all)
        for urn, row in schools.items():
            if row["caseworker"] and (worker := self.case_files.state_of(urn).caseworker):
                name, email = worker
                readers.setdefault(email.strip().lower(), (name, set()))[1].add(urn)
        if self.policy.head_email:
            readers[self.policy.head_email.strip().lower()] = (HEAD, None)
        horizon = today + timedelta(days=self.policy.digest_days - 1)
        listed = [d for d in store.deadlines()
                  if d["urn"] in schools and not d["suspended"] and d["due"] <= horizon]
        now = self.case_files.clock.now()
        year, week, _ = today.isocalendar()
        messages = []
        for email, (name, urns) in sorted(readers.items()):
            mine = [d for d in listed if urns is None or d["urn"] in urns]
            count = len(schools) if urns is None else len(urns)
            subject, body = _digest(name, today, horizon, mine, schools, count, urns is None,
                                    self.policy.base_url)
            messages.append(Message(
                _message_id("digest", f"{year}-W{week:02d}", email), "digest", email, name,
                subject, body, None, f"digest:{year}-W{week:02d}", now))
        return self.outbox.queue(messages) or 0

    # Delivering -------------------------------------------------------------------------

    def deliver(self, now: datetime) -> dict[str, int]:
        """Sends every message due at ``now``; a failed send is tried again later, 1, 2, 4
        ... minutes on (at most an hour), until the policy's last attempt marks it failed.

        Any failure counts as an attempt, whatever raised it: a message that cannot be
        written is failed at once with the reason, and one that raised something unforeseen
        is tried again like any other. A claim a worker abandoned (it stopped while sending)
        counted as an attempt too, so a message whose sending keeps killing the worker is
        failed after the last attempt ("abandoned"), and never holds up the others: messages
        due are claimed before abandoned ones.

        Returns counts: ``sent``; ``failed`` (attempts that failed in this pass); ``given_up``
        (of those, and of claims abandoned on the last attempt, messages now failed for good);
        ``waiting`` (still to be sent, later).
        """
        started = time.monotonic()
        sent = failed = 0
        given_up = self.outbox.give_up_abandoned(
            now - self.policy.claim_timeout, max_attempts=self.policy.max_attempts)
        while True:
            # Claims carry the real time, so a long pass's claims do not look abandoned.
            moment = now + timedelta(seconds=time.monotonic() - started)
            message = self.outbox.claim(
                moment, abandoned_before=moment - self.policy.claim_timeout)
            if message is None:
                break
            try:
                self.sender.send(message)
            except Exception as error:  # noqa: BLE001 - one message's fault stops no other
                if not isinstance(error, DeliveryFailed):
                    log.exception("Sending message %s failed unexpectedly", message.id)
                    error = DeliveryFailed(  # noqa: PLW2901
                        f"The email could not be sent: {type(error).__name__}: {error}")
                failed += 1
                final = error.permanent or message.attempts >= self.policy.max_attempts
                given_up += final
                retry_at = None if final else moment + self.policy.retry_after(message.attempts)
                self.outbox.mark_attempt_failed(message.id, attempts=message.attempts,
                                                error=str(error), retry_at=retry_at)
                if error.unreachable:
                    break
            else:
                self.outbox.mark_sent(message.id, at=moment)
                sent += 1
        return {"sent": sent, "failed": failed, "given_up": given_up,
                "waiting": self.outbox.waiting()}

    def trouble(self, now: datetime) -> dict[str, Any] | None:
        """Why mail is not going out, if it is not: a message waiting longer than
        ``late_after`` (the mail server refuses or cannot be reached, or nothing delivers),
        or messages given up on in the last ``fresh_for``. None while mail flows."""
        state = self.outbox.delivery_state(failed_since=now - self.policy.fresh_for)
        oldest = state["oldest_waiting"]
        late = oldest is not None and oldest <= now - self.policy.late_after
        if not (late or state["failed"]):
            return None
        return {**state, "late": late}

    # The in-app list -------------------------------------------------------------------

    def inbox(self, email: str, limit: int = 50) -> list[dict[str, Any]]:
        """A person's messages, newest first, each with its delivery status."""
        return self.outbox.messages(recipient=email, limit=limit)

    def recent(self, limit: int = 50) -> list[dict[str, Any]]:
        """Everyone's messages, newest first: the outbox as the administrator sees it."""
        return self.outbox.messages(limit=limit)

    # Writing the messages ---------------------------------------------------------------

    def _firing(self, event: Any, now: datetime) -> list[Message]:
        urn = self.case_files.urn_of(event.originator_id)
        state = self.case_files.state_of(urn)
        passed = type(event).__name__ == "DeadlinePassed"
        deadline = _deadline(self.case_files.deadlines(urn), event.key) or _deadline(
            self.case_files.deadlines_at_entry(urn, event.originator_version), event.key)
        what = deadline.what if deadline else "A deadline"  # never the internal key
        school = state.school.name if state.school else f"URN {urn}"
        recipients: dict[str, tuple[str, str]] = {}  # email: (name, why)
        owner = (deadline.owner or "").strip().lower() if deadline else ""
        caseworker = state.caseworker[1].strip().lower() if state.caseworker else ""
        if owner and owner != caseworker:  # a task's or an MSP action's own owner acts on it
            recipients[owner] = (_owner_name(state, owner), "owner")
        elif state.caseworker:
            recipients[caseworker] = (state.caseworker[0], "caseworker")
        head = self.policy.head_email
        if head and (passed or not state.caseworker):
            recipients.setdefault(head.strip().lower(), (HEAD, "head"))
        entry = f"{event.originator_id}:{event.originator_version}"
        # An address erased under the retention schedule reads as the erasure's note: no one
        # to write to (the head still hears of a passed deadline)
        recipients = {email: why for email, why in recipients.items() if "@" in email}
        return [
            Message(_message_id("entry", entry, email), "passed" if passed else "reminder",
                    email, name, *_firing_text(event, passed, what, school, urn, name, why,
                                               state.caseworker, self.policy.base_url),
                    urn, event.key, now)
            for email, (name, why) in recipients.items()
        ]


def _deadline(deadlines: list[Any], key: str) -> Any | None:
    return next((d for d in deadlines if d.key == key), None)


def _owner_name(state: Any, email: str) -> str:
    """The name a task or an MSP action gives its owner (their email if neither names it)."""
    named = [(t.owner_email, t.owner_name) for t in state.tasks.values()] + [
        (a.owner_email, a.owner) for a in state.msp_actions.values()]
    return next((name for address, name in reversed(named)
                 if (address or "").strip().lower() == email), email)


def _message_id(*parts: str) -> str:
    """The same message to the same person always gets the same id (and Message-ID)."""
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _firing_text(event: Any, passed: bool, what: str, school: str, urn: int, name: str,
                 why: str, caseworker: tuple[str, str] | None,
                 base_url: str | None) -> tuple[str, str]:
    """Subject and body of a reminder or a passing, in the LA's words, linking to the case
    file when the web app's address is known."""
    thing, _, detail = what.partition(": ")
    headline = f"{_lower_first(thing)} at {school} (URN {urn})" + (f": {detail}" if detail
                                                                    else "")
    ends = headline.endswith(" ends")
    due = long_date(event.due)
    if passed:
        subject = "Deadline passed: " + (f"{headline[:-5]} ended on {due}" if ends
                                         else f"{headline}, was due {due}")
        timing = (f"This was due on {event.due:%A} {due}. The case file does not record it "
                  "as done: record what happened, or extend or suspend the deadline with a "
                  "reason.")
    else:
        days = event.working_days_before
        soon = f"{days} working day{'s' if days != 1 else ''} from now"
        subject = "Reminder: " + (f"{headline} on {due}, {soon}" if ends
                                  else f"{headline}, due {due}, {soon}")
        timing = f"Due on {event.due:%A} {due}, {soon}."
    if why == "caseworker":
        reason = "You are receiving this as the school's caseworker."
    elif why == "owner":
        reason = "You are receiving this because it is yours to do."
    elif caseworker:
        reason = (f"You are receiving this as {HEAD}: a deadline has passed. The school's "
                  f"caseworker is {caseworker[0]} ({caseworker[1]}).")
    else:
        reason = (f"You are receiving this as {HEAD} because no caseworker is assigned to "
                  "this school.")
    body = "\n".join([
        f"Dear {name},", "",
        f"{school} (URN {urn})", f"{what}.", timing, "",
        reason, "",
        (f"Open the case file: {base_url}/schools/{urn}" if base_url else
         f"Open the case file in scc: search for URN {urn}."),
        f"Reference: entry {event.originator_version} of the case file.",
        "", "-- ", FOOTER, "",
    ])
    return subject, body


def _digest(name: str, today: date, horizon: date, deadlines: list[dict[str, Any]],
            schools: dict[int, dict[str, Any]], school_count: int, everyone: bool,
            base_url: str | None = None) -> tuple[str, str]:
    """Subject and body of one person's weekly digest."""
    overdue = [d for d in deadlines if d["due"] < today]
    coming = [d for d in deadlines if d["due"] >= today]
    monday = today - timedelta(days=today.weekday())
    subject = (f"Weekly digest for the week of {long_date(monday)}: {len(overdue)} overdue, "
               f"{len(coming)} due in the next two weeks")
    whose = (f"all {school_count} open schools" if everyone else
             f"the {school_count} school{'s' if school_count != 1 else ''} you are the "
             "caseworker for")
    lines = [f"Dear {name},", "",
             f"What is overdue and what falls due by {horizon:%A} {long_date(horizon)}, "
             f"across {whose}.", ""]
    for title, rows, empty in (
        (f"Overdue ({len(overdue)})", overdue, "Nothing is overdue."),
        (f"Due in the next two weeks ({len(coming)})", coming,
         "Nothing falls due in the next two weeks."),
    ):
        lines += [title, ""]
        lines += [f"- {long_date(d['due'])}: {schools[d['urn']]['name']} (URN {d['urn']}): "
                  f"{d['what']}" for d in sorted(rows, key=_digest_order(schools))] or [empty]
        lines.append("")
    lines += ["Overdue items stay on this list until the case file records them as done, or "
              "the deadline is extended or suspended."]
    if base_url:
        lines += ["", f"Open the deadlines calendar: {base_url}/reports/deadlines"]
    lines += ["", "-- ", FOOTER, ""]
    return subject, "\n".join(lines)


def _digest_order(schools: dict[int, dict[str, Any]]) -> Any:
    return lambda d: (d["due"], schools[d["urn"]]["name"], d["urn"], d["key"])


def _lower_first(text: str) -> str:
    """'Warning notice WN1' reads 'warning notice WN1' mid-sentence; 'MSP meeting' stays."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text
