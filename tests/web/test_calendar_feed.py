"""Each user's calendar feed: a secret address on "Your account", an iCalendar (RFC 5545)
of the deadlines and tasks they own, read strictly here; a new address retires the old."""

from __future__ import annotations

import html
import logging
import re
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from adapters.demo import FEATURED_URN
from tests.web.conftest import USERS, csrf_token
from tests.web.test_my_work import give_casey_the_featured_school

CASEY, CASEY_NAME = USERS["caseworker"]
TODAY = date(2026, 11, 23)
FEED = re.compile(r"<code>(http://localhost/calendar/([A-Za-z0-9_-]+)\.ics)</code>")


def parse_ical(body: bytes) -> dict:
    """A strict reading of an iCalendar stream (RFC 5545): CRLF line ends, lines of at most
    75 octets folded by CRLF and one space, BEGIN/END properly nested, VERSION and PRODID
    once in the calendar, and each VEVENT with one UID, one DTSTAMP in UTC and a DTSTART.
    Returns {"calendar": {name: value}, "events": [{name: (params, value)}]}."""
    text = body.decode("utf-8")
    assert text.endswith("\r\n"), "the stream ends with CRLF"
    physical = text[:-2].split("\r\n")
    assert all("\n" not in p and "\r" not in p for p in physical), "bare CR or LF"
    for line in physical:
        assert len(line.encode()) <= 75, f"a line over 75 octets: {line!r}"
    lines: list[str] = []
    for line in physical:
        if line.startswith(" "):
            assert lines, "a continuation with nothing to continue"
            lines[-1] += line[1:]
        else:
            lines.append(line)
    stack: list[str] = []
    calendar: dict[str, str] = {}
    events: list[dict[str, tuple[str, str]]] = []
    counts: dict[str, int] = {}
    for line in lines:
        match = re.fullmatch(r"([A-Z][A-Z0-9-]*)((?:;[A-Z-]+=[^:;]+)*):(.*)", line)
        assert match, f"not a content line: {line!r}"
        name, params, value = match.groups()
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                events.append({})
                counts = {}
            continue
        if name == "END":
            assert stack and stack.pop() == value, f"END:{value} out of place"
            if value == "VEVENT":
                assert counts.get("UID") == 1 and counts.get("DTSTAMP") == 1, "UID, DTSTAMP once"
                assert "DTSTART" in events[-1]
            continue
        assert stack, f"{name} outside the calendar"
        if stack[-1] == "VCALENDAR":
            assert name not in calendar, f"{name} twice"
            calendar[name] = value
        elif stack[-1] == "VEVENT":
            counts[name] = counts.get(name, 0) + 1
            events[-1][name] = (params, value)
    assert not stack, "BEGIN without END"
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    assert calendar.get("VERSION") == "2.0" and calendar.get("PRODID")
    for event in events:
        assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"][1])
        assert event["DTSTART"][0] == ";VALUE=DATE" and re.fullmatch(r"\d{8}", event["DTSTART"][1])
        assert re.fullmatch(r"(\\[\\;,nN]|[^\\;,])*", event["SUMMARY"][1]), "unescaped TEXT"
    return {"calendar": calendar, "events": events}


def unescape(value: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def make_address(client) -> tuple[str, str]:
    page = client.get("/account")
    response = client.post("/account/calendar", data={"csrf_token": csrf_token(page.text)})
    assert response.status_code == 200
    found = FEED.search(response.text)
    assert found, "the new address is shown"
    return found.group(1), found.group(2)


def test_a_caseworkers_feed_lists_their_deadlines_as_all_day_events(actions, client, services):
    give_casey_the_featured_school(services)
    services.case_files.set_task(FEATURED_URN, by="Helen Marsh", effective=TODAY,
                                 what="Ring the chair; then, write up", owner_name=CASEY_NAME,
                                 owner_email=CASEY, due=TODAY + timedelta(days=2))
    actions.sign_in("caseworker")
    assert "Make my calendar address" in client.get("/account").text

    url, token = make_address(client)
    # Check the secret is not stored, only its hash
    with services.calendar_feeds.store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT email, token_hash FROM calendar_feeds")).all()
    assert [email for email, _ in stored] == [CASEY]
    assert token not in str(stored)

    client.post("/sign-out", data={"csrf_token": csrf_token(client.get("/sign-out").text)})
    feed = client.get(url.removeprefix("http://localhost"))  # no sign-in: Outlook has none
    assert feed.status_code == 200
    assert feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
    ical = parse_ical(feed.data)
    owned = [d for d in services.case_files.deadlines(FEATURED_URN) if not d.suspended]
    events = {e["UID"][1]: e for e in ical["events"]}
    assert len(events) == len(ical["events"]) == len(owned)
    task = events[f"task:T1.{FEATURED_URN}@localhost"]
    school = services.case_files.school(FEATURED_URN)["name"]
    assert unescape(task["SUMMARY"][1]) == (
        f"{school}: Task for {CASEY_NAME}: Ring the chair; then, write up")
    assert task["DTSTART"][1] == "20261125" and task["DTEND"][1] == "20261126"
    assert task["URL"][1] == f"http://localhost/schools/{FEATURED_URN}"

    # Check the UIDs stay the same from one fetch to the next
    again = parse_ical(client.get(url.removeprefix("http://localhost")).data)
    assert {e["UID"][1] for e in again["events"]} == set(events)


def test_a_new_address_retires_the_old_one(actions, client, services, app, caplog):
    caplog.set_level(logging.INFO, logger="scc.requests")
    actions.sign_in("head")
    old_url, old_token = make_address(client)
    page = client.get("/account").text
    assert "You made your calendar address on 23 November 2026" in html.unescape(page)
    assert FEED.search(page) is None  # shown once only
    new_url, _ = make_address(client)

    assert new_url != old_url
    assert client.get(old_url.removeprefix("http://localhost")).status_code == 404
    # Check the request log names the feed, not its secret
    assert "GET /calendar/<secret>.ics 404" in caplog.text and old_token not in caplog.text
    assert client.get(new_url.removeprefix("http://localhost")).status_code == 200
    assert client.get("/calendar/made-up.ics").status_code == 404

    # Check the links use SCC_BASE_URL when it is set
    app.config["BASE_URL"] = "https://scc.fenmarsh.example/"
    feed = parse_ical(client.get(new_url.removeprefix("http://localhost")).data)
    assert all(e["URL"][1].startswith("https://scc.fenmarsh.example/schools/")
               for e in feed["events"])
    assert all(e["UID"][1].endswith("@scc.fenmarsh.example") for e in feed["events"])

    # Check a disabled user's feed is gone
    services.users.disable(USERS["head"][0])
    assert client.get(new_url.removeprefix("http://localhost")).status_code == 404


def test_long_and_non_ascii_summaries_fold_within_75_octets():
    from application.calendar_feed import calendar

    body = calendar(
        [{"urn": 1, "key": "task:T1", "due": TODAY, "name": "Ysgol Gynradd Llanfair—Pwllgwyngyll",
          "what": "Réunion " * 20}],
        name="scc", stamp=datetime(2026, 11, 23, 9, tzinfo=UTC),
        case_file_url=lambda urn: f"https://x.example/schools/{urn}", host="x.example")
    [event] = parse_ical(body.encode())["events"]
    assert unescape(event["SUMMARY"][1]).endswith("Réunion " * 19 + "Réunion ")
