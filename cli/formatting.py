"""How the command line shows schools and histories: aligned tables, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from application.csv_cells import safe_row
from application.entry_details import field_cells, field_columns
from application.views import READING_AIDS
from domain.ofsted import framework_on

ENGLAND = ZoneInfo("Europe/London")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns aligned on the widest cell; the last column is not padded."""
    cells = [[str(h) for h in headers], *[["" if c is None else str(c) for c in r] for r in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for number, row in enumerate(cells):
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if number == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def to_json(data: Any) -> str:
    """JSON with dates and times as ISO 8601 strings."""
    return json.dumps(data, indent=2, ensure_ascii=False, default=_iso)


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A cell that a spreadsheet would take for a formula is written as text (csv_cells)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(safe_row(row) for row in rows)
    return out.getvalue()


def _iso(value: object) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def long_date(day: date | None) -> str:
    return "" if day is None else f"{day.day} {day:%B %Y}"


def local_time(moment: datetime) -> str:
    """A recorded time as the LA reads it: UK local time, to the minute."""
    return f"{moment.astimezone(ENGLAND):%Y-%m-%d %H:%M}"


def utc_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


# Schools -------------------------------------------------------------------------------

def ofsted_label(ofsted: dict[str, Any] | None) -> str:
    """The latest judgement in its own vocabulary, with any category of concern."""
    if ofsted is None:
        return "not inspected"
    if ofsted["overall_label"]:
        label = ofsted["overall_label"]
    elif ofsted["report_card"]:
        order = framework_on(ofsted["inspected_on"]).report_card_grades  # best first
        grades = [g for g in ofsted["report_card"].values() if g in order]
        weakest = max(grades, key=order.index, default=None)
        label = f"report card, weakest: {weakest}" if weakest else "report card"
    else:
        label = "no overall grade"
    return f"{label} ({ofsted['category']})" if ofsted["category"] else label


def school_row(school: dict[str, Any]) -> dict[str, Any]:
    """One school as the ``schools`` command shows it."""
    ofsted = school["ofsted"]
    return {
        "urn": school["urn"],
        "name": school["name"],
        "phase": school["phase"],
        "establishment_type": school["establishment_type"],
        "governance": school["governance"],
        "is_open": school["is_open"],
        "closed_on": school["closed_on"],
        "predecessor_urn": school["predecessor_urn"],
        "successor_urn": school["successor_urn"],
        "la_category": school["category"],
        "la_category_label": school["category_label"],
        "la_category_since": school["category_since"],
        "ofsted_grade": ofsted_label(ofsted),
        "ofsted": None if ofsted is None else {
            key: ofsted[key] for key in ("inspected_on", "published_on", "framework", "overall",
                                         "overall_label", "category", "report_card",
                                         "safeguarding")
        },
        "causing_concern": school["causing_concern"],
        "concern_reasons": school["concern_reasons"],
    }


def schools_table(schools: list[dict[str, Any]]) -> str:
    rows = [
        (s["urn"], s["name"] + ("" if s["is_open"] else " (closed)"), s["phase"],
         s["category"] or "-", ofsted_label(s["ofsted"]),
         "yes" if s["causing_concern"] else "no")
        for s in schools
    ]
    headers = ("URN", "Name", "Phase", "LA category", "Ofsted", "Causing concern")
    concern = sum(1 for s in schools if s["causing_concern"] and s["is_open"])
    return f"{table(headers, rows)}\n\n{len(schools)} schools; {concern} open and causing concern"


# History ----------------------------------------------------------------------------------

HISTORY_COLUMNS = ("version", "effective", "recorded_at", "by", "event", "summary", "retracted",
                   "amended", "by_identity")


def markers(entry: dict[str, Any]) -> str:
    """"retracted by 12", "amended by 13": what later entries say about this one."""
    return "; ".join(f"{c['kind']} by {c['by_version']}" for c in entry["corrections"])


def history_columns(entries: list[dict[str, Any]]) -> list[str]:
    """HISTORY_COLUMNS, then a column for each field of the entries, headed in words."""
    return [*HISTORY_COLUMNS, *field_columns(entries)]


def history_rows(entries: list[dict[str, Any]]) -> list[list[object]]:
    """The history as CSV rows (ISO dates, UTC times), under ``history_columns``."""
    fields = field_columns(entries)
    return [
        [e["version"], e["effective"].isoformat(), utc_iso(e["recorded_at"]), e["by"],
         e["event"], e["summary"], "yes" if e["retracted"] else "",
         "; ".join(str(c["by_version"]) for c in e["corrections"] if c["kind"] == "amended"),
         e["by_identity"], *field_cells(e, fields)]
        for e in entries
    ]


def history_json(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {**{k: v for k, v in e.items() if k not in READING_AIDS},
         "recorded_at": utc_iso(e["recorded_at"]),
         "amended": any(c["kind"] == "amended" for c in e["corrections"])}
        for e in entries
    ]


def history_table(entries: list[dict[str, Any]]) -> str:
    rows = [
        (e["version"], e["effective"].isoformat(), local_time(e["recorded_at"]),
         e["by"] + (f" ({e['by_identity']})" if e["by_identity"] else ""),
         e["summary"] + (f"  [{markers(e)}]" if e["corrections"] else ""))
        for e in entries
    ]
    return table(("#", "Effective", "Recorded (UK time)", "By", "Entry"), rows)


def _linked(school: dict[str, Any], relation: str) -> str:
    """A predecessor or successor: its URN and name, and GIAS's wording of the link where it
    says more than the relation (a merger, a split)."""
    words = [f"URN {school['urn']}", school["name"]]
    if school["link_type"].lower() != relation:
        words.append(f"({school['link_type']})")
    return " ".join(word for word in words if word)


def status_block(school: dict[str, Any], as_at: date) -> str:
    """A few lines on where the case stands on ``as_at``."""
    lines = [
        f"{school['name']} (URN {school['urn']}), {school['governance']}, "
        f"{school['establishment_type']}, as at {long_date(as_at)}",
    ]
    for linked in school["predecessors"]:
        lines.append(f"  Predecessor:      {_linked(linked, 'predecessor')}")
    for linked in school["successors"]:
        closed = f" (closed {long_date(school['closed_on'])})" if school["closed_on"] else ""
        lines.append(f"  Successor:        {_linked(linked, 'successor')}{closed}")
    if school["category"]:
        lines.append(f"  LA category:      {school['category']} {school['category_label'] or ''}"
                     f" since {long_date(school['category_since'])}")
    ofsted = school["ofsted"]
    if ofsted:
        lines.append(f"  Ofsted:           {ofsted_label(ofsted)}, inspected "
                     f"{long_date(ofsted['inspected_on'])}")
    concern = "yes: " + "; ".join(school["concern_reasons"]) if school["causing_concern"] else "no"
    lines.append(f"  Causing concern:  {concern}")
    for notice in school["warning_notices"]:
        lines.append(f"  Warning notice:   {notice['notice_id']} given "
                     f"{long_date(notice['issued_on'])}, comply by "
                     f"{long_date(notice['compliance_date'])}: {notice['status']}")
    if school["ieb"]:
        ieb = school["ieb"]
        term = f", term ends {long_date(ieb['term_ends_on'])}" if ieb["term_ends_on"] else ""
        lines.append(f"  IEB:              {len(ieb['members'])} members since "
                     f"{long_date(ieb['starts_on'])}{term}")
    if school["msp"]:
        msp = school["msp"]
        actions = msp["open_actions"]
        overdue = [a for a in actions if a["due"] < as_at]
        meeting = msp["next_meeting"]
        next_meeting = (f"next meeting {long_date(meeting['meets_on'])}" if meeting
                        else "no meeting scheduled")
        lines.append(f"  MSP group:        {next_meeting}; {len(actions)} open action(s), "
                     f"{len(overdue)} overdue")
        for action in overdue:
            lines.append(f"    overdue {action['action_id']}: {action['description']} "
                         f"({action['owner']}, due {long_date(action['due'])})")
    return "\n".join(lines)


# The rulebook ----------------------------------------------------------------------------

def rule_block(rule: dict[str, Any], indent: str = "") -> str:
    """One rule: its key and title, what it says, and where it comes from and when."""
    import textwrap

    def wrapped(label: str, text: str) -> list[str]:
        return textwrap.wrap(text, width=96, initial_indent=f"{indent}  {label}: ",
                             subsequent_indent=f"{indent}    ")

    lines = [f"{indent}{rule['key']}: {rule['title']}"]
    lines += textwrap.wrap(rule["says"], width=96, initial_indent=f"{indent}  ",
                           subsequent_indent=f"{indent}  ")
    lines += wrapped("Source", rule["source"])
    lines += wrapped("Kind", rule["kind_label"][:1].lower() + rule["kind_label"][1:])
    lines += wrapped("Applies", rule["applies"])
    if rule["unconfirmed"]:
        lines += wrapped("Unconfirmed", rule["unconfirmed"])
    if rule["setting"]:
        lines += wrapped("Policy setting", rule["setting"])
    return "\n".join(lines)


def rulebook_text(chapters: Sequence[dict[str, Any]]) -> str:
    """Every chapter's title and summary, then its rules."""
    parts = []
    for chapter in chapters:
        count = len(chapter["rules"])
        heading = f"{chapter['title']} ({count} rule{'' if count == 1 else 's'})"
        parts.append("\n".join([heading, "=" * len(heading), chapter["summary"]]).rstrip())
        parts += [rule_block(rule) for rule in chapter["rules"]]
    return "\n\n".join(parts)
