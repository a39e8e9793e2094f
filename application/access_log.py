"""The access log's hash chain: who viewed which case file, in rows an insider cannot delete
or edit unseen (issue 18, finding #10).

Each row names the row it follows (``follows``: its id, 0 for the first) and carries a link
over the link of that row and its own content, as ``domain.chain`` links a case file's entries.
A row deleted from the middle leaves the next one following a row that is not there; a row
edited no longer gives its link. Rows deleted from the end, or the whole log rewritten with
fresh links, leave no trace here: only a copy of the head kept elsewhere can show that.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC
from typing import Any, Protocol

from domain import chain

FIRST = 0
"""What the first row follows."""


def access_link(previous: str, row: Mapping[str, Any]) -> str:
    """A row's link: over the previous row's link, the row it follows and what it says."""
    return chain.link(previous, "CaseFileViewed", {
        "follows": row["follows"], "at": row["at"].astimezone(UTC), "email": row["email"],
        "urn": row["urn"], "view": row["view"]})


class ChainedRows(Protocol):
    def access_rows(self, *, after: int, limit: int) -> list[dict[str, Any]]:
        """Rows {id, follows, link, at, email, urn, view} with id above ``after``, by id."""


PAGE = 5000


def verify_access_log(store: ChainedRows) -> dict[str, Any]:
    """Walks the access log in order: ``rows`` checked, and ``problem`` (the first row at
    fault, in the auditor's words, with its ``row`` id) or None."""
    checked, after, previous_link = 0, FIRST, chain.GENESIS
    while True:
        page = store.access_rows(after=after, limit=PAGE)
        problem = _first_problem(page, after, previous_link)
        checked += len(page) if problem is None else problem.pop("checked")
        if problem is not None:
            return {"rows": checked, "problem": problem}
        if len(page) < PAGE:
            return {"rows": checked, "problem": None}
        after, previous_link = page[-1]["id"], page[-1]["link"]


def _first_problem(rows: Iterable[dict[str, Any]], after: int,
                   previous_link: str) -> dict[str, Any] | None:
    for checked, row in enumerate(rows):
        if row["follows"] != after:
            if row["follows"] > after:
                text = (f"row {row['follows']} is missing: it was deleted (row {row['id']} "
                        "follows it)")
            else:
                text = (f"row {row['id']} is out of place: it follows row {row['follows']}, "
                        f"not row {after}")
            return {"row": row["id"], "problem": text, "checked": checked}
        if row["link"] != access_link(previous_link, row):
            return {"row": row["id"], "problem": f"row {row['id']} was altered after it was "
                                                 "recorded, or not recorded by scc",
                    "checked": checked}
        after, previous_link = row["id"], row["link"]
    return None
