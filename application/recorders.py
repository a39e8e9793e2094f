"""Who a use case records as: a signed-in account, one of its API tokens, or the operator of
the command line (scc's own entries are ``application.case_files.REMINDERS``)."""

from __future__ import annotations

import getpass
from typing import Any

from domain.identity import Recorder


def account(user: dict[str, Any], *, token_id: int | None = None) -> Recorder:
    """A user as ``Users`` gives them ({email, name, account_id}), with the API token they
    call through, if any."""
    return Recorder.account(user["name"], account_id=user["account_id"], email=user["email"],
                            token_id=token_id)


def operator(name: str | None = None, *, via: str = "command line") -> Recorder:
    """Whoever runs scc on the server: their login, which the server's own records can tie to
    a person, and the name they gave (``--by``), or their login if they gave none."""
    login = _login()
    return Recorder.operator(name or login, login=login, via=via)


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for the process's user id (a bare container)
        import os
        return f"uid {os.getuid()}"
