"""Pages of a long list, and the links GOV.UK's pagination component shows for them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import request

Item = TypeVar("Item")

FURTHEST_PAGE = 1_000_000
"""The highest page number read from a link: further than any list goes (a million pages of
50), and small enough that its offset fits the store's integers (a page number of 20 digits
made SQLite overflow)."""


def asked_page(name: str = "page") -> int:
    """The page number the query asks for, from 1 to FURTHEST_PAGE (1 if none or not a
    number); a page past a list's end is then its last page (Page.asked)."""
    return min(max(request.args.get(name, 1, type=int), 1), FURTHEST_PAGE)


@dataclass(frozen=True)
class Page:
    """One page of ``total`` items: which page it is, of how many, and where it starts."""

    number: int
    pages: int
    per_page: int
    total: int

    @classmethod
    def asked(cls, number: int | None, total: int, per_page: int) -> Page:
        """The page asked for, kept within the pages there are (page 1 if none is asked)."""
        pages = max(1, -(-total // per_page))
        return cls(min(max(number or 1, 1), pages), pages, per_page, total)

    @property
    def first(self) -> int:
        """The position (from 1) of the page's first item."""
        return (self.number - 1) * self.per_page + 1

    def of(self, items: Sequence[Item]) -> Sequence[Item]:
        return items[self.first - 1:self.first - 1 + self.per_page]

    def holding(self, position: int) -> int:
        """The number of the page that holds the item at ``position`` (from 0)."""
        return position // self.per_page + 1

    def component(self, href: Callable[[int | None], str], label: str) -> dict[str, Any]:
        """The parameters of govukPagination; ``href(n)`` links to page n (None: the first)."""
        def link(n: int) -> str:
            return href(n if n > 1 else None)
        return {
            "items": [{"ellipsis": True} if n is None else
                      {"number": n, "href": link(n), "current": n == self.number}
                      for n in page_numbers(self.number, self.pages)],
            "previous": {"href": link(self.number - 1)} if self.number > 1 else None,
            "next": {"href": link(self.number + 1)} if self.number < self.pages else None,
            "landmarkLabel": label,
        }


def page_numbers(page: int, pages: int) -> list[int | None]:
    """The page links GOV.UK's pagination shows: the first, the last, the current page and
    its neighbours, with None where an ellipsis stands for the pages between."""
    wanted = sorted({1, pages, page - 1, page, page + 1} & set(range(1, pages + 1)))
    numbers: list[int | None] = []
    for before, n in zip([0, *wanted], wanted, strict=False):
        if n - before > 1:
            numbers.append(None)
        numbers.append(n)
    return numbers
