"""Each user's deadlines as an iCalendar feed (RFC 5545) at a secret address they can renew.

Outlook and other calendar programs subscribe to an address and fetch it without signing in,
so the address itself is the secret: scc keeps only its SHA-256 (as it does an API token's),
shows it once when it is made, and making a new one stops the old from working.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol

from application.ports import Clock

PRODUCT = "-//scc//Schools causing concern//EN"
LINE_OCTETS = 75
"""RFC 5545 3.1: lines longer than 75 octets are folded."""


class FeedStore(Protocol):
    def replace(self, *, email: str, token_hash: str, issued_at: datetime) -> None:
        """The user's one feed address, in place of any before."""

    def email_for(self, token_hash: str) -> str | None: ...

    def issued_at(self, email: str) -> datetime | None: ...

    def close(self) -> None: ...


class CalendarFeeds:
    """Making a user's feed address, and finding whose an address is."""

    def __init__(self, store: FeedStore, clock: Clock) -> None:
        self.store, self.clock = store, clock

    def close(self) -> None:
        self.store.close()

    def issue(self, email: str) -> str:
        """A new secret for the user's feed address; any earlier address stops working."""
        token = secrets.token_urlsafe(32)
        self.store.replace(email=email.strip().lower(), token_hash=_hash(token),
                           issued_at=self.clock.now())
        return token

    def issued_at(self, email: str) -> datetime | None:
        return self.store.issued_at(email.strip().lower())

    def email_for(self, token: str) -> str | None:
        """Whose feed this secret opens, or None (an old, revoked or made-up one)."""
        if not token or len(token) > 100:
            return None
        return self.store.email_for(_hash(token))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def calendar(deadlines: Iterable[dict[str, Any]], *, name: str, stamp: datetime,
             case_file_url: Any, host: str) -> str:
    """The deadlines (read-model rows with their school's ``name``) as an iCalendar: one
    all-day event each, on its due date. ``case_file_url(urn)`` is the case file's full
    address; ``host`` makes the events' UIDs globally unique (RFC 5545 3.8.4.7)."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODUCT}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{_text(name)}"]
    stamped = stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    for row in deadlines:
        due: date = row["due"]
        school = row.get("name") or f"URN {row['urn']}"
        lines += [
            "BEGIN:VEVENT",
            # Stable while the deadline is open: a moved due date updates the same event.
            f"UID:{_text(row['key'])}.{row['urn']}@{host}",
            f"DTSTAMP:{stamped}",
            f"DTSTART;VALUE=DATE:{due:%Y%m%d}",
            f"DTEND;VALUE=DATE:{due + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{_text(school + ': ' + row['what'])}",
            f"URL:{case_file_url(row['urn'])}",
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_folded(line) + "\r\n" for line in lines)


def _text(value: str) -> str:
    """An iCalendar TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line
    breaks escaped."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _folded(line: str) -> str:
    """A content line folded at 75 octets, never inside a UTF-8 character (RFC 5545 3.1)."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        limit = LINE_OCTETS if not parts else LINE_OCTETS - 1  # continuations start with a space
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)
