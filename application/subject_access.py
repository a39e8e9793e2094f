"""Subject access (UK GDPR Article 15): what the case files, their kept files, the access log
and the user accounts hold about one person, gathered for the LA to review before disclosure.

A person is found in the key store by name or contact (``KeyStore.people``). Their mentions
are of two sorts. Named: every value sealed under one of their keys (a name in an entry's
NAME or NAMES field, who recorded an entry, their email or account), found by the key id each
sealed value carries, so a namesake's values, sealed under another key, are never theirs.
In free text: a value sealed under a case file's own key (TEXT, TEXTS, WHOLE) whose words hold
their name or one of their contacts, case-insensitively, as a whole word. A value whose key was
destroyed is listed with the erasure's note, not left out: the DPO can then say it was held,
and erased under which rule. Free text already erased cannot be read, so cannot be searched.

Every case file is read once, for all the people asked about: free text can name anyone
anywhere, whereas the named mentions are in the case files their keys belong to.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from application.access_log import ChainedRows
from application.case_files import SchoolCaseFiles
from application.entry_details import KINDS
from application.personal_keys import KeyRecord, KeyStore
from application.views import ENTRY_AREAS
from domain.areas.register import case_file_id
from domain.identity import Recorder, identity_words
from domain.personal_data import (
    EVERY_ENTRY,
    NAME,
    NAMES,
    NOT_PERSONAL,
    SEALED_TYPES,
    Kind,
    erased,
    person_key,
    personal_fields,
)

LAW = "UK GDPR Article 15 (right of access by the data subject)"
HEADING = "For review before disclosure"
"""What every export says at its head: nothing in it has been redacted yet, and it names
other people only where a value naming this person names them too (free text)."""

NAMED = "named"
IN_FREE_TEXT = "in free text"
"""How a mention was found: sealed under the person's key, or their name or contact in text
sealed under the case file's key."""

RECORDED_BY = {"by": "Recorded by", "actor": "Recorded by (their account or login)"}
"""The labels of the fields every entry has, as the timeline's byline says them."""

ACCESS_PAGE = 5000

Progress = Callable[[int, int], None]
"""Told (case files read, case files in all) as the case files are read."""


class Accounts(Protocol):
    """The web app's users (``application.users.Users``)."""

    def list(self) -> list[dict[str, Any]]:
        """Every user as {email, name, role, disabled, account_id}."""


class SubjectAccessRefused(Exception):
    """A request that cannot be answered as asked, in the asker's words."""


class NobodyFound(SubjectAccessRefused):
    """No person record matches the name or contact asked for."""


class SeveralPeople(SubjectAccessRefused):
    """More than one person matches, and the request did not say which."""

    def __init__(self, message: str, people: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.people = people


class SubjectAccess:
    """Answers "what do you hold about me?" for a person named in the case files."""

    def __init__(self, case_files: SchoolCaseFiles, keys: KeyStore, *,
                 accounts: Accounts | None = None, access_log: ChainedRows | None = None
                 ) -> None:
        self.case_files, self.keys = case_files, keys
        self.accounts, self.access_log = accounts, access_log

    # Queries ------------------------------------------------------------------------------

    def people(self, query: str) -> list[dict[str, Any]]:
        """The person records matching ``query`` (part of a name or contact, any case), by
        name: refuses, in words, a query matching nobody."""
        wanted = " ".join(str(query or "").split())
        if not wanted:
            raise NobodyFound("Enter a name or an email address to search for")
        found = self.keys.people(wanted)
        if not found:
            raise NobodyFound(f"Nobody named {wanted!r}, or with {wanted!r} as an email "
                              "address or login, is recorded in any case file (someone whose "
                              "every key was destroyed is no longer known by name)")
        return sorted(({**p, "contacts": list(p["contacts"])} for p in found),
                      key=lambda p: (person_key(p["name"]), p["person"]))

    def choose(self, query: str, person: str | None = None) -> dict[str, Any]:
        """The one person ``query`` matches, or the one of them ``person`` (an id) names;
        refuses a query matching nobody, or several people when ``person`` is not given."""
        found = self.people(query)
        if person is not None:
            chosen = [p for p in found if p["person"] == person]
            if not chosen:
                raise NobodyFound(f"Person {person} is not one of those {query!r} matches: "
                                  + _listed(found))
            return chosen[0]
        if len(found) > 1:
            raise SeveralPeople(f"{len(found)} people match {query!r}: {_listed(found)}. "
                                "Say which one with their person id", found)
        return found[0]

    def find(self, query: str, *, progress: Progress | None = None) -> list[dict[str, Any]]:
        """What is held about every person ``query`` matches, from one reading of the case
        files: each as ``answer`` gives it, without the header."""
        return self._gather(self.people(query), progress)

    def answer(self, query: str, *, asked_by: Recorder, person: str | None = None,
               progress: Progress | None = None) -> dict[str, Any]:
        """What is held about the one person ``query`` (and ``person``) names, headed with who
        asked, when, the query and the counts: the export's content, as plain data."""
        chosen = self.choose(query, person)
        (found,) = self._gather([chosen], progress)
        return {"header": {
            "title": f"Subject access: {HEADING.lower()}", "law": LAW,
            "asked_by": {"name": asked_by.name, "identity": asked_by.words},
            "asked_at": self.case_files.clock.now(), "query": query,
            "person": chosen["person"], "counts": found["counts"]}, **found}

    # Reading ------------------------------------------------------------------------------

    def _gather(self, people: list[dict[str, Any]], progress: Progress | None
                ) -> list[dict[str, Any]]:
        self.case_files.keyring.current(now=True)  # a key destroyed elsewhere shows as erased
        subjects = [_Subject.of(p, self.keys.key_records(person=p["person"])) for p in people]
        urns = self.case_files.urns()
        schools: dict[Any, tuple[int, str]] = {}
        for done, urn in enumerate(urns, 1):
            stream = case_file_id(urn)
            schools[stream] = (urn, self._read(urn, stream, subjects))
            if progress is not None:
                progress(done, len(urns))
        self._match_accounts(subjects)
        self._read_access_log(subjects)
        return [s.answer(schools) for s in subjects]

    def _read(self, urn: int, stream: Any, subjects: list[_Subject]) -> str:
        """Looks for every subject's mentions in one case file; returns the school's name."""
        entries = list(self.case_files.events.get(stream))
        school = _CaseFile(urn)
        for entry in entries:
            school.note(entry)
        for entry in entries:
            kind = type(entry).__name__
            for name, how in _personal_fields(kind):
                value = getattr(entry, name, None)
                if not isinstance(value, SEALED_TYPES) and value in (None, "", [], {}):
                    continue
                for subject in subjects:
                    for found in subject.mentions_in(entry, name, how, value):
                        subject.mentions.append(school.mention(entry, name, found))
        for subject in subjects:
            subject.kept_files += school.kept_files_of(subject)
        return school.name

    def _match_accounts(self, subjects: list[_Subject]) -> None:
        """The user accounts that are the person's: their email among the contacts, their
        account id on entries they recorded, or (said so, for the DPO to check) the same
        name."""
        if self.accounts is None:
            return
        users = self.accounts.list()
        for subject in subjects:
            for user in users:
                matched = subject.account_match(user)
                if matched:
                    subject.accounts.append({
                        "email": user["email"], "name": user["name"], "role": user["role"],
                        "disabled": bool(user["disabled"]),
                        "account_id": user.get("account_id"), "matched_by": matched})

    def _read_access_log(self, subjects: list[_Subject]) -> None:
        """Every access-log line whose viewer is one of the subjects' email addresses (their
        contacts and their accounts'), read once through the whole log, oldest first."""
        if self.access_log is None:
            return
        viewers: dict[str, list[_Subject]] = {}
        for subject in subjects:
            for email in subject.emails():
                viewers.setdefault(email, []).append(subject)
        after = 0
        while viewers:
            page = self.access_log.access_rows(after=after, limit=ACCESS_PAGE)
            for row in page:
                email = row["email"]
                if row.get("sealed_email") is not None:  # sealed under its month's key
                    email = self.case_files.keyring.open(row["sealed_email"])
                for subject in viewers.get(str(email).lower(), ()):
                    subject.accesses.append({"at": row["at"], "email": str(email),
                                             "urn": row["urn"], "view": row["view"]})
            if len(page) < ACCESS_PAGE:
                return
            after = page[-1]["id"]


def grouped(mentions: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mentions by school, then by entry, in the order of the case files: how the printable
    report and the page read them."""
    schools: dict[int, dict[str, Any]] = {}
    for mention in mentions:
        school = schools.setdefault(mention["urn"], {
            "urn": mention["urn"], "school": mention["school"], "entries": {}})
        entry = school["entries"].setdefault(mention["version"], {
            key: mention[key] for key in ("version", "kind", "entry", "area", "effective",
                                          "recorded_at", "retracted")} | {"mentions": []})
        entry["mentions"].append({key: mention[key] for key in (
            "field", "label", "value", "found", "erased")})
    return [{**school, "entries": list(school["entries"].values())}
            for school in schools.values()]


# Internals -------------------------------------------------------------------------------

@dataclass
class _Subject:
    """One person asked about, and what has been found of them so far."""

    person: dict[str, Any]
    keys: list[KeyRecord]
    key_ids: set[str]
    words: re.Pattern[str] | None
    """Their name and contacts as whole words, for free text."""
    names: set[str]
    """Their name and contacts folded, for a NAME or contact stored before values were
    sealed (an older log's entries, read as they were recorded)."""
    mentions: list[dict[str, Any]] = field(default_factory=list)
    kept_files: list[dict[str, Any]] = field(default_factory=list)
    accounts: list[dict[str, Any]] = field(default_factory=list)
    accesses: list[dict[str, Any]] = field(default_factory=list)
    account_ids: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, person: dict[str, Any], keys: list[KeyRecord]) -> _Subject:
        known = [t for t in (person["name"], *person["contacts"]) if t and str(t).strip()]
        folded = sorted({_folded(t) for t in known}, key=len, reverse=True)
        words = re.compile("|".join(rf"(?<!\w){re.escape(t)}(?!\w)" for t in folded)) \
            if folded else None
        return cls(person, keys, {k.key_id for k in keys}, words, set(folded))

    def mentions_in(self, entry: Any, name: str, how: Kind, value: Any
                    ) -> Iterable[tuple[str, Any, str]]:
        """(how found, value as words, erasure note or "") for each mention of this person
        in the field ``name`` of ``entry``."""
        if how is NAMES and isinstance(value, list) and not erased(value):
            for item in value:
                if self._named(item, how):
                    yield NAMED, _said(item), _note(item)
            return
        if self._named(value, how):
            yield NAMED, _named_words(name, value), _note(value)
            return
        if how.name in ("TEXT", "TEXTS", "WHOLE") and not erased(value) and self.words:
            lines = _field_words(entry, name, value)
            hits = [line for line in lines if self.words.search(_folded(line))]
            if hits:
                yield IN_FREE_TEXT, hits[0] if isinstance(value, str) else hits, ""

    def _named(self, value: Any, how: Kind) -> bool:
        sealed = getattr(value, "sealed", None)
        if sealed:
            if sealed[0] not in self.key_ids:
                return False
            if isinstance(value, dict) and value.get("account"):
                self.account_ids.add(str(value["account"]))
            return True
        # Stored before values were sealed: a name or contact field that is this person's
        return (how is NAME or how.name == "CONTACT_OF") and isinstance(value, str) \
            and _folded(value) in self.names

    def account_match(self, user: dict[str, Any]) -> str:
        contacts = {str(c).strip().lower() for c in self.person["contacts"]}
        if str(user["email"]).lower() in contacts:
            return "their email address"
        if user.get("account_id") and str(user["account_id"]) in self.account_ids:
            return "the account recorded on entries they made"
        if person_key(user["name"]) == person_key(self.person["name"]):
            return "the same name only: check it is them"
        return ""

    def emails(self) -> set[str]:
        return {str(c).strip().lower() for c in self.person["contacts"] if "@" in str(c)} | {
            str(a["email"]).lower() for a in self.accounts}

    def answer(self, schools: dict[Any, tuple[int, str]]) -> dict[str, Any]:
        urns = sorted({m["urn"] for m in self.mentions} | {f["urn"] for f in self.kept_files})
        counts = {
            "mentions": len(self.mentions),
            "named": sum(m["found"] == NAMED for m in self.mentions),
            "in_free_text": sum(m["found"] == IN_FREE_TEXT for m in self.mentions),
            "erased": sum(bool(m["erased"]) for m in self.mentions),
            "schools": len(urns), "kept_files": len(self.kept_files),
            "accounts": len(self.accounts), "accesses": len(self.accesses)}
        return {
            "person": {"person": self.person["person"], "name": self.person["name"],
                       "contacts": list(self.person["contacts"])},
            "counts": counts,
            "keys": [{"key_id": k.key_id, "urn": schools.get(k.case_file, (None, ""))[0],
                      "school": schools.get(k.case_file, (None, ""))[1],
                      "created_on": k.created_on,
                      "erased": k.erasure.note if k.erasure else None} for k in self.keys],
            "mentions": self.mentions, "kept_files": self.kept_files,
            "accounts": self.accounts, "accesses": self.accesses,
        }


@dataclass
class _Document:
    """A letter or file of evidence as the case file's entries record it."""

    attached_to: int | None
    entries: list[int] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)


class _CaseFile:
    """What one case file's entries say that a mention needs: the school's name, the entries
    retracted, and the kept files with the entries they rest on."""

    def __init__(self, urn: int) -> None:
        self.urn, self.name = urn, ""
        self.retracted: set[int] = set()
        self.documents: dict[str, _Document] = {}

    def note(self, entry: Any) -> None:
        kind = type(entry).__name__
        if kind == "Registered":
            self.name = entry.name
        elif kind == "DetailsChanged" and entry.changes.get("name"):
            self.name = entry.changes["name"]
        elif kind == "EntryRetracted":
            self.retracted.add(entry.version)
        elif kind in ("LetterProduced", "EvidenceAttached", "SentVersionAttached"):
            attached_to = entry.rests_on if kind == "LetterProduced" else getattr(
                entry, "to_entry", None)
            document = self.documents.setdefault(entry.document_id, _Document(attached_to))
            document.entries.append(entry.originator_version)
            document.files.append({
                "document_id": entry.document_id,
                "version": {"LetterProduced": "letter as produced",
                            "SentVersionAttached": "letter as sent"}.get(kind, "evidence"),
                "entry": entry.originator_version, "file_name": _said(entry.file_name),
                "sha256": entry.sha256, "media_type": entry.media_type, "size": entry.size})

    def mention(self, entry: Any, name: str, found: tuple[str, Any, str]) -> dict[str, Any]:
        how, value, note = found
        kind = type(entry).__name__
        return {
            "urn": self.urn, "school": self.name, "version": entry.originator_version,
            "kind": kind, "entry": kind_words(kind), "area": ENTRY_AREAS.get(kind, ""),
            "effective": entry.effective, "recorded_at": entry.timestamp,
            "retracted": entry.originator_version in self.retracted,
            "field": name, "label": _label(kind, name), "value": value, "found": how,
            "erased": note or None}

    def kept_files_of(self, subject: _Subject) -> list[dict[str, Any]]:
        """The files of this case file's documents whose entries mention the subject, or
        that rest on (or are attached to) an entry that does. Recording an entry is not
        being its subject: who recorded it (``by``) does not bring its files in."""
        about = {m["version"] for m in subject.mentions
                 if m["urn"] == self.urn and m["field"] not in RECORDED_BY}
        found = []
        for document in self.documents.values():
            if about.intersection(document.entries):
                why = "its entry mentions them"
            elif document.attached_to in about:
                why = f"it rests on entry {document.attached_to}, which mentions them"
            else:
                continue
            found += [{"urn": self.urn, "school": self.name, **file, "why": why}
                      for file in document.files]
        return found


def _personal_fields(kind: str) -> tuple[tuple[str, Kind], ...]:
    try:
        return personal_fields(kind)
    except KeyError:  # a kind this version does not classify: the fields every entry has
        return tuple((f, k) for f, k in EVERY_ENTRY.items() if k is not NOT_PERSONAL)


_LABELS = {kind: {name: label for names, label, _ in rows for name in names}
           for kind, rows in KINDS.items()}
_WORDS = {kind: {names[0]: words for names, _, words in rows if len(names) == 1}
          for kind, rows in KINDS.items()}


def _label(kind: str, name: str) -> str:
    return RECORDED_BY.get(name) or _LABELS.get(kind, {}).get(name) or \
        name.replace("_", " ").capitalize()


def _field_words(entry: Any, name: str, value: Any) -> list[str]:
    """A field as the timeline words it, a line to an item (an MSP action, a member's
    terms, a step's argument), so that only the lines naming the person are given."""
    words = _WORDS.get(type(entry).__name__, {}).get(name)
    said: Any = None
    if words is not None:
        try:
            said = words(entry)
        except (AttributeError, TypeError, KeyError, ValueError):
            said = None  # a shape the words do not expect: read it plainly
    if said is None:
        said = _plain_lines(value)
    return [said] if isinstance(said, str) else [str(line) for line in said]


def _plain_lines(value: Any) -> list[str]:
    """A value the timeline has no words for, a line to an item."""
    if isinstance(value, dict):
        return [f"{k}: {_plain(v)}" for k, v in value.items()]
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return [_plain(value)]


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k} {_plain(v)}" for k, v in value.items())
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _named_words(name: str, value: Any) -> Any:
    """A named value as words: an account or login as the byline says it, else as it is."""
    if erased(value):
        return str(erased(value).note)  # type: ignore[union-attr]
    if name == "actor" and isinstance(value, dict):
        return identity_words(dict(value)) or "no account recorded"
    if isinstance(value, dict):
        return [f"{k}: {v}" for k, v in value.items()]
    if isinstance(value, list):
        return [_said(v) for v in value]
    return str(value)


def _said(value: Any) -> str:
    note = erased(value)
    return note.note if note else str(value)


def _note(value: Any) -> str:
    note = erased(value)
    return note.note if note else ""


def _folded(text: Any) -> str:
    return " ".join(str(text).split()).casefold()


def _listed(people: list[dict[str, Any]]) -> str:
    return "; ".join(f"{p['name']} (person {p['person']}"
                     + (f", {', '.join(p['contacts'])}" if p["contacts"] else "") + ")"
                     for p in people)


_ACRONYMS = {"ieb": "IEB", "msp": "MSP", "rise": "RISE", "la": "LA"}


def kind_words(kind: str) -> str:
    """A kind of entry as words: ``IEBConstituted`` → "IEB constituted"."""
    parts = re.findall(r"[A-Z]+(?=[A-Z][a-z]|\b|$)|[A-Z][a-z]+|[a-z]+|\d+", kind)
    words = [_ACRONYMS.get(p.lower(), p if p.isupper() and len(p) > 1 else p.lower())
             for p in parts]
    text = " ".join(words)
    return text[:1].upper() + text[1:]
