"""Every rule scc holds a case file to, chapter by chapter (one chapter an area of the case
file): what ``scc rules`` and the rules page list, and where a refusal's rule is looked up."""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from domain.rules import Rule


@dataclass(frozen=True)
class Chapter:
    key: str
    title: str
    summary: str
    rules: tuple[Rule, ...]


def chapters() -> list[Chapter]:
    """The rules, grouped by area, in the order of the case file's areas."""
    from domain.case_file import AREAS  # the aggregate's table of contents

    return [_chapter(area) for area in AREAS if getattr(area, "RULES", ())]


def rule(key: str) -> Rule:
    """The rule named ``key``; KeyError if there is none."""
    for chapter in chapters():
        for found in chapter.rules:
            if found.key == key:
                return found
    raise KeyError(key)


def _chapter(area: ModuleType) -> Chapter:
    summary = (area.__doc__ or "").strip().split("\n\n")[0]
    return Chapter(area.__name__.rpartition(".")[2], area.TITLE, " ".join(summary.split()),
                   tuple(area.RULES))
