"""Signing in through the LA's own OpenID Connect provider: whose account it is, and the role
the person's groups at the provider give them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from application.access import ROLES
from application.users import UserError, Users, normal_email
from domain.identity import Recorder


class ProviderSignInRefused(Exception):
    """The provider vouched for the person, but scc will not let them in; the message says
    why and what to do, in the person's words."""


@dataclass(frozen=True)
class RoleMapping:
    """Local policy ``SCC_OIDC_ROLES``: which of the provider's groups gives which scc role.
    A person in several mapped groups gets the role of the one listed first, so the LA lists
    the groups in the order it wants them to win; a person in none is refused."""

    groups: tuple[tuple[str, str], ...]

    @classmethod
    def parse(cls, text: str) -> RoleMapping:
        """``group=role`` pairs separated by commas or new lines (a group is what the
        provider's groups claim holds: Entra ID sends group object ids)."""
        pairs = []
        for item in text.replace("\n", ",").split(","):
            if not item.strip():
                continue
            group, equals, role = item.rpartition("=")
            group, role = group.strip(), role.strip().lower()
            if not equals or not group:
                raise ValueError(f"SCC_OIDC_ROLES: {item.strip()!r} is not group=role")
            if role not in ROLES:
                raise ValueError(f"SCC_OIDC_ROLES: {role!r} (for {group!r}) is not a role; "
                                 f"the roles are {', '.join(ROLES)}")
            pairs.append((group, role))
        if not pairs:
            raise ValueError("SCC_OIDC_ROLES is empty: map at least one of the provider's "
                             "groups to a role (group=role)")
        return cls(tuple(pairs))

    def role_for(self, groups: Iterable[str]) -> str | None:
        held = set(groups)
        return next((role for group, role in self.groups if group in held), None)


class ProviderSignIn:
    """Turns what the provider vouched for into an scc account.

    The account is the one with the provider's email address; a person with no account yet is
    given one when their groups map to a role, since the LA decides who works on schools
    causing concern by putting people in its groups, and asking an administrator to add each
    of them again in scc makes two lists that can disagree. The role is taken from the groups
    at every sign-in, so moving someone between groups at the provider moves them in scc at
    their next sign-in. An account disabled in scc stays refused whatever the groups say."""

    def __init__(self, users: Users, roles: RoleMapping, provider_name: str) -> None:
        self.users = users
        self.roles = roles
        self.provider_name = provider_name

    def sign_in(self, *, email: str | None, name: str | None, groups: Any,
                email_verified: Any = None) -> dict[str, Any]:
        """The account to start a session for; raises ProviderSignInRefused otherwise."""
        if not isinstance(email, str) or not email.strip():
            raise ProviderSignInRefused(
                f"{self.provider_name} did not tell scc your email address, so scc cannot "
                "tell which account is yours. Ask your administrator to send the email claim.")
        if email_verified is False:
            raise ProviderSignInRefused(
                f"{self.provider_name} says your email address {email.strip()} is not "
                "verified. Ask your administrator to check your account.")
        email = normal_email(email)
        if isinstance(groups, str):
            groups = [groups]
        role = self.roles.role_for(g for g in (groups or []) if isinstance(g, str))
        if role is None:
            raise ProviderSignInRefused(
                f"Your {self.provider_name} account ({email}) is not in any group that "
                "gives access to scc. Ask your administrator to add you to the right group.")
        account = self.users.get(email)
        if account is None:
            try:
                return self.users.add_without_password(email=email, name=name or email,
                                                       role=role)
            except UserError:  # a first sign-in in another tab or worker made it meanwhile
                account = self.users.get(email)
        if account["disabled"]:
            raise ProviderSignInRefused(
                f"Your scc account ({email}) is disabled. Ask your administrator to "
                "enable it.")
        if account["role"] != role:
            try:
                self.users.set_role(email, role, by=Recorder.system("single sign-on"))
            except UserError as refusal:  # the last administrator's groups changed
                raise ProviderSignInRefused(str(refusal)) from None
        return self.users.get(email)
