"""The LA's deadline policy from a TOML file whose keys are DeadlinePolicy's fields."""

from __future__ import annotations

import dataclasses
import tomllib
from datetime import date
from os import PathLike
from pathlib import Path
from typing import Any

from domain.data_protection import DEFAULT_SCHEDULE, RetentionRule
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
    data.pop("retention", None)  # the retention schedule: load_retention reads it
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


def load_retention(path: str | PathLike[str] | None) -> tuple[RetentionRule, ...]:
    """The retention schedule: the defaults (domain.data_protection.DEFAULT_SCHEDULE), each
    changed by the ``[retention]`` table of the LA's policy file, if it has one:

        [retention]
        closed-school = { years = 6, confirmed = true }
        access-log = { years = 1, months = 6 }

    A rule left out keeps its default period, still marked as the LA's to confirm."""
    rules = {rule.key: rule for rule in DEFAULT_SCHEDULE}
    if path is None:
        return tuple(rules.values())
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8")).get("retention", {})
    except OSError as error:
        raise ValueError(f"Cannot read the policy {path}: {error.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{path}: not a TOML file ({error})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: [retention] must be a table of rules")
    for key, value in data.items():
        if key not in rules:
            raise ValueError(f"{path}: [retention] has no rule {key!r}; the rules are "
                             f"{', '.join(rules)}")
        if not isinstance(value, dict) or set(value) - {"years", "months", "confirmed"}:
            raise ValueError(f"{path}: [retention] {key} must be like "
                             "{ years = 6, months = 0, confirmed = true }")
        periods = {k: value.get(k, 0) for k in ("years", "months")}
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0
                   for v in periods.values()) or not any(periods.values()):
            raise ValueError(f"{path}: [retention] {key}: years and months are whole numbers "
                             "of 0 or more, not both 0")
        confirmed = value.get("confirmed", False)
        if not isinstance(confirmed, bool):
            raise ValueError(f"{path}: [retention] {key}: confirmed is true or false")
        rules[key] = dataclasses.replace(rules[key], **periods, confirmed=confirmed)
    return tuple(rules.values())
