"""Who records an entry: an account (signed in, or through one of its API tokens), the
operator of the command line, or scc itself; named as the record keeps them.

A display name alone cannot tell two people apart (two accounts may be given the same name,
and the command line takes any name), so every entry records, inside its hashed content, who
recorded it in a form that can (``Recorder.identity``), beside the name as it was at the time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

SYSTEM = "scc"
"""The name scc records its own entries under (reminders sent, deadlines passed)."""


@dataclass(frozen=True)
class Recorder:
    """A name as shown at the time, and an identity that does not change with it.

    ``identity`` is one of (policy: security review finding #4):
    - ``{"account": id, "email": address}``: a signed-in user; the account's id never changes
      and is never given to another account;
    - the same plus ``"token": id``: a call to the API with that token of the account;
    - ``{"operator": login, "via": command}``: the command line (or an import), run by that
      login on the server, which is who an auditor can ask (the name given with ``--by``
      is what they said they were recording for);
    - ``{"system": process}``: scc itself (reminders, passings);
    - ``{}``: a name only, as entries recorded before scc recorded identities are read.
    """

    name: str
    identity: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def account(cls, name: str, *, account_id: str, email: str,
                token_id: int | None = None) -> Recorder:
        identity: dict[str, Any] = {"account": str(account_id), "email": email}
        if token_id is not None:
            identity["token"] = int(token_id)
        return cls(name, identity)

    @classmethod
    def operator(cls, name: str, *, login: str, via: str) -> Recorder:
        return cls(name, {"operator": login, "via": via})

    @classmethod
    def system(cls, process: str) -> Recorder:
        return cls(f"{SYSTEM} {process}", {"system": process})

    @property
    def words(self) -> str:
        return identity_words(self.identity)


def identity_words(identity: dict[str, Any] | None) -> str:
    """How the record says who an entry's recorder was, beside their name: what tells two
    accounts of the same name apart ("" for an entry recorded before identities were)."""
    if not identity:
        return ""
    if "account" in identity:
        words = f"{identity.get('email') or 'no email'}, account {identity['account']}"
        if identity.get("token") is not None:
            words += f", API token {identity['token']}"
        return words
    if "operator" in identity:
        return f"{identity.get('via') or 'command line'}, run by {identity['operator']}"
    if "system" in identity:
        return f"recorded by scc itself ({identity['system']})"
    return ""
