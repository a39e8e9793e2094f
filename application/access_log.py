"""The access log's hash chain: who viewed which case file, in rows an insider cannot delete
or edit unseen (issue 18, finding #10).

Each row names the row it follows (``follows``: its id, 0 for the first) and carries a link
over the link of that row and its own content, as ``domain.chain`` links a case file's entries.
A row deleted from the middle leaves the next one following a row that is not there; a row
edited no longer gives its link. Rows deleted from the end, or the whole log rewritten with
fresh links, leave no trace here: only a copy of the head kept elsewhere can show that.

Who viewed is personal data. Each row's viewer (their email address) is sealed under a key for
the calendar month of the row (UTC), kept in the key store as if the month were a case file, and
the link covers a salted commitment to it (``domain.personal_data``), never the address: once
the retention schedule destroys a month's key, that month's viewers are unreadable in the store
and every backup, read as the erasure's note, and the chain still verifies. Rows recorded before
viewers were sealed keep their address in plain and are linked over it, as they always were.

Policy: UK GDPR Article 5(1)(e) (storage limitation), as the LA's retention schedule applies it
to the access log.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any, Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

from application.personal_keys import KeyStore
from domain import chain
from domain.personal_data import CASE_FILE, Erasure, Personal, erased

FIRST = 0
"""What the first row follows."""


def access_link(previous: str, row: Mapping[str, Any]) -> str:
    """A row's link: over the previous row's link, the row it follows and what it says."""
    return chain.link(previous, "CaseFileViewed", {
        "follows": row["follows"], "at": row["at"].astimezone(UTC), "email": row["email"],
        "urn": row["urn"], "view": row["view"]})


class Keys(Protocol):
    """What the access log needs of ``application.personal_keys.Keyring``."""

    store: KeyStore

    def seal(self, value: Any) -> list[Any]: ...

    def open(self, data: list[Any]) -> Any: ...

    def destroy(self, key_ids: Iterable[str], erasure: Erasure, by: str) -> int: ...


class ChainedRows(Protocol):
    def access_rows(self, *, after: int, limit: int) -> list[dict[str, Any]]:
        """Rows {id, follows, link, at, email, sealed_email, urn, view} with id above
        ``after``, by id: ``email`` for a row from before viewers were sealed, else
        ``sealed_email``, the viewer's stored form."""

    def access_log_keys(self) -> list[dict[str, Any]]:
        """Each key viewers are sealed under: {key_id, first (the earliest row's time), rows}."""


# Sealing the viewer ------------------------------------------------------------------------

def month_of(at: datetime) -> str:
    """The calendar month a row belongs to, as ``2026-12``: in UTC, as rows are stored."""
    return at.astimezone(UTC).strftime("%Y-%m")


def month_case_file(month: str) -> UUID:
    """Where the key store keeps a month's key: a case file of its own, that no school has."""
    return uuid5(NAMESPACE_URL, f"https://scc.invalid/access-log/{month}")


def sealed_viewer(keys: Keys, email: str, at: datetime) -> Personal:
    """The viewer's email address sealed under the key of the month of ``at``: its stored
    form (``sealed``) goes in the row, its commitment (``linked``) into the row's link."""
    viewer = Personal(email, subject=CASE_FILE, case_file=month_case_file(month_of(at)))
    keys.seal(viewer)
    return viewer


def viewer(row: Mapping[str, Any], keys: Keys | None) -> Any:
    """A row's viewer: the address (in plain before viewers were sealed), the erasure's note
    once its month's key is destroyed, or, without the keys, a stand-in that links as the
    sealed value does. Raises LookupError for a value whose key the key store never had, and
    whatever the cipher or the commitment check raises for one altered in the store."""
    sealed = row.get("sealed_email")
    if sealed is None:
        return row["email"]
    if row.get("email") is not None:
        raise ValueError("a row has its viewer both sealed and in plain")
    if keys is None:
        return _Commitment(sealed[1])
    return keys.open(list(sealed))


class _Commitment:
    """A sealed viewer as the chain sees it, read without opening it."""

    def __init__(self, commitment: str) -> None:
        self.commitment = commitment

    def linked(self) -> dict[str, str]:
        return {"personal": self.commitment}


def opened(rows: Iterable[dict[str, Any]], keys: Keys) -> list[dict[str, Any]]:
    """Rows {at, email, urn, view, erased} as people read them: ``email`` the viewer's address
    or, once erased, the erasure's note (also in ``erased``)."""
    read = []
    for row in rows:
        try:
            who = viewer(row, keys)
        except Exception:  # noqa: BLE001 - a page of the log is shown whatever one row holds
            who = "[cannot be read: scc verify says why]"
        gone = erased(who)
        read.append({"at": row["at"], "email": str(who), "urn": row["urn"],
                     "view": row["view"], "erased": gone.note if gone else None})
    return read


PAGE = 5000


def verify_access_log(store: ChainedRows, keys: Keys | None = None) -> dict[str, Any]:
    """Walks the access log in order: ``rows`` checked, ``problem`` (the first row at fault,
    in the auditor's words, with its ``row`` id) or None, and ``erased``: for each month whose
    viewers were erased, {month, rows, erasure} (not a problem: their key was destroyed under
    a rule). Given the keys, each sealed viewer is opened too, which finds one altered in the
    store; without them, sealed viewers are checked by their commitments alone."""
    checked, after, previous_link = 0, FIRST, chain.GENESIS
    erasures: dict[str, dict[str, Any]] = {}
    while True:
        page = store.access_rows(after=after, limit=PAGE)
        problem = _first_problem(page, after, previous_link, keys, erasures)
        checked += len(page) if problem is None else problem.pop("checked")
        if problem is not None:
            return {"rows": checked, "problem": problem, "erased": list(erasures.values())}
        if len(page) < PAGE:
            return {"rows": checked, "problem": None, "erased": list(erasures.values())}
        after, previous_link = page[-1]["id"], page[-1]["link"]


def _first_problem(rows: Iterable[dict[str, Any]], after: int, previous_link: str,
                   keys: Keys | None = None,
                   erasures: dict[str, dict[str, Any]] | None = None) -> dict[str, Any] | None:
    for checked, row in enumerate(rows):
        if row["follows"] != after:
            if row["follows"] > after:
                text = (f"row {row['follows']} is missing: it was deleted (row {row['id']} "
                        "follows it)")
            else:
                text = (f"row {row['id']} is out of place: it follows row {row['follows']}, "
                        f"not row {after}")
            return {"row": row["id"], "problem": text, "checked": checked}
        try:
            who = viewer(row, keys)
        except LookupError:
            return {"row": row["id"], "problem": f"row {row['id']}'s viewer is sealed under a "
                                                 "key the key store does not have: is "
                                                 "SCC_KEY_STORE_URL the key store of this log?",
                    "checked": checked}
        except Exception:  # noqa: BLE001 - whatever the cipher raises, it does not open
            return {"row": row["id"], "problem": f"row {row['id']} was altered after it was "
                                                 "recorded: its sealed viewer is not the one "
                                                 "sealed when it was",
                    "checked": checked}
        if (gone := erased(who)) is not None and erasures is not None:
            month = month_of(row["at"])
            found = erasures.setdefault(month, {"month": month, "rows": 0, "erasure": gone})
            found["rows"] += 1
        row = {**row, "email": who}
        if row["link"] != access_link(previous_link, row):
            return {"row": row["id"], "problem": f"row {row['id']} was altered after it was "
                                                 "recorded, or not recorded by scc",
                    "checked": checked}
        after, previous_link = row["id"], row["link"]
    return None


# Retention ---------------------------------------------------------------------------------

class SealedAccessLog:
    """The access log's months for the retention schedule (``application.data_protection``
    reads it as its AccessLogMonths): which months' viewers are held, and destroying their
    keys. Rows recorded before viewers were sealed are in no month here: their addresses
    cannot be erased by destroying a key."""

    def __init__(self, store: ChainedRows, keys: Keys) -> None:
        self.store, self.keys = store, keys

    def months(self) -> list[dict[str, Any]]:
        """Each month whose viewers are sealed, oldest first: {month, rows, erased}, erased
        the Erasure once none of its keys is left (the latest of them), else None."""
        return [{"month": m["month"], "rows": m["rows"], "erased": m["erased"]}
                for m in self._months()]

    def erase_months(self, months: Iterable[str], erasure: Erasure, by: str) -> int:
        """Destroys the keys of these months (``2026-11``...), so that who viewed what then is
        gone from the store and from every backup; returns how many months were erased now
        (a month erased before is left as it is)."""
        wanted = set(months)
        doomed = [m for m in self._months() if m["month"] in wanted and m["live"]]
        if doomed:
            self.keys.destroy([k for m in doomed for k in m["live"]], erasure, by)
        return len(doomed)

    def erase_before(self, before: date, erasure: Erasure, by: str) -> list[dict[str, Any]]:
        """Destroys the keys of every month that ended before ``before`` (a month goes whole
        or not at all: the month ``before`` falls in is kept); returns what it destroyed,
        {month, rows, keys}, oldest first."""
        doomed = [m for m in self._months() if m["live"] and _month_after(m["month"]) <= before]
        if doomed:
            self.keys.destroy([k for m in doomed for k in m["live"]], erasure, by)
        return [{"month": m["month"], "rows": m["rows"], "keys": len(m["live"])}
                for m in doomed]

    def _months(self) -> list[dict[str, Any]]:
        """Each month with its rows, the ids of its keys still there (``live``) and, once
        none is, the latest erasure of its keys."""
        months: dict[str, dict[str, Any]] = {}
        held = self.store.access_log_keys()
        material = self.keys.store.keys(k["key_id"] for k in held)
        for key in held:
            month = month_of(key["first"])
            found = months.setdefault(month, {"month": month, "rows": 0, "live": [],
                                              "erasures": []})
            found["rows"] += key["rows"]
            gone = material.get(key["key_id"])
            if isinstance(gone, Erasure):
                found["erasures"].append(gone)
            else:
                found["live"].append(key["key_id"])
        for found in months.values():
            erasures = found.pop("erasures")
            found["erased"] = None if found["live"] else max(erasures, key=lambda e: e.on)
        return sorted(months.values(), key=lambda m: m["month"])


def _month_after(month: str) -> date:
    """The first day of the month after ``month`` (``2026-12`` gives 1 January 2027)."""
    year, number = (int(part) for part in month.split("-"))
    return date(year + number // 12, number % 12 + 1, 1)
