"""Recording, in tests, a step the LA's policy says a head approves: drafted, then approved."""

from __future__ import annotations

from datetime import date
from typing import Any

APPROVING_HEAD = "Approving Head of School Improvement"
"""Who approves the tests' drafts: a head who drafted none of them."""


def approved(case_files: Any, step: str, urn: int, *, by: Any, effective: date | None = None,
             **arguments: Any) -> Any:
    """Records ``step`` as the application's direct command would, through sign-off when the
    policy asks for it: ``by`` drafts it, APPROVING_HEAD approves it, both effective on
    ``effective``. Returns what the step made (a notice's id)."""
    if not case_files.needs_sign_off(urn, step, arguments, effective):
        return getattr(case_files, step)(urn, by=by, effective=effective, **arguments)
    draft = case_files.draft_step(urn, by=by, step=step, arguments=arguments,
                                  effective=effective)
    return case_files.approve_draft(urn, by=APPROVING_HEAD, role="head", draft_id=draft,
                                    effective=effective)
