"""The LA's deadline policy from a TOML file whose keys are DeadlinePolicy's fields."""

from __future__ import annotations

import dataclasses
import tomllib
from datetime import date
from os import PathLike
from pathlib import Path
from typing import Any

from domain.deadlines import DeadlinePolicy

LISTS = ("reminder_working_days", "review_months")
"""The keys that take a list of whole numbers."""
WORD_LISTS = ("warning_notice_copies", "sign_off_steps")
"""The keys that take a list of words."""
FLAGS = ("report_card_category_may_differ",)
"""The keys that take true or false."""
DATES = ("sign_off_from",)
"""The keys that take a date (TOML's 2026-09-01); every other key takes one whole number."""


def load_policy(path: str | PathLike[str]) -> DeadlinePolicy:
    """The policy in ``path`` (e.g. adapters/policies/example.toml); a key left out keeps its
    default. Unknown keys and bad values are refused with a ValueError naming the key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ValueError(f"Cannot read the deadline policy {path}: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not a TOML file ({error})") from None
    known = [f.name for f in dataclasses.fields(DeadlinePolicy)]
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValueError(f"{path}: unknown key {', '.join(map(repr, unknown))}; a deadline "
                         f"policy has {', '.join(known)}")
    values = {key: _value(path, key, value) for key, value in data.items()}
    for key, value in values.items():
        try:  # DeadlinePolicy holds each rule on values; ask it about one key at a time
            DeadlinePolicy(**{key: value})
        except ValueError as error:
            raise ValueError(f"{path}: {key}: {error}") from None
    return DeadlinePolicy(**values)


def _value(path: Path, key: str, value: Any) -> Any:
    def is_number(item: Any) -> bool:
        return isinstance(item, int) and not isinstance(item, bool)

    if key in WORD_LISTS:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValueError(f"{path}: {key} must be a list of words in quotes, e.g. "
                             f'["headteacher"], not {value!r}')
        if len(set(value)) != len(value):
            raise ValueError(f"{path}: {key} repeats a word: {value!r}")
        return tuple(value)
    if key in LISTS:
        if not isinstance(value, list) or not all(is_number(item) for item in value):
            raise ValueError(f"{path}: {key} must be a list of whole numbers, e.g. [5, 1], "
                             f"not {value!r}")
        if len(set(value)) != len(value):
            raise ValueError(f"{path}: {key} repeats a number: {value!r}")
        return tuple(value)
    if key in DATES:
        if type(value) is not date:
            raise ValueError(f"{path}: {key} must be a date, e.g. 2026-09-01, not {value!r}")
        return value
    if key in FLAGS:
        if not isinstance(value, bool):
            raise ValueError(f"{path}: {key} must be true or false, not {value!r}")
        return value
    if not is_number(value):
        raise ValueError(f"{path}: {key} must be a whole number, not {value!r}")
    return value
