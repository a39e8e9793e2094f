"""Notifications over a real SMTP server on 127.0.0.1: queued once, sent once, retried, listed."""

from __future__ import annotations

import asyncio
import dataclasses
import email
import email.policy
import json
import shutil
import socket
import ssl
import subprocess
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner

from adapters.bootstrap import build_notifications
from adapters.config import Settings
from adapters.smtp import SMTPSender
from application.notifications import DeliveryFailed, Message, NotificationPolicy
from cli.main import scc
from domain.deadlines import PASSED
from tests.sign_off import approved

HEAD = "Head of School Improvement"
HEAD_EMAIL = "head.si@fenmarsh.gov.uk"
ALEX = ("Alex Reed", "alex.reed@fenmarsh.gov.uk")
SAM = ("Sam Okafor", "sam.okafor@fenmarsh.gov.uk")
FROM = "scc@fenmarsh.gov.uk"
BASE_URL = "https://scc.fenmarsh.gov.uk"
MARSH_LANE = 990101


# A real SMTP server ----------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """What an aiosmtpd server accepted: (envelope recipients, parsed message)."""

    def __init__(self, refuse: tuple[str, ...] = ()) -> None:
        self.received: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse = refuse
        self.delay = 0.0
        self.logins: list[str] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    @staticmethod
    def text(message: email.message.EmailMessage) -> str:
        """The body as written (SMTP carries lines ended by CRLF)."""
        return message.get_content().replace("\r\n", "\n")

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for _, m in self.received]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpt, m in self.received if address in rcpt]


class MailServer:
    def __init__(self, port: int | None = None, **options) -> None:
        self.port = port or free_port()
        self.mailbox = Mailbox()
        self.options = options
        self.controller: Controller | None = None

    def start(self) -> MailServer:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port,
                                     **self.options)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def mail_server():
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def build(database_url):
    """Notifications on the test database sending to a port on 127.0.0.1; closed at the end."""
    built = []

    def make(case_files, port: int, **policy):
        settings = Settings(database_url=database_url, smtp_port=port, mail_from=FROM,
                            head_email=HEAD_EMAIL, base_url=BASE_URL)
        notes = build_notifications(settings, case_files)
        notes.sender.timeout = 5
        if policy:
            notes.policy = dataclasses.replace(notes.policy, **policy)
        built.append(notes)
        return notes

    yield make
    for notes in built:
        notes.close()


# The case files ---------------------------------------------------------------------------

def register(case_files, urn, name):
    case_files.register_school(
        by=HEAD, effective=date(2010, 9, 1), urn=urn, name=name, phase="Primary",
        establishment_type="Community school", governance="maintained", la_code="999",
        pupils=200)


def warning_notice(case_files, urn, effective, period=10):
    return approved(case_files, "issue_warning_notice",
        urn, by=HEAD, effective=effective, grounds=["a"], matters="Low standards",
        required_actions="An action plan", minded_action="An IEB", compliance_period=period)


def marsh_lane(case_files, caseworker=ALEX):
    """Marsh Lane Primary with warning notice WN1, given 16 November 2026: its compliance
    period ends on 30 November 2026; the five-day reminder is due on 23 November (today)."""
    register(case_files, MARSH_LANE, "Marsh Lane Primary")
    if caseworker:
        case_files.assign_caseworker(MARSH_LANE, by=HEAD, effective=date(2026, 11, 2),
                                     name=caseworker[0], email=caseworker[1])
    warning_notice(case_files, MARSH_LANE, date(2026, 11, 16))


def fire(case_files, urn, working_days_before):
    (firing,) = [f for f in case_files.firings(urn)
                 if f.working_days_before == working_days_before]
    case_files.clock.move_to(firing.on)
    assert case_files.fire(firing)
    return firing


REMINDER = ("Reminder: warning notice WN1 at Marsh Lane Primary (URN 990101): compliance "
            "period ends on 30 November 2026, 5 working days from now")
PASSING = ("Deadline passed: warning notice WN1 at Marsh Lane Primary (URN 990101): "
           "compliance period ended on 30 November 2026")


# Reminders and passings ---------------------------------------------------------------------

def test_a_reminder_becomes_one_email_to_the_caseworker_and_is_never_sent_twice(
        case_files, clock, mail_server, build):
    marsh_lane(case_files)
    fire(case_files, MARSH_LANE, 5)
    notes = build(case_files, mail_server.port)

    assert notes.catch_up() == 1
    assert notes.deliver(clock.now()) == {"sent": 1, "failed": 0, "given_up": 0, "waiting": 0}
    # Check running everything again (a restart, a second worker) sends nothing more.
    assert notes.catch_up() == 0
    assert build(case_files, mail_server.port).catch_up() == 0
    assert notes.deliver(clock.now() + timedelta(hours=2))["sent"] == 0

    ((rcpt, mail),) = mail_server.mailbox.received
    assert rcpt == [ALEX[1]]
    assert mail["To"] == f"{ALEX[0]} <{ALEX[1]}>"
    assert mail["From"] == FROM
    assert mail["Subject"] == REMINDER
    assert mail["Auto-Submitted"] == "auto-generated"
    body = Mailbox.text(mail)
    assert body.startswith("Dear Alex Reed,\n\nMarsh Lane Primary (URN 990101)\n"
                           "Warning notice WN1: compliance period ends.\n"
                           "Due on Monday 30 November 2026, 5 working days from now.\n")
    assert "You are receiving this as the school's caseworker." in body
    # Check it links to the case file's page and names the deadline in words, not its key
    assert f"Open the case file: {BASE_URL}/schools/990101\n" in body
    assert "scc history" not in body and "compliance:WN1" not in body
    # Check the Message-ID is the outbox row's deterministic id.
    (row,) = notes.inbox(ALEX[1])
    assert mail["Message-ID"] == f"<{row['id']}@fenmarsh.gov.uk>"
    assert (row["status"], row["attempts"], row["kind"]) == ("sent", 1, "reminder")
    assert notes.inbox(HEAD_EMAIL) == []  # the school has a caseworker: no escalation


def test_reminders_recorded_more_than_a_week_before_the_outbox_reads_them_are_not_emailed(
        case_files, clock, mail_server, build):
    # As when mail is set up on a store that has been recording reminders for months, or a
    # log is moved in: what fell due long ago is not news to send now.
    marsh_lane(case_files)
    fire(case_files, MARSH_LANE, 5)
    fire(case_files, MARSH_LANE, PASSED)
    notes = build(case_files, mail_server.port)

    clock.move_to(clock.now() + timedelta(days=8))
    assert notes.catch_up() == 0
    assert notes.deliver(clock.now())["sent"] == 0
    assert mail_server.mailbox.received == []


def test_reminders_recorded_within_the_week_are_emailed_however_late_the_outbox_reads_them(
        case_files, clock, mail_server, build):
    marsh_lane(case_files)
    fire(case_files, MARSH_LANE, 5)
    notes = build(case_files, mail_server.port)

    clock.move_to(clock.now() + timedelta(days=6))
    assert notes.catch_up() == 1
    assert notes.deliver(clock.now())["sent"] == 1
    assert [m["Subject"] for _, m in mail_server.mailbox.received] == [REMINDER]


def test_a_passed_deadline_goes_to_the_caseworker_and_the_head(
        case_files, clock, mail_server, build):
    marsh_lane(case_files)
    fire(case_files, MARSH_LANE, PASSED)
    notes = build(case_files, mail_server.port)

    assert notes.catch_up() == 2
    assert notes.deliver(clock.now())["sent"] == 2

    (to_alex,) = mail_server.mailbox.to(ALEX[1])
    (to_head,) = mail_server.mailbox.to(HEAD_EMAIL)
    assert to_alex["Subject"] == to_head["Subject"] == PASSING
    assert to_head["To"] == f"{HEAD} <{HEAD_EMAIL}>"
    head_body = Mailbox.text(to_head)
    assert "This was due on Monday 30 November 2026." in head_body
    assert ("You are receiving this as Head of School Improvement: a deadline has passed. "
            "The school's caseworker is Alex Reed (alex.reed@fenmarsh.gov.uk).") in head_body
    assert to_alex["Message-ID"] != to_head["Message-ID"]


def test_the_reminders_of_a_school_without_a_caseworker_go_to_the_head(
        case_files, clock, mail_server, build):
    marsh_lane(case_files, caseworker=None)
    fire(case_files, MARSH_LANE, 5)
    notes = build(case_files, mail_server.port)

    notes.catch_up()
    notes.deliver(clock.now())

    ((rcpt, mail),) = mail_server.mailbox.received
    assert rcpt == [HEAD_EMAIL] and mail["Subject"] == REMINDER
    assert "because no caseworker is assigned to this school" in Mailbox.text(mail)


def test_a_tasks_reminder_goes_to_its_owner_not_the_schools_caseworker(
        case_files, clock, mail_server, build):
    marsh_lane(case_files)
    case_files.set_task(MARSH_LANE, by=HEAD, effective=date(2026, 11, 16),
                        what="Book the governors' training", owner_name="Priya Shah",
                        owner_email="Priya.Shah@fenmarsh.gov.uk", due=date(2026, 12, 4))
    (firing,) = [f for f in case_files.firings(MARSH_LANE)
                 if f.key == "task:T1" and f.working_days_before == 1]
    clock.move_to(firing.on)
    assert case_files.fire(firing)
    notes = build(case_files, mail_server.port)

    notes.catch_up()
    notes.deliver(clock.now())

    ((rcpt, mail),) = [(r, m) for r, m in mail_server.mailbox.received
                       if "Book the governors" in m["Subject"]]
    assert rcpt == ["priya.shah@fenmarsh.gov.uk"]
    assert mail["To"] == "Priya Shah <priya.shah@fenmarsh.gov.uk>"
    body = Mailbox.text(mail)
    assert body.startswith("Dear Priya Shah,")
    assert "You are receiving this because it is yours to do." in body


# Failures and retries ---------------------------------------------------------------------

def test_a_failed_send_is_retried_with_backoff_and_delivered_exactly_once(
        case_files, clock, build):
    marsh_lane(case_files)
    fire(case_files, MARSH_LANE, PASSED)
    server = MailServer()  # its port is closed: nothing listens yet
    notes = build(case_files, server.port)
    notes.catch_up()
    t0 = clock.now()

    first = notes.deliver(t0)

    # Check the server being down ends the pass: one attempt fails, the other message waits.
    assert first == {"sent": 0, "failed": 1, "given_up": 0, "waiting": 2}
    tried = [r for r in notes.recent() if r["attempts"]]
    assert len(tried) == 1 and tried[0]["status"] == "queued"
    assert "Cannot connect to the mail server 127.0.0.1" in tried[0]["last_error"]
    retry = tried[0]["next_attempt_at"] - t0
    assert timedelta(minutes=1) <= retry < timedelta(minutes=1, seconds=5)

    # Check the oldest message goes first: the one not yet tried, which fails in turn.
    second = notes.deliver(t0 + timedelta(seconds=90))
    assert (second["failed"], second["waiting"]) == (1, 2)
    assert [r["attempts"] for r in notes.recent()] == [1, 1]

    # Check the first one's second failure waits twice as long: two minutes.
    third = notes.deliver(t0 + timedelta(seconds=100))
    assert third["failed"] == 1
    again_tried = next(r for r in notes.recent() if r["id"] == tried[0]["id"])
    assert again_tried["attempts"] == 2
    retry = again_tried["next_attempt_at"] - (t0 + timedelta(seconds=100))
    assert timedelta(minutes=2) <= retry < timedelta(minutes=2, seconds=5)

    # Check nothing is tried before its time.
    assert notes.deliver(t0 + timedelta(seconds=110))["failed"] == 0

    server.start()
    try:
        back = notes.deliver(t0 + timedelta(minutes=4))
        again = notes.deliver(t0 + timedelta(hours=3))
    finally:
        server.stop()
    assert back == {"sent": 2, "failed": 0, "given_up": 0, "waiting": 0}
    assert again["sent"] == 0
    assert sorted(r[0][0] for r in server.mailbox.received) == sorted([ALEX[1], HEAD_EMAIL])
    # Check the last error stays on record with the attempts it took.
    assert sorted((r["status"], r["attempts"]) for r in notes.recent()) == [
        ("sent", 2), ("sent", 3)]


def test_a_message_that_keeps_failing_is_marked_failed_and_still_listed(
        case_files, clock, build):
    marsh_lane(case_files)
    fire(case_files, MARSH_LANE, 5)
    notes = build(case_files, free_port(), max_attempts=3)
    notes.catch_up()
    now = clock.now()

    results = []
    for _ in range(4):
        results.append(notes.deliver(now))
        now += timedelta(hours=1)

    assert [(r["failed"], r["given_up"], r["waiting"]) for r in results] == [
        (1, 0, 1), (1, 0, 1), (1, 1, 0), (0, 0, 0)]
    (row,) = notes.inbox(ALEX[1])
    assert (row["status"], row["attempts"]) == ("failed", 3)
    assert "Connection refused" in row["last_error"]


def test_backoff_doubles_up_to_an_hour():
    policy = NotificationPolicy()

    assert [policy.retry_after(n) for n in range(1, 9)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60)]


def test_a_refused_address_is_not_retried(case_files, clock, build):
    server = MailServer()
    server.mailbox.refuse = (ALEX[1],)
    server.start()
    try:
        marsh_lane(case_files)
        fire(case_files, MARSH_LANE, PASSED)
        notes = build(case_files, server.port)
        notes.catch_up()
        counts = notes.deliver(clock.now())
    finally:
        server.stop()

    # Check the refusal is final for Alex and does not hold up the head's copy.
    assert counts == {"sent": 1, "failed": 1, "given_up": 1, "waiting": 0}
    (row,) = notes.inbox(ALEX[1])
    assert row["status"] == "failed" and "550" in row["last_error"]
    assert [r[0] for r in server.mailbox.received] == [[HEAD_EMAIL]]


def test_a_claim_left_by_a_worker_that_died_is_taken_over_after_the_timeout(
        case_files, clock, mail_server, build):
    marsh_lane(case_files)
    fire(case_files, MARSH_LANE, 5)
    notes = build(case_files, mail_server.port)
    notes.catch_up()
    now = clock.now()
    dead = notes.outbox.claim(now, abandoned_before=now - timedelta(minutes=10))
    assert dead is not None  # claimed, then the worker died before sending

    assert notes.deliver(now + timedelta(minutes=5))["sent"] == 0  # it may still be sending
    assert notes.deliver(now + timedelta(minutes=11))["sent"] == 1
    assert notes.deliver(now + timedelta(minutes=30))["sent"] == 0
    assert len(mail_server.mailbox.received) == 1
    assert notes.inbox(ALEX[1])[0]["attempts"] == 2


def test_two_workers_delivering_at_once_send_each_message_once(
        case_files, clock, mail_server, build):
    for n in range(12):
        register(case_files, 990200 + n, f"Fen School {n}")
        case_files.assign_caseworker(990200 + n, by=HEAD, effective=date(2026, 11, 2),
                                     name=ALEX[0], email=ALEX[1])
        warning_notice(case_files, 990200 + n, date(2026, 11, 16))
    clock.move_to(date(2026, 12, 1))
    for n in range(12):
        (passing,) = [f for f in case_files.firings(990200 + n) if f.working_days_before == 0]
        assert case_files.fire(passing)
    workers = [build(case_files, mail_server.port), build(case_files, mail_server.port)]
    mail_server.mailbox.delay = 0.005
    start = threading.Barrier(2)
    queued, delivered, errors = [], [], []

    def work(notes):
        try:
            start.wait()
            queued.append(notes.catch_up())
            delivered.append(notes.deliver(clock.now()))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert errors == []
    assert sum(queued) == 24  # twelve passings, to Alex and to the head
    assert sum(d["sent"] for d in delivered) == 24
    ids = mail_server.mailbox.message_ids()
    assert len(ids) == 24 and len(set(ids)) == 24
    assert {r["status"] for r in workers[0].recent(limit=100)} == {"sent"}


def queued(notes, *messages: Message) -> None:
    """Messages put in the outbox as older versions wrote them (before names were stored on
    one line, or with a head's address set wrongly)."""
    assert notes.outbox.queue(list(messages)) == len(messages)


def test_a_line_break_in_a_name_written_before_names_were_normalised_is_sent_on_one_line(
        clock, mail_server, case_files, build):
    notes = build(case_files, mail_server.port)
    queued(notes, dataclasses.replace(
        a_message(), recipient_name="Alex\r\nReed",
        subject="Reminder: at Evil School\r\nBcc: attacker@evil.example (URN 990101)",
        created_at=clock.now()))

    counts = notes.deliver(clock.now())

    assert counts == {"sent": 1, "failed": 0, "given_up": 0, "waiting": 0}
    ((rcpt, mail),) = mail_server.mailbox.received
    assert rcpt == [ALEX[1]] and mail["Bcc"] is None
    assert mail["Subject"] == "Reminder: at Evil School Bcc: attacker@evil.example (URN 990101)"
    assert mail["To"] == f"Alex Reed <{ALEX[1]}>"


def test_a_message_that_cannot_be_written_is_failed_with_the_reason_and_stops_no_other(
        clock, mail_server, case_files, build):
    notes = build(case_files, mail_server.port)
    bad = dataclasses.replace(a_message(), id="0a" * 32, recipient=f"{HEAD_EMAIL}\nBcc: x@y",
                              created_at=clock.now() - timedelta(hours=1))
    good = dataclasses.replace(a_message(), created_at=clock.now())
    queued(notes, bad, good)

    counts = notes.deliver(clock.now())

    # Check the one that cannot be written is failed at once, saying why, and the next is sent
    assert counts == {"sent": 1, "failed": 1, "given_up": 1, "waiting": 0}
    assert [rcpt for rcpt, _ in mail_server.mailbox.received] == [[ALEX[1]]]
    (row,) = [r for r in notes.recent() if r["id"] == bad.id]
    assert (row["status"], row["attempts"]) == ("failed", 1)
    assert row["last_error"].startswith("The email could not be written: ")
    assert "linefeed" in row["last_error"]


def test_a_claim_abandoned_on_its_last_attempt_is_marked_failed(
        case_files, clock, mail_server, build):
    marsh_lane(case_files)
    fire(case_files, MARSH_LANE, 5)
    notes = build(case_files, mail_server.port, max_attempts=2)
    notes.catch_up()
    now = clock.now()
    # Check each claim a worker dies holding counts as an attempt
    assert notes.outbox.claim(now, abandoned_before=now - timedelta(minutes=10))
    later = now + timedelta(minutes=11)
    assert notes.outbox.claim(later, abandoned_before=later - timedelta(minutes=10))

    counts = notes.deliver(now + timedelta(minutes=22))

    assert counts == {"sent": 0, "failed": 0, "given_up": 1, "waiting": 0}
    assert mail_server.mailbox.received == []
    (row,) = notes.inbox(ALEX[1])
    assert (row["status"], row["attempts"]) == ("failed", 2)
    assert row["last_error"].startswith("Given up after 2 attempts: the worker sending it")


def test_messages_due_are_sent_before_an_older_claim_a_worker_abandoned(
        case_files, clock, mail_server, build):
    marsh_lane(case_files)
    fire(case_files, MARSH_LANE, 5)
    notes = build(case_files, mail_server.port)
    notes.catch_up()
    stuck = notes.outbox.claim(clock.now(), abandoned_before=clock.now())  # then it died
    fire(case_files, MARSH_LANE, PASSED)  # a week on: the passing, to Alex and the head
    notes.catch_up()

    assert notes.deliver(clock.now())["sent"] == 3

    subjects = [m["Subject"] for _, m in mail_server.mailbox.received]
    assert subjects == [PASSING, PASSING, REMINDER]
    assert stuck.subject == REMINDER


# Weekly digests ---------------------------------------------------------------------------

def test_a_caseworkers_weekly_digest_lists_what_is_overdue_and_due_in_two_weeks(
        case_files, clock, mail_server, build):
    register(case_files, 990301, "Marsh Lane Primary")
    register(case_files, 990302, "Reedbank Infants")
    register(case_files, 990303, "Dykeside Junior")
    for urn, (name, address) in ((990301, ALEX), (990302, ALEX), (990303, SAM)):
        case_files.assign_caseworker(urn, by=HEAD, effective=date(2026, 9, 1), name=name,
                                     email=address)
    warning_notice(case_files, 990301, date(2026, 10, 1))  # ended 15 October: overdue
    (passing,) = [f for f in case_files.firings(990301) if f.working_days_before == PASSED]
    assert case_files.fire(passing)  # so the decision on intervention falls due too
    case_files.establish_msp_group(990302, by=HEAD, effective=date(2026, 11, 2),
                                   members=["Alex Reed", "Chair"], cadence_weeks=4)
    warning_notice(case_files, 990302, date(2026, 11, 23), period=20)  # 21 December: later
    warning_notice(case_files, 990303, date(2026, 10, 1))  # Sam's, not Alex's
    notes = build(case_files, mail_server.port)
    monday = date(2026, 11, 23)

    assert notes.queue_digests(monday) == 3  # Alex, Sam and the head
    notes.deliver(clock.now())

    (digest,) = mail_server.mailbox.to(ALEX[1])
    assert digest["Subject"] == ("Weekly digest for the week of 23 November 2026: 2 overdue, "
                                 "1 due in the next two weeks")
    assert Mailbox.text(digest) == "\n".join([
        "Dear Alex Reed,",
        "",
        "What is overdue and what falls due by Sunday 6 December 2026, across the 2 schools "
        "you are the caseworker for.",
        "",
        "Overdue (2)",
        "",
        "- 15 October 2026: Marsh Lane Primary (URN 990301): Warning notice WN1: compliance "
        "period ends",
        "- 16 October 2026: Marsh Lane Primary (URN 990301): Decide on intervention after "
        "warning notice WN1: give written notice (s60(1)(d)) or record the outcome",
        "",
        "Due in the next two weeks (1)",
        "",
        "- 30 November 2026: Reedbank Infants (URN 990302): Arrange the next MSP meeting "
        "(every 4 weeks)",
        "",
        "Overdue items stay on this list until the case file records them as done, or the "
        "deadline is extended or suspended.",
        "",
        f"Open the deadlines calendar: {BASE_URL}/reports/deadlines",
        "",
        "-- ",
        "Sent automatically by scc, the schools causing concern case files. Replies to this "
        "address are not read.",
        "",
    ])
    (to_head,) = mail_server.mailbox.to(HEAD_EMAIL)
    assert "3 overdue, 1 due" in to_head["Subject"]
    assert "across all 3 open schools" in Mailbox.text(to_head)

    # Check a second run in the same week queues nothing; the next week gets its own digest.
    assert notes.queue_digests(date(2026, 11, 27)) == 0
    assert notes.deliver(clock.now())["sent"] == 0
    assert notes.queue_digests(date(2026, 11, 30)) == 3


# The in-app list --------------------------------------------------------------------------

def test_the_inbox_lists_a_persons_messages_newest_first_with_their_status(
        case_files, clock, mail_server, build):
    marsh_lane(case_files)
    notes = build(case_files, mail_server.port)
    fire(case_files, MARSH_LANE, 5)
    notes.catch_up()
    notes.deliver(clock.now())
    fire(case_files, MARSH_LANE, PASSED)
    notes.catch_up()
    notes.queue_digests(clock.today())

    inbox = notes.inbox("Alex.Reed@Fenmarsh.gov.uk")

    assert [(r["kind"], r["status"]) for r in inbox] == [
        ("digest", "queued"), ("passed", "queued"), ("reminder", "sent")]
    assert inbox[1]["subject"] == PASSING and inbox[1]["urn"] == MARSH_LANE
    assert inbox[2]["sent_at"] is not None and inbox[2]["sent_at"].tzinfo is not None
    assert [r["kind"] for r in notes.inbox(HEAD_EMAIL)] == ["digest", "passed"]
    assert notes.inbox("nobody@fenmarsh.gov.uk") == []
    assert len(notes.inbox(ALEX[1], limit=1)) == 1


def test_scc_notifications_sends_and_lists(case_files, database_url, mail_server):
    marsh_lane(case_files)
    fire(case_files, MARSH_LANE, 5)
    env = {"SCC_DATABASE_URL": database_url, "SCC_SMTP_PORT": str(mail_server.port),
           "SCC_MAIL_FROM": FROM, "SCC_HEAD_EMAIL": HEAD_EMAIL, "SCC_TERM_DATES": None,
           "SCC_READ_MODEL_URL": None, "SCC_SMTP_SECURITY": None, "SCC_SMTP_HOST": None}
    runner = CliRunner()

    # The command runs on the test's clock: the day the reminder fell due
    with time_machine.travel(case_files.clock.now(), tick=True):
        sent = runner.invoke(scc, ["notifications", "send"], env=env)
        again = runner.invoke(scc, ["notifications", "send"], env=env)
        listed = runner.invoke(scc, ["notifications", "--email", ALEX[1]], env=env)
        as_json = runner.invoke(scc, ["notifications", "--format", "json"], env=env)
        nobody = runner.invoke(scc, ["notifications", "--email", HEAD_EMAIL], env=env)

    assert sent.exit_code == 0, sent.output
    assert sent.stdout == ("Queued 1 new message; sent 1, failed 0 (0 given up), "
                           "0 waiting.\n")
    assert again.stdout.startswith("Queued 0 new messages; sent 0,")
    assert len(mail_server.mailbox.received) == 1
    assert listed.exit_code == 0
    header, _, row = listed.stdout.splitlines()
    assert header.split() == ["queued", "to", "status", "subject", "last", "error"]
    assert ALEX[1] in row and " sent " in row and REMINDER in row
    (message,) = json.loads(as_json.stdout)
    assert (message["recipient"], message["status"], message["subject"]) == (
        ALEX[1], "sent", REMINDER)
    assert nobody.stdout == f"No messages for {HEAD_EMAIL}.\n"


def test_scc_notifications_refuses_an_unknown_smtp_security(tmp_path):
    env = {"SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'scc.sqlite3'}",
           "SCC_SMTP_SECURITY": "ssl"}

    result = CliRunner().invoke(scc, ["notifications"], env=env)

    assert result.exit_code == 2
    assert "Error: SMTP security 'ssl' is not one of none, starttls, tls" in result.stderr


def test_mail_settings_come_from_the_environment():
    settings = Settings.from_env({
        "SCC_SMTP_HOST": "relay.fenmarsh.gov.uk", "SCC_SMTP_SECURITY": "TLS",
        "SCC_SMTP_USERNAME": "scc", "SCC_SMTP_PASSWORD": "secret",
        "SCC_MAIL_FROM": FROM, "SCC_HEAD_EMAIL": HEAD_EMAIL})

    assert (settings.smtp_host, settings.smtp_port, settings.smtp_security) == (
        "relay.fenmarsh.gov.uk", 465, "tls")
    assert (settings.smtp_username, settings.smtp_password) == ("scc", "secret")
    assert (settings.mail_from, settings.head_email) == (FROM, HEAD_EMAIL)
    defaults = Settings.from_env({})
    assert (defaults.smtp_host, defaults.smtp_port, defaults.smtp_security,
            defaults.mail_from, defaults.head_email) == (
        "127.0.0.1", 25, "none", "scc@localhost", None)
    with pytest.raises(ValueError, match="SCC_SMTP_PORT 'smtp' is not a port number"):
        Settings.from_env({"SCC_SMTP_PORT": "smtp"})


def test_the_web_apps_address_comes_from_the_environment_without_a_trailing_slash():
    assert Settings.from_env({"SCC_BASE_URL": f" {BASE_URL}/ "}).base_url == BASE_URL
    assert Settings.from_env({}).base_url is None


def test_without_the_web_apps_address_an_email_says_where_to_find_the_case_file(
        case_files, clock, mail_server, build):
    marsh_lane(case_files)
    fire(case_files, MARSH_LANE, 5)
    notes = build(case_files, mail_server.port, base_url=None)
    notes.catch_up()
    notes.deliver(clock.now())

    body = Mailbox.text(mail_server.mailbox.to(ALEX[1])[0])
    assert "Open the case file in scc: search for URN 990101." in body
    assert "scc history" not in body


def test_a_reminder_for_a_deadline_met_before_it_was_emailed_names_it_in_words(
        case_files, clock, mail_server, build):
    """The deadline is gone from the open list when the outbox reads the reminder: the email
    still says what it was about, as the case file stood when the reminder was recorded."""
    marsh_lane(case_files)
    fire(case_files, MARSH_LANE, 5)
    case_files.record_compliance(MARSH_LANE, by=HEAD, effective=clock.today(), notice_id="WN1",
                                 complied=True, evidence="The plan was adopted")
    assert not [d for d in case_files.deadlines(MARSH_LANE) if d.key == "compliance:WN1"]
    notes = build(case_files, mail_server.port)
    notes.catch_up()
    notes.deliver(clock.now())

    (mail,) = mail_server.mailbox.to(ALEX[1])
    assert mail["Subject"] == REMINDER
    assert "Warning notice WN1: compliance period ends." in Mailbox.text(mail)
    assert "compliance:WN1" not in Mailbox.text(mail)


# A failing mail server ------------------------------------------------------------------------

class BusyMailbox(Mailbox):
    """A mail server that answers every recipient with a temporary refusal (4xx)."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "451 4.3.0 Mail system busy, try later"


def test_a_mail_server_nobody_listens_on_shows_as_trouble_once_a_message_waits_too_long(
        case_files, clock, build):
    marsh_lane(case_files)
    fire(case_files, MARSH_LANE, 5)
    port = free_port()  # nothing listens on it
    notes = build(case_files, port)
    notes.catch_up()
    t0 = clock.now()

    notes.deliver(t0)

    # Check a first failure is not yet trouble: a retry a minute later may well get through
    assert notes.trouble(t0) is None
    trouble = notes.trouble(t0 + timedelta(minutes=20))
    assert trouble is not None and trouble["late"]
    assert (trouble["waiting"], trouble["waiting_tried"], trouble["failed"]) == (1, 1, 0)
    assert t0 - timedelta(seconds=1) < trouble["oldest_waiting"] <= t0
    assert f"Cannot connect to the mail server 127.0.0.1:{port}" in trouble["last_error"]
    # Check the message says why it waits: its last error, attempts and next try
    (row,) = notes.inbox(ALEX[1])
    assert (row["status"], row["attempts"]) == ("queued", 1)
    assert "Connection refused" in row["last_error"]
    assert row["next_attempt_at"] > t0

    # Check once the server answers the message goes and the trouble clears
    server = MailServer(port).start()
    try:
        assert notes.deliver(t0 + timedelta(minutes=21))["sent"] == 1
    finally:
        server.stop()
    assert notes.trouble(t0 + timedelta(minutes=22)) is None


def test_a_mail_server_that_answers_4xx_or_5xx_shows_why_each_message_waits_or_failed(
        case_files, clock, build):
    marsh_lane(case_files)
    fire(case_files, MARSH_LANE, 5)
    busy = MailServer()
    busy.mailbox = BusyMailbox()
    busy.start()
    try:
        notes = build(case_files, busy.port)
        notes.catch_up()
        t0 = clock.now()
        notes.deliver(t0)
    finally:
        busy.stop()
    (row,) = notes.inbox(ALEX[1])
    assert row["status"] == "queued"
    assert "451 4.3.0 Mail system busy, try later" in row["last_error"]
    trouble = notes.trouble(t0 + timedelta(minutes=16))
    assert "451 4.3.0 Mail system busy" in trouble["last_error"]

    # A 5xx refusal of the address is not retried: failed, and trouble for a week
    refusing = MailServer(busy.port)
    refusing.mailbox = Mailbox(refuse=(ALEX[1],))
    refusing.start()
    try:
        notes.deliver(t0 + timedelta(minutes=30))
    finally:
        refusing.stop()
    (row,) = notes.inbox(ALEX[1])
    assert row["status"] == "failed"
    trouble = notes.trouble(t0 + timedelta(minutes=31))
    assert (trouble["late"], trouble["failed"]) == (False, 1)
    assert "550 5.1.1 No such mailbox here" in trouble["last_error"]
    assert notes.trouble(t0 + timedelta(days=8)) is None


# TLS ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make a test certificate")
    where = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(where / "key.pem"), "-out", str(where / "cert.pem")],
        check=True, capture_output=True)
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(where / "cert.pem", where / "key.pem")
    client = ssl.create_default_context(cafile=str(where / "cert.pem"))
    return server, client


def a_message() -> Message:
    return Message("0f" * 32, "reminder", ALEX[1], ALEX[0], REMINDER, "Dear Alex Reed,\n",
                   MARSH_LANE, "compliance:WN1", datetime(2026, 11, 23, 9, tzinfo=UTC))


def check_login(logins):
    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = (auth_data.login, auth_data.password) == (b"scc", b"secret")
        logins.append((auth_data.login.decode(), ok))
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535

    return authenticate


def test_starttls_with_a_login(certificate):
    server_context, client_context = certificate
    logins: list = []
    server = MailServer(tls_context=server_context, require_starttls=True,
                        authenticator=check_login(logins), auth_require_tls=True,
                        auth_exclude_mechanism=["LOGIN"]).start()
    try:
        SMTPSender("127.0.0.1", server.port, "starttls", "scc", "secret", FROM, timeout=5,
                   ssl_context=client_context).send(a_message())
        with pytest.raises(DeliveryFailed) as wrong_password:
            SMTPSender("127.0.0.1", server.port, "starttls", "scc", "guess", FROM, timeout=5,
                       ssl_context=client_context).send(a_message())
        with pytest.raises(DeliveryFailed) as untrusted:  # the system's CAs do not know it
            SMTPSender("127.0.0.1", server.port, "starttls", "scc", "secret", FROM,
                       timeout=5).send(a_message())
    finally:
        server.stop()

    ((rcpt, mail),) = server.mailbox.received
    assert rcpt == [ALEX[1]] and mail["Subject"] == REMINDER
    assert mail["Message-ID"] == f"<{'0f' * 32}@fenmarsh.gov.uk>"
    assert logins == [("scc", True), ("scc", False)]
    assert wrong_password.value.unreachable and not wrong_password.value.permanent
    assert "535" in str(wrong_password.value)
    assert "CERTIFICATE_VERIFY_FAILED" in str(untrusted.value)


def test_starttls_is_never_downgraded_to_plain_text(mail_server):
    with pytest.raises(DeliveryFailed, match="STARTTLS extension not supported"):
        SMTPSender("127.0.0.1", mail_server.port, "starttls", "scc", "secret", FROM,
                   timeout=5).send(a_message())

    assert mail_server.mailbox.received == []


def test_tls_from_the_first_byte(certificate):
    server_context, client_context = certificate
    server = MailServer(ssl_context=server_context).start()
    try:
        SMTPSender("127.0.0.1", server.port, "tls", from_address=FROM, timeout=5,
                   ssl_context=client_context).send(a_message())
    finally:
        server.stop()

    ((rcpt, mail),) = server.mailbox.received
    assert rcpt == [ALEX[1]] and mail["Subject"] == REMINDER
