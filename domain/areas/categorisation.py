"""The LA's own categories (local policy): moving a school between the categories of the
LA's configured scheme, and the termly reviews that keep it where it is."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.areas.core import CaseFileCore, CaseFileEvent, Entry, require_text
from domain.categories import CategoryScheme
from domain.deadlines import next_review
from domain.errors import CaseFileError
from domain.rules import Rule
from domain.wording import long_date

TITLE = "LA categories"

REVIEWS = Rule(
    "category-reviews", "Categories are reviewed three times a year",
    "A school's LA category is reviewed in the LA's review months (by default September, "
    "January and April); a review that keeps the school where it is is recorded too.",
    "Local policy (Peterborough School Improvement Strategy 2013)", kind="policy",
    setting="review_months",
)

RULES = (REVIEWS,)


class CategoryChanged(CaseFileEvent):
    scheme: str
    from_category: str | None
    to_category: str
    reason: str
    evidence: str
    amendable = ("reason", "evidence")


class CategoryReviewed(CaseFileEvent):
    category: str
    reason: str
    amendable = ("reason",)


@dataclass
class CategorySpell:
    category: str
    scheme: str
    since: date
    reason: str
    recorded_in: int = 0


@dataclass
class CategorisationState:
    categories: list[CategorySpell] = field(default_factory=list)
    category_reviewed_on: date | None = None

    @property
    def category(self) -> CategorySpell | None:
        return self.categories[-1] if self.categories else None

    def _on_CategoryChanged(self, e: Any) -> None:
        self.categories.append(CategorySpell(e.to_category, e.scheme, e.effective, e.reason,
                                             recorded_in=e.originator_version))
        self._falls_due_afresh("visit:next", "category_review:next")

    def _on_CategoryReviewed(self, e: Any) -> None:
        self.category_reviewed_on = e.effective
        self._falls_due_afresh("category_review:next")


def deadlines(state: Any, policy: Any, working_days: Any, scheme: Any) -> Iterator[tuple]:
    """The next review of the school's category, in the next review month."""
    if state.category is not None:
        last = max(state.category.since, state.category_reviewed_on or date.min)
        yield ("category_review", "next", next_review(last, policy.review_months),
               "Review the school's LA category", state.category.recorded_in)


class CategorisationCommands(CaseFileCore):
    def change_category(
        self, *, when: Entry, scheme: CategoryScheme, to: str, reason: str, evidence: str = ""
    ) -> None:
        """Moves the school to a category of the LA's configured scheme (local policy)."""
        self._require_open(when)
        try:
            code = scheme.category(to).code
        except CaseFileError as error:
            error.field = "to"
            raise
        current = self.view(as_at=when.effective).category
        if current is not None and current.category == code and current.scheme == scheme.name:
            raise CaseFileError(
                f"The school is already in category {code} (since {long_date(current.since)}): "
                "choose another category", field="to"
            )
        require_text("reason", reason)
        self._record(
            self.CategoryChanged, when=when, scheme=scheme.name,
            from_category=current.category if current else None, to_category=code,
            reason=reason.strip(), evidence=evidence.strip(),
        )

    def review_category(self, *, when: Entry, reason: str) -> None:
        """A categorisation review that keeps the school where it is (local policy:
        review_months); a move is ``change_category``."""
        self._require_open(when)
        current = self.state.category
        if current is None:
            raise CaseFileError("The school has no LA category to review; set one first")
        require_text("reason", reason)
        self._record(self.CategoryReviewed, when=when, category=current.category,
                     reason=reason.strip())
