"""Signing in and out, the signed-in user, and the role check every route makes."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, abort, current_app, g, redirect, request, session, url_for

from application.access import may

bp = Blueprint("auth", __name__)


def register(app: Flask) -> None:
    """Loads the signed-in user for every request."""

    @app.before_request
    def load_user() -> None:
        from web.services import services

        email = session.get("user")
        user = services().users.get(email) if email else None
        if user is not None and user.get("disabled"):
            session.clear()
            user = None
        g.user = user

    @app.context_processor
    def user_in_templates() -> dict[str, Any]:
        return {"user": g.get("user"), "may": lambda p: may(_role(), p)}

    provider.register(app, app.extensions["scc"].users)


def begin_session(account: dict[str, Any]) -> None:
    """Signs this account in, in this browser: the one place a session starts, whether the
    person gave a password or came back from the LA's provider. Nothing from before signing
    in carries over."""
    session.clear()
    session["user"] = account["email"]
    session.permanent = True


def provider_name() -> str | None:
    """The LA's OpenID Connect provider as the sign-in page names it; None if scc does not
    sign in through one (web.auth.provider)."""
    if "scc_provider_sign_in" not in current_app.extensions:
        return None
    return current_app.config["OIDC_PROVIDER_NAME"]


def requires(permission: str) -> Callable:
    """Refuses the route to anyone signed out (to the sign-in page) or without the
    permission (403), on the server, whatever the page showed."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if g.get("user") is None:
                return redirect(url_for("auth.sign_in", next=request.full_path))
            if not may(_role(), permission):
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


def _role() -> str | None:
    user = g.get("user")
    return user["role"] if user else None


from web.auth import provider, routes  # noqa: E402,F401  (their routes attach to bp)
