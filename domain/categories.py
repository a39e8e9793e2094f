"""The LA's own categorisation scale: a configured scheme, never code."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import CaseFileError


class UnknownCategory(CaseFileError):
    """A category that the LA's configured scheme does not define."""


@dataclass(frozen=True)
class Category:
    code: str
    label: str
    concern: str  # "yes", "maybe" or "no": whether schools in it are causing concern


@dataclass(frozen=True)
class CategoryScheme:
    """An LA's category scale (local policy key: ``category_scheme``).

    Peterborough 2013: 3b and 4 are schools causing concern, 3a may be; Torbay 2011: 1-4.
    """

    name: str
    categories: tuple[Category, ...]

    def __post_init__(self) -> None:
        codes = [c.code for c in self.categories]
        if not codes:
            raise ValueError(f"category scheme {self.name!r} defines no categories")
        if len(set(codes)) != len(codes):
            raise ValueError(f"category scheme {self.name!r} repeats a category code")
        for category in self.categories:
            if category.concern not in ("yes", "maybe", "no"):
                raise ValueError(
                    f"category {category.code!r} of scheme {self.name!r}: concern must be "
                    f"yes, maybe or no, not {category.concern!r}"
                )

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.categories)

    def category(self, code: str) -> Category:
        """The category with this code; codes match without regard to case (3A is 3a)."""
        for category in self.categories:
            if category.code.casefold() == str(code).strip().casefold():
                return category
        raise UnknownCategory(
            f"Category {code!r} is not in the {self.name} scheme "
            f"(its categories are {', '.join(self.codes)})"
        )

    def is_causing_concern(self, code: str | None) -> bool:
        """Whether a school in this category is a School Causing Concern ("maybe" is not)."""
        return code is not None and self.category(code).concern == "yes"
