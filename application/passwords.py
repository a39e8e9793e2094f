"""The password policy, applied wherever a password is set: by an administrator, on the
command line, by the user changing theirs, or through a reset link."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

MINIMUM_LENGTH = 12
MAXIMUM_LENGTH = 1024
"""NCSC, "Password administration for system owners" (2018), and NIST SP 800-63B 5.1.1.2:
a minimum length and a deny-list of common passwords; no composition rules (no demand for
digits or symbols) and no expiry; long passphrases allowed (OWASP ASVS 5.0 6.2.9 asks for at
least 64 characters; the maximum only bounds the hashing work a request can ask for).
Local policy (issue 5): at least 12 characters."""

DENY_LIST = "common_passwords.txt"
"""Common passwords of 12 characters or more (shorter ones are refused by length anyway),
compared without case or spaces: words, keyboard runs and digits that head the published
breach corpora's frequency lists (NCSC's top 100,000, SecLists), and this service's own name."""


class PasswordRefused(ValueError):
    """The password breaks the policy; the message says what to do, for the person setting it."""


def check_password(password: str, *, email: str | None = None) -> None:
    """Raises PasswordRefused unless the password meets the policy."""
    if not password.strip():
        raise PasswordRefused("Enter a password that is not only spaces")
    if len(password) < MINIMUM_LENGTH:
        raise PasswordRefused(f"Enter a password of at least {MINIMUM_LENGTH} characters")
    if len(password) > MAXIMUM_LENGTH:
        raise PasswordRefused(f"Enter a password of at most {MAXIMUM_LENGTH} characters")
    folded = _fold(password)
    if folded in _denied() or (email and folded in {_fold(email), _fold(email.split("@")[0])}):
        raise PasswordRefused("Choose a password that is harder to guess: this one is on a "
                              "list of common passwords. Three random words make a good one")


def _fold(text: str) -> str:
    return "".join(text.split()).casefold()


@cache
def _denied() -> frozenset[str]:
    text = files("application").joinpath(DENY_LIST).read_text(encoding="utf-8")
    return frozenset(_fold(line) for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))
