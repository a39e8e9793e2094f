"""Who is calling: a bearer token names the user, whose role says what the API lets them do.

Only the Authorization header counts: a signed-in browser's session cookie never
authenticates an API request, so a page on another site cannot make a signed-in user's
browser record anything through the API (which has no CSRF token to check).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import marshmallow as ma
from flask import g, request
from flask_smorest import Blueprint

from application import recorders
from application.access import may
from application.tokens import TokenExpired
from domain.identity import Recorder
from web.api.problems import Problem
from web.services import services

REALM = 'Bearer realm="scc"'


def api_user() -> dict[str, Any]:
    """The user the request's token acts for (after ``requires``)."""
    return g.api_user


def api_recorder() -> Recorder:
    """Who the request records as: the token's account, and the token."""
    user = g.api_user
    return recorders.account(user, token_id=user["token_id"])


def authenticate() -> dict[str, Any]:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "Send an API token as 'Authorization: Bearer TOKEN' (an "
                           "administrator makes one with scc tokens create)",
                      headers={"WWW-Authenticate": REALM})
    try:
        user = services().tokens.user(token.strip())
    except TokenExpired as expired:
        raise Problem(401, str(expired), headers={
            "WWW-Authenticate": f'{REALM}, error="invalid_token", '
                                'error_description="The token expired"'}) from None
    if user is None:
        raise Problem(401, "The API token is unknown or revoked, or its user is disabled",
                      headers={"WWW-Authenticate": f'{REALM}, error="invalid_token"'})
    return user


class ApiBlueprint(Blueprint):
    """A flask-smorest blueprint whose operations check the caller's token and role."""

    def arguments(self, schema: type[ma.Schema] | ma.Schema, **kwargs: Any
                  ) -> Callable[[Callable], Callable]:
        """flask-smorest's, with a schema class made into its instance once, here: given the
        class, webargs builds a new instance (all its fields) for every request."""
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)

    def requires(self, permission: str) -> Callable[[Callable], Callable]:
        """Refuses the operation without a valid token (401) or to a role without the
        permission (403), before its arguments are read; documents both."""
        may(None, permission)  # an unknown permission fails here, at import

        def decorate(view: Callable) -> Callable:
            @wraps(view)
            def guarded(*args: Any, **kwargs: Any) -> Any:
                g.api_user = user = authenticate()
                if not may(user["role"], permission):
                    raise Problem(403, f"A {user['role']} may not do this: it needs the "
                                       f"'{permission}' permission")
                return view(*args, **kwargs)

            guarded = self.doc(**{"x-permission": permission})(guarded)
            guarded = self.alt_response(401, response="UNAUTHORIZED")(guarded)
            return self.alt_response(403, response="FORBIDDEN")(guarded)

        return decorate

    def signed_in(self, view: Callable) -> Callable:
        """Refuses the operation without a valid token (401); any role may call it."""

        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            g.api_user = authenticate()
            return view(*args, **kwargs)

        guarded = self.doc(**{"x-permission": "any role"})(guarded)
        return self.alt_response(401, response="UNAUTHORIZED")(guarded)
