"""Search across every school's entries: what an entry's row says in the LA's words, how a
person's query is read into terms, and the search itself."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from application.school_search import SchoolSearch
from application.views import summarise

if TYPE_CHECKING:
    from application.projections import CaseFileProjections

SEARCH_COLUMNS = ("notification_id", "urn", "version", "event", "summary", "body",
                  "effective", "recorded_at", "recorded_by", "correction")
"""What a row of the search read model holds, in the order of its values. ``correction`` is
"retracted", "amended" or "" for an entry standing as recorded."""

NOT_TEXT = frozenset({"originator_id", "originator_version", "originator_topic", "timestamp",
                      "effective", "link", "actor", "urn", "version", "changes"})
"""An entry's fields that are not its words: the log's own, the hash link, who recorded it
as an identity (the name, ``by``, is words), and a correction's target."""

MARKS = ("\x02", "\x03")
"""What a snippet puts around each word found, for the page to turn into highlighting after
escaping the text: characters no entry's words contain (``search_row`` takes control
characters out)."""

ACCESS_VIEW = "search results"
"""What the access log says of each school whose entries a page of results showed (words of
its case file, so auditors see who saw them). The query itself is not kept: it may name
people, and the access log is read more widely than the case files it notes."""

RANKED = 500
"""The most recently recorded entries a search ranks (10 pages of 50): a word that most of
a million entries hold then costs what a rare one does. More than this are counted as
"more", not ranked; more words narrow the search."""
SNIPPET_WORDS = 24
"""About how many words of an entry a search result shows around the first word found."""

MAX_QUERY = 200
"""The longest query read, in characters: longer is refused rather than cut."""
MAX_TERMS = 12
"""The most terms a query may have: each is a separate look-up in the index."""

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD = re.compile(r"[^\W_]+")
_TERM = re.compile(r'"([^"]*)"?|([^\s"]+)')
_PREFIX = re.compile(r"[^\W_]\*+$")  # a word ending in stars: the start of longer words


def entry_body(event: Any) -> str:
    """Every free-text word of an entry, one field after another: descriptions, matters and
    actions, minutes, notes, reasons, the names of people (who recorded it, attendees,
    owners, caseworkers...), nested lists and tables included."""
    found: list[str] = []
    fields = vars(event)
    for name, value in fields.items():
        if name not in NOT_TEXT and name != "by" and not name.endswith(("_id", "_ids")):
            _strings(value, found)
    _strings(fields.get("by"), found)  # last: a snippet starts with what the entry says
    seen: set[str] = set()
    unique = [s for s in found if not (s in seen or seen.add(s))]  # type: ignore[func-returns-value]
    return _CONTROL.sub(" ", "\n".join(unique))


def _strings(value: Any, found: list[str]) -> None:
    if isinstance(value, str):
        if value.strip():
            found.append(value.strip())
    elif isinstance(value, dict):
        for key, inner in value.items():
            if not str(key).endswith(("_id", "_ids")):
                _strings(inner, found)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for inner in value:
            _strings(inner, found)


def search_row(notification_id: int, event: Any, urn: int,
               corrections: Iterable[Any] = ()) -> tuple[Any, ...]:
    """An entry's row, in the order of SEARCH_COLUMNS, as its corrections leave it: a
    retracted entry keeps its words, marked retracted (the case file still shows them,
    struck through, and an auditor searching for what was withdrawn must find it); an amended
    entry is found by its words as amended, and marked so."""
    retracted = False
    changes: dict[str, Any] = {}
    for correction in corrections:
        if type(correction).__name__ == "EntryRetracted":
            retracted = True
        else:
            changes.update(correction.changes)
    reads = event
    if changes:
        reads = copy.copy(event)
        reads.__dict__.update(changes)  # the entry as amended; the stored one is untouched
    mark = "retracted" if retracted else "amended" if changes else ""
    return (notification_id, urn, event.originator_version, type(event).__name__,
            _CONTROL.sub(" ", summarise(reads)), entry_body(reads), event.effective,
            event.timestamp, event.by, mark)


def stream_rows(stream: Iterable[tuple[int, Any]], urn: int) -> list[tuple[Any, ...]]:
    """The rows of a stream's entries (each with its position in the log), with every
    correction in the stream applied to the entry it corrects."""
    entries = list(stream)
    corrections: dict[int, list[Any]] = {}
    for _, event in entries:
        if type(event).__name__ in ("EntryRetracted", "EntryAmended"):
            corrections.setdefault(event.version, []).append(event)
    return [search_row(n, event, urn, corrections.get(event.originator_version, ()))
            for n, event in entries]


# Reading a query ----------------------------------------------------------------------------

class QueryRefused(ValueError):
    """A query that cannot be searched for, with what to do instead."""


@dataclass(frozen=True)
class Term:
    """Words that must appear together in this order (one word, usually); with ``prefix``,
    the last may be the start of a longer word."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class EntryQuery:
    """A query read into terms, every one of which an entry must have."""

    text: str
    terms: tuple[Term, ...]

    def fts5(self) -> str:
        """The query in SQLite FTS5's syntax: each term a quoted phrase (so no word of the
        user's is read as an operator, a column or a bracket), a prefix marked outside it."""
        return " ".join(
            '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "") for term in self.terms)


def read_query(text: str) -> EntryQuery:
    """The terms of what someone typed: words (every one must appear), "quoted phrases" and
    a word ending in * for words starting with it. Only letters and digits are searched for:
    punctuation inside a word splits it ("follow-up" is the phrase "follow up"), as both
    stores' indexes split the entries' own words. Refused, with what to do, if it is too
    long or has nothing to search for."""
    if len(text) > MAX_QUERY:
        raise QueryRefused(f"Enter a search of {MAX_QUERY} characters or fewer")
    terms: list[Term] = []
    for match in _TERM.finditer(text):
        phrase, word = match.groups()
        words = tuple(w.casefold() for w in _WORD.findall(phrase if phrase is not None else word))
        if not words:
            continue
        prefix = phrase is None and _PREFIX.search(word) is not None
        term = Term(words, prefix)
        if term not in terms:
            terms.append(term)
    if not terms:
        raise QueryRefused("Enter a word or number to search for")
    if len(terms) > MAX_TERMS:
        raise QueryRefused(f"Enter {MAX_TERMS} words or fewer")
    return EntryQuery(text.strip(), tuple(terms))


# The search -----------------------------------------------------------------------------------

SCHOOLS_SHOWN = 10
"""Schools whose name or URN match, shown above the entries on a search's first page."""


@dataclass(frozen=True)
class SearchResults:
    query: EntryQuery
    schools: list[dict[str, Any]]
    schools_total: int
    entries: list[dict[str, Any]]
    total: int
    """The entries ranked: all found, or the RANKED most recently recorded."""
    more: bool
    """Whether more than RANKED entries were found (the older are not ranked)."""


SUMMARY_WEIGHT = 2
"""How much more a word in an entry's summary counts than one in the rest of its words."""
SATURATION, LENGTH_NORMALISED = 1.2, 0.75
"""BM25's k1 and b: how soon more of the same word stops adding, and how much a long entry's
words count for less."""


def ranked(entries: list[dict[str, Any]], query: EntryQuery) -> list[dict[str, Any]]:
    """The entries found, most relevant first, newest first (by the day each took effect)
    among equals. Relevance is BM25's without its rarity weight: every entry here holds every
    term, so what tells them apart is how often, where (the summary counts double) and in how
    many words. Done here, not by the stores, so that it is the same on both, and because
    SQLite's bm25() counts every entry holding a phrase or prefix before it scores one."""
    patterns = [_term_pattern(term) for term in query.terms]
    lengths = [len(e["summary"].split()) + len(e["body"].split()) for e in entries]
    average = (sum(lengths) / len(lengths)) if lengths else 1

    def score(entry: dict[str, Any], length: int) -> float:
        norm = SATURATION * (1 - LENGTH_NORMALISED + LENGTH_NORMALISED * length / (average or 1))
        total = 0.0
        for pattern in patterns:
            often = (SUMMARY_WEIGHT * len(pattern.findall(entry["summary"]))
                     + len(pattern.findall(entry["body"])))
            total += often * (SATURATION + 1) / (often + norm)
        return total

    scored = [(score(e, n), e) for e, n in zip(entries, lengths, strict=True)]
    scored.sort(key=lambda pair: (-pair[0], -pair[1]["effective"].toordinal(),
                                  -pair[1]["notification_id"]))
    return [entry for _, entry in scored]


def _term_pattern(term: Term, *, loose: bool = False) -> re.Pattern[str]:
    """A term's words as they stand in an entry's text, in any case (a prefix's last word
    with any ending): the stores also match other forms of a word ("meetings"), which then
    count as found but not as often. ``loose``: each word's first letters with any ending,
    for those other forms."""
    words = [re.escape(word[:max(4, len(word) - 3)] if loose else word)
             for word in term.words]
    if loose:
        words = [word + r"\w*" for word in words]
    elif term.prefix:
        words[-1] += r"\w*"
    return re.compile(r"\b" + r"\W+".join(words) + r"\b", re.IGNORECASE)


def snippet(entry: dict[str, Any], query: EntryQuery) -> str:
    """About SNIPPET_WORDS words of the entry from a little before the first word found (in
    its words beyond the summary, else in the summary), every word found between MARKS;
    its fields one to a line. Where the store found only another form of a word (stemmed:
    "lessons" for "lesson"), words starting the same way are marked."""
    patterns = [_term_pattern(term) for term in query.terms]
    for text in (entry["body"], entry["summary"]):
        first = min((m.start() for p in patterns if (m := p.search(text))), default=None)
        if first is not None:
            break
    else:
        patterns = [_term_pattern(term, loose=True) for term in query.terms]
        text = entry["body"] or entry["summary"]
        first = min((m.start() for p in patterns if (m := p.search(text))), default=0)
    words = list(re.finditer(r"\S+", text))
    at = next((n for n, w in enumerate(words) if w.end() > first), 0)
    start = max(0, at - SNIPPET_WORDS // 3)
    shown = words[start:start + SNIPPET_WORDS]
    if not shown:
        return ""
    piece = text[shown[0].start():shown[-1].end()]
    marked = re.compile("|".join(f"(?:{p.pattern})" for p in patterns), re.IGNORECASE)
    piece = marked.sub(lambda m: f"{MARKS[0]}{m.group(0)}{MARKS[1]}", piece)
    return (("…" if start else "") + piece
            + ("…" if start + SNIPPET_WORDS < len(words) else ""))


class EntrySearches:
    """Searches the entries of every school, and the schools' names and URNs."""

    def __init__(self, projections: CaseFileProjections) -> None:
        self.projections = projections

    def search(self, text: str, *, limit: int, offset: int = 0,
               with_schools: bool = True) -> SearchResults:
        """Entries matching ``text`` (``read_query``): of all found, or of the RANKED most
        recently recorded if there are more, the most relevant first and newest first among
        equals (``ranked``), at most ``limit`` from ``offset``, each with its school's
        ``name`` and a ``snippet`` (``snippet``); and, with
        ``with_schools``, the schools whose name or URN match."""
        query = read_query(text)
        self.projections.catch_up(["search", "school_status"])
        store = self.projections.store
        with store.consistent():
            found = store.matching_entries(query, newest=RANKED + 1)
            schools: list[dict[str, Any]] = []
            schools_total = 0
            if with_schools:
                by_name = SchoolSearch(text=query.text, sort="name")
                schools = store.find_schools(by_name, limit=SCHOOLS_SHOWN)
                schools_total = store.count_schools(by_name)
        page = ranked(found[:RANKED], query)[offset:offset + limit]
        entries = [{**e, "snippet": snippet(e, query)} for e in page]
        return SearchResults(query, schools, schools_total, entries, min(len(found), RANKED),
                             len(found) > RANKED)
