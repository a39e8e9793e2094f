"""A failing mail server, as people see it: the notifications page says why each message
waits, and the head's dashboard warns that email is not going out."""

from __future__ import annotations

import html
import re
import socket

from application.notifications import Message
from tests.web.conftest import USERS


def a_port_nobody_listens_on() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def text(page: str, element_id: str) -> str:
    start = page.index(">", page.index(f'id="{element_id}"')) + 1
    end = page.index("</table>" if "<table" in page[start - 80:start] else "</div>\n  </div>",
                     start)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page[start:end])).split())


def a_reminder_that_cannot_be_sent(services, port: int) -> None:
    """A reminder to the head in the outbox, tried once against a server nobody runs."""
    notes = services.notifications
    notes.sender.port = port
    email, name = USERS["head"]
    now = services.case_files.clock.now()
    notes.outbox.queue([Message("m1", "reminder", email, name,
                                "Reminder: MSP meeting M12 at Fenmarsh, due 1 December 2026",
                                "Dear Helen Marsh,", 990054, "msp_meeting:M12", now)])
    assert notes.deliver(now)["failed"] == 1


def test_the_notifications_page_says_why_a_message_waits(actions, client, services):
    port = a_port_nobody_listens_on()
    a_reminder_that_cannot_be_sent(services, port)
    actions.sign_in("head")

    page = client.get("/reports/notifications").text

    row = text(page, "notifications")
    assert "Not sent yet" in row
    assert "1 attempt failed; the last: Cannot connect to the mail server " \
           f"127.0.0.1:{port}" in row
    assert "Connection refused" in row
    assert re.search(r"Next try 23 November 2026 \d\d:\d\d\.", row), row
    assert "Waiting to send" not in row


def test_the_heads_dashboard_warns_when_mail_has_been_failing(actions, client, services):
    a_reminder_that_cannot_be_sent(services, a_port_nobody_listens_on())
    actions.sign_in("head")

    # Check one failed attempt just now is no alarm: the retry may get through
    assert 'id="mail-failing"' not in client.get("/").text

    services.case_files.clock.advance(minutes=20)
    page = client.get("/").text
    warning = text(page, "mail-failing")
    assert warning.startswith("! Warning Email is not going out.")
    assert "1 message is waiting to be sent, the oldest since 23 November 2026" in warning
    assert "The last attempt: Cannot connect to the mail server 127.0.0.1" in warning
    assert 'href="/reports/notifications"' in page


def test_only_the_head_is_warned_on_the_dashboard(actions, client, services):
    a_reminder_that_cannot_be_sent(services, a_port_nobody_listens_on())
    services.case_files.clock.advance(minutes=20)
    actions.sign_in("caseworker")

    assert 'id="mail-failing"' not in client.get("/").text
