"""A rule of the law or of the LA's policy, as an object a command checks and a rulebook lists.

Each area of the case file (``domain.areas``) declares its rules beside the commands that check
them. A rule says what it requires, where that comes from, from when and until when it applies,
and whether it is statute, statutory guidance or the LA's own policy; a refusal names the rule
it rests on, so a user can read it and an auditor can see which law the record was held to.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NoReturn

from domain.errors import CaseFileError

KINDS = {
    "statute": "Statute",
    "guidance": "Government policy",
    "policy": "The LA's policy",
}
"""What a rule rests on: an Act or regulations; a department's policy or guidance, which is not
law; or the LA's own policy file (local policy, configurable)."""


@dataclass(frozen=True)
class Rule:
    """One rule: ``key`` is its stable name (a page anchor, an API field), ``says`` what it
    requires in a sentence, ``source`` the provision or policy key it comes from."""

    key: str
    title: str
    says: str
    source: str
    kind: str = "statute"
    applies_from: date | None = None
    applies_until: date | None = None
    """The last day the rule applies, if it has ended (repealed, replaced)."""
    unconfirmed: str = ""
    """Why a default or reading is unconfirmed (no primary text found), if it is."""
    setting: str = ""
    """The LA policy file's key that may override this rule's default, if any."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"rule {self.key}: kind must be one of {', '.join(KINDS)}")
        if (self.applies_from and self.applies_until
                and self.applies_until < self.applies_from):
            raise ValueError(f"rule {self.key}: it cannot end before it starts")

    def in_force_on(self, day: date) -> bool:
        """Whether the rule applied on ``day`` (its first and last days included)."""
        return ((self.applies_from is None or self.applies_from <= day)
                and (self.applies_until is None or day <= self.applies_until))

    def refuse(self, message: str, *, field: str | None = None) -> NoReturn:
        """Refuses a command because of this rule; the message says why in the user's words
        and what to do, and ``field`` names the command's argument it concerns, if one."""
        raise Refused(self, message, field=field)


class Refused(CaseFileError):
    """A command a named rule does not allow."""

    def __init__(self, rule: Rule, message: str, *, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.rule = rule


def rule_of(error: BaseException) -> Rule | None:
    """The rule a refusal rests on, if it names one (input that is merely missing or malformed
    is refused without a rule)."""
    return getattr(error, "rule", None)
