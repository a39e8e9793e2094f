"""What the schools list asks for: a search by name or URN, filters and a sort."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

SCHOOL_SORTS = ("urn", "name", "category", "next_deadline")


@dataclass(frozen=True)
class SchoolSearch:
    """Status rows matching a search and filters, in the order asked for.

    ``text`` matches a part of the name, or the start of the URN, whatever their case
    (``str.casefold``); ``category`` is a code (any case) or ``"none"`` for schools not
    categorised; ``is_open`` asks for schools open (or closed) on the day ``on``, open from
    the opening date to the close date, both included. Names and categories sort by code
    point after folding case, categories in the scheme's order (``scheme_codes``) first;
    schools with nothing to sort by (no category, no deadline) come last either way, by URN.
    Ties go by URN, in the order asked.
    """

    text: str = ""
    phase_group: str | None = None
    category: str | None = None
    causing_concern: bool | None = None
    governance: str | None = None
    is_open: bool | None = None
    on: date | None = None
    sort: str = "urn"
    descending: bool = False
    scheme_codes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.sort not in SCHOOL_SORTS:
            raise ValueError(f"Sort by one of {', '.join(SCHOOL_SORTS)}, not {self.sort!r}")
        if self.is_open is not None and self.on is None:
            raise ValueError("Open or closed on which day? Give on=")

    @property
    def folded_text(self) -> str:
        return self.text.strip().casefold()

    def is_category(self, recorded: str | None) -> bool:
        """Whether a school with this category recorded is of the category asked for."""
        assert self.category is not None
        return (recorded or "none").casefold() == self.category.strip().casefold()

    def category_rank(self, recorded: str) -> int:
        """Where a recorded category sorts: its place in the scheme, or after them all."""
        ranks = {code.casefold(): n for n, code in enumerate(self.scheme_codes)}
        return ranks.get(recorded.casefold(), len(ranks))
