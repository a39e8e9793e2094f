"""``scc worker`` killed with SIGKILL while it records reminders and passed deadlines, and
again while it sends their emails: after restarts every firing is on its case file once,
and every email reached the mail server, twice only for the message the kill caught between
the server's acceptance and the outbox's "sent" (the same Message-ID both times)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import signal
import subprocess
import threading
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from adapters.calendars import england_and_wales_calendar
from adapters.clock import SystemClock
from tests.faults.conftest import (
    FULL,
    HEAD,
    SCC,
    eventually,
    free_port,
    kill_hard,
    open_case_files,
    register,
    scc_env,
)
from tests.sign_off import approved

pytestmark = pytest.mark.faults

SCHOOLS = 120 if FULL else 30
HEAD_EMAIL = "head.si@fenmarsh.gov.uk"
MAIL_DOMAIN = "fenmarsh.gov.uk"
CASEWORKERS = [("Alex Reed", "alex.reed@fenmarsh.gov.uk"),
               ("Sam Okafor", "sam.okafor@fenmarsh.gov.uk"),
               ("Priya Shah", "priya.shah@fenmarsh.gov.uk")]
HELD = 5
"""The message whose sender is killed after the mail server accepted it."""


class Mailbox:
    """An SMTP server's handler that keeps what it accepts, and can keep one client waiting
    for the reply to QUIT after accepting its message: the moment a sender can die in
    having handed a message over but before recording it as sent."""

    def __init__(self, hold: int) -> None:
        self.received: list[email.message.EmailMessage] = []
        self.hold = hold
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201
        self.received.append(email.message_from_bytes(envelope.content,
                                                      policy=email.policy.default))
        session.held = len(self.received) == self.hold
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):  # noqa: ANN001, ANN201
        if getattr(session, "held", False):
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)
        return "221 Bye"

    def message_ids(self) -> Counter[str]:
        return Counter(message["Message-ID"] for message in self.received)


@pytest.fixture
def mailbox() -> Any:
    box = Mailbox(HELD)
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield box, controller.port
    box.release.set()
    controller.stop()


def schools_with_firings_due(case_files: Any, today: date) -> dict[int, set[tuple[str, int]]]:
    """Schools whose warning notices have reminders or passed deadlines due today: a third
    with the compliance period ending in three working days (its five-day reminder is due),
    the rest with it long past (the period's passing, then the decision's). Returns the
    firings each school should get, as (deadline, working days before; -1 for a passing)."""
    calendar = england_and_wales_calendar()
    soon = calendar.add_working_days(today, 3)
    due = {}
    for n in range(SCHOOLS):
        urn = 990500 + n
        register(case_files, urn, f"Fen School {n}")
        name, address = CASEWORKERS[n % len(CASEWORKERS)]
        case_files.assign_caseworker(urn, by=HEAD, effective=today - timedelta(days=60),
                                     name=name, email=address)
        if n % 3 == 0:
            given_on, period = calendar.working_days_before(soon, 10), 10
            due[urn] = {("compliance:WN1", 5)}
        else:
            given_on, period = today - timedelta(days=45), 5
            due[urn] = {("compliance:WN1", -1), ("decide_intervention:WN1", -1)}
        approved(case_files, "issue_warning_notice",
            urn, by=HEAD, effective=given_on, grounds=["a"], matters="Low standards",
            required_actions="An improvement plan", minded_action="An IEB",
            compliance_period=period)
    return due


def start_worker(env: dict[str, str], log: Path, *options: str) -> subprocess.Popen[bytes]:
    with log.open("a") as stderr:  # the child keeps its own copy open
        return subprocess.Popen([str(SCC), "worker", "--poll", "0.1", "--lock-check", "0.1",
                                 *options], env=env, stdout=subprocess.DEVNULL, stderr=stderr)


def firings_recorded(case_files: Any, urns: list[int]) -> Counter[tuple[int, str, str, int]]:
    """Each reminder and passing recorded, by school, deadline, due date and days before."""
    return Counter(
        (urn, e["details"]["key"], str(e["details"]["due"]),
         e["details"].get("working_days_before", -1))
        for urn in urns for e in case_files.history(urn)
        if e["event"] in ("ReminderSent", "DeadlinePassed"))


def outbox(database_url: str) -> list[dict[str, Any]]:
    engine = sa.create_engine(database_url.split("?")[0].replace(
        "postgresql://", "postgresql+psycopg://"), **_search_path(database_url))
    try:
        with engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(sa.text(
                "SELECT id, status, attempts, recipient FROM outbox"))]
    except sa.exc.DatabaseError:
        return []  # not created yet
    finally:
        engine.dispose()


def _search_path(database_url: str) -> dict[str, Any]:
    schema = re.search(r"[?&]schema=([^&]+)", database_url)
    return {"connect_args": {"options": f"-csearch_path={schema[1]}"}} if schema else {}


def test_a_worker_killed_while_firing_and_while_sending_loses_and_doubles_nothing(
        database_url, tmp_path, mailbox):
    box, port = mailbox
    today = SystemClock().today()
    case_files = open_case_files(database_url)
    due = schools_with_firings_due(case_files, today)
    urns = sorted(due)
    env = scc_env(database_url, tmp_path, SCC_REMINDER_HOUR="0", SCC_SMTP_HOST="127.0.0.1",
                  SCC_SMTP_PORT=str(port), SCC_HEAD_EMAIL=HEAD_EMAIL,
                  SCC_MAIL_FROM=f"scc@{MAIL_DOMAIN}", SCC_MAIL_CLAIM_TIMEOUT="2")
    log = tmp_path / "worker.log"
    workers: list[subprocess.Popen[bytes]] = []
    try:
        # 1. Killed while recording the firings (it sends nothing for a minute yet).
        workers.append(start_worker(env, log))
        eventually(lambda: log.read_text().count("Fired URN") >= 3, timeout=60, every=0.005)
        kill_hard(workers[-1])
        fired_before_kill = sum(firings_recorded(case_files, urns).values())
        assert 3 <= fired_before_kill < sum(map(len, due.values())), "killed too late"

        # 2. Restarted, it records the rest, queues their emails and sends them, until the
        # mail server has accepted the fifth and holds back its reply to QUIT: killed there.
        workers.append(start_worker(env, log, "--send-every", "0.2"))
        assert box.holding.wait(60), "no message was held"
        kill_hard(workers[-1])
        box.release.set()
        assert len(box.received) == HELD

        # 3. Restarted again, it sends the rest, and the held message again once its claim
        # (two seconds here) has run out, since that worker never said it was sent.
        workers.append(start_worker(env, log, "--send-every", "0.2"))
        eventually(lambda: (rows := outbox(database_url))
                   and all(row["status"] == "sent" for row in rows), timeout=90, every=0.1)
        workers[-1].send_signal(signal.SIGTERM)
        assert workers[-1].wait(timeout=30) == 0
    finally:
        for worker in workers:
            if worker.poll() is None:
                kill_hard(worker)

    # Check every firing that was due is recorded once, and nothing due is left unrecorded.
    recorded = firings_recorded(case_files, urns)
    assert set(recorded.values()) == {1}
    assert [urn for urn in urns if any(f.on <= today for f in case_files.firings(urn))] == []
    assert {urn: {(key, days) for u, key, _, days in recorded if u == urn} for urn in urns} \
        == due
    # Check every email went: each message of the outbox reached the server, and only the
    # held one twice, both copies with its one Message-ID.
    rows = outbox(database_url)
    sent = box.message_ids()
    held = box.received[HELD - 1]["Message-ID"]
    assert set(sent) == {f"<{row['id']}@{MAIL_DOMAIN}>" for row in rows}
    assert sent == Counter({message_id: 2 if message_id == held else 1 for message_id in sent})
    # The held copy was sent by the last worker after the claim ran out; the rest once.
    assert {row["id"] for row in rows if row["attempts"] != 1} == {held[1:].split("@")[0]}
    # Check the emails are the firings': one per caseworker, and the head's for passings.
    passings = sum(c for (_, _, _, days), c in recorded.items() if days == -1)
    assert len(rows) == sum(recorded.values()) + passings
    assert "Traceback" not in log.read_text().split("Fired URN")[-1]
    case_files.close()
