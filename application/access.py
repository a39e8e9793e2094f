"""Who may do what: the roles of the web app and the API, and the permissions they carry."""

from __future__ import annotations

ROLES = ("caseworker", "head", "auditor", "admin")

PERMISSIONS = {
    "read": {"caseworker", "head", "auditor"},  # case files, dashboard, reports
    "record": {"caseworker", "head"},  # every command on a case file
    "assign": {"head"},  # assign caseworkers; the category scheme
    "approve": {"head"},  # approve or return a draft (sign-off: not one they drafted)
    "replay": {"auditor", "head"},  # as at, as known at, differences, exports
    "manage_users": {"admin"},
    "read_administration": {"admin", "auditor"},  # the user administration log
    "protect_data": {"admin"},  # retention, legal holds, destruction, subject access
}
"""Issue 5: caseworkers record events; the head also assigns and owns the category scheme;
auditors read, replay and export, and record nothing; admins manage users. Issue 18: auditors
also read the log of what admins did to users (so admins are not alone in checking it).
Issue 19: admins (the LA's data protection officer among them) answer subject access
requests, place legal holds and propose and approve destruction, two of them for each."""


def may(role: str | None, permission: str) -> bool:
    """Whether a user with this role has this permission."""
    if permission not in PERMISSIONS:
        raise ValueError(f"No permission {permission!r}")
    return role in PERMISSIONS[permission]
