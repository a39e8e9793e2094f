"""Personal data erased from a case file: what was erased, under which rule and by whose
decision, recorded in the case file itself without the content erased (UK GDPR Art 5(1)(e)
storage limitation, Art 17 erasure; the LA's retention schedule)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain import data_protection
from domain.areas.core import CaseFileCore, CaseFileEvent, Entry, require_text
from domain.errors import CaseFileError
from domain.rules import Rule

TITLE = "Personal data erased"

ERASURE_LEAVES_THE_CHAIN = Rule(
    "erasure-keeps-the-chain", "Erasure destroys keys, never entries",
    "Personal data in a case file is erased by destroying the keys it is sealed with (one per "
    "person in the case file, one for its free text). The entries stay, with what they say "
    "that is not personal (dates, steps, categories), and the hash chain still verifies: it "
    "covers a salted commitment to each personal value, not the value. The erasure itself "
    "is recorded in the case file, saying what was erased and under which rule, never what "
    "the erased data said.",
    "UK GDPR Articles 5(1)(e) and 17; the LA's retention schedule", kind="policy",
)

RULES = (ERASURE_LEAVES_THE_CHAIN, *data_protection.RULES)
"""With the rules of retention, holds and destruction (``domain.data_protection``), which
decide when an erasure is recorded here."""


class PersonalDataErased(CaseFileEvent):
    rule: str  # the retention rule, or the erasure request, it was erased under
    destruction: str  # the destruction (D1...) whose approval it carries out
    keys: list[str]  # the key ids destroyed
    what: str  # in words: "the free text and the names of 14 people"


@dataclass
class Erasure:
    erased_on: date
    rule: str
    destruction: str
    what: str
    keys: list[str]
    recorded_in: int


@dataclass
class ErasureState:
    erasures: list[Erasure] = field(default_factory=list)

    def _on_PersonalDataErased(self, e: Any) -> None:
        self.erasures.append(Erasure(e.effective, e.rule, e.destruction, e.what,
                                     list(e.keys), e.originator_version))


class ErasureCommands(CaseFileCore):
    def record_erasure(self, *, when: Entry, rule: str, destruction: str, keys: list[str],
                       what: str) -> None:
        """Records that these keys of the case file are being destroyed, and why (rule
        ``erasure-keeps-the-chain``). A closed school's case file may be erased: it is what
        retention is for."""
        self._require_after_registration(when)
        require_text("rule", rule)
        require_text("destruction", destruction)
        require_text("description of what is erased", what, field="what")
        if not keys:
            raise CaseFileError("Say which keys are destroyed: there is nothing to erase")
        erased = {k for e in self.state.erasures for k in e.keys}
        if already := sorted(set(keys) & erased):
            raise CaseFileError(f"Already erased: {', '.join(already)}")
        self._record(self.PersonalDataErased, when=when, rule=rule.strip(),
                     destruction=destruction.strip(), keys=sorted(set(keys)),
                     what=what.strip())
