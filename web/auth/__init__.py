"""Signing in and out, the signed-in user, and the role check every route makes.

A signed-in browser's cookie carries the random id of a session kept on the server
(application.sessions), not who is signed in: ending the session on the server (signing out,
"sign out everywhere", disabling the user, a new role or password) ends it for every copy of
the cookie. The cookie's expiry follows the session's, so no response keeps it alive past
its absolute end.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, abort, current_app, g, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

from application.access import may

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)

SESSION_ID = "sid"
"""The cookie's one field that says anything about who is signed in."""

PROXY_WARNING_EVERY = 600.0
"""Seconds between warnings that X-Forwarded-For arrives while SCC_PROXY_HOPS is 0."""
_last_proxy_warning = [float("-inf")]


def register(app: Flask) -> None:
    """Loads the signed-in user for every request, from the session on the server."""
    app.session_interface = _SessionCookie()
    sessions = app.extensions["scc"].users.sessions
    app.permanent_session_lifetime = sessions.lifetimes.idle

    @app.before_request
    def load_user() -> None:
        from web.services import services

        g.user = None
        secret = session.get(SESSION_ID)
        if not secret:
            return
        users = services().users
        found = users.sessions.resume(secret)
        user = users.get(found["email"]) if found else None
        if user is None or user["disabled"]:
            session.clear()
            if found:
                users.sessions.end(secret)
            return
        g.user, g.session_left = user, found["left"]

    @app.context_processor
    def user_in_templates() -> dict[str, Any]:
        return {"user": g.get("user"), "may": lambda p: may(_role(), p)}

    provider.register(app, app.extensions["scc"].users)


def provider_name() -> str | None:
    """The LA's OpenID Connect provider as the sign-in page names it; None if scc does not
    sign in through one (web.auth.provider)."""
    if "scc_provider_sign_in" not in current_app.extensions:
        return None
    return current_app.config["OIDC_PROVIDER_NAME"]


def begin_session(account: dict[str, Any]) -> None:
    """Signs ``account`` (a user as application.users.Users returns one: at least its
    ``email``) in to this browser: a new session on the server, whose random id is all the
    cookie says of who is signed in (it also carries the form token and one-off messages);
    nothing from before signing in carries over. Every way of signing in
    (password, OpenID Connect) ends here."""
    from web.services import services

    sessions = services().users.sessions
    session.clear()
    session[SESSION_ID] = sessions.begin(account["email"])
    session.permanent = True
    g.session_left = min(sessions.lifetimes.idle, sessions.lifetimes.absolute)


def end_session() -> None:
    """Signs this browser out: its session ends on the server, so a copy of the cookie is
    worth nothing."""
    from web.services import services

    secret = session.get(SESSION_ID)
    if secret:
        services().users.sessions.end(secret)
    session.clear()


def client_ip() -> str | None:
    """The address sign-in throttling counts failures from. Behind a reverse proxy that
    SCC_PROXY_HOPS does not declare, every request seems to come from the proxy: counting them
    together would let anyone slow down sign-ins for everyone, so the address is not used
    (the per-email delay still holds) and the log says to set SCC_PROXY_HOPS."""
    from flask import current_app

    if not current_app.config["PROXY_HOPS"] and "X-Forwarded-For" in request.headers:
        now = time.monotonic()
        if now - _last_proxy_warning[0] >= PROXY_WARNING_EVERY:
            _last_proxy_warning[0] = now
            log.warning("A request came through a proxy (it sent X-Forwarded-For) but "
                        "SCC_PROXY_HOPS is 0: sign-in throttling by IP address is off until "
                        "SCC_PROXY_HOPS says how many proxies stand in front of scc")
        return None
    return request.remote_addr


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


class _SessionCookie(SecureCookieSessionInterface):
    """Flask's signed cookie, whose expiry is never later than the server's session ends.

    A static file's response never writes it: the browser fetches a page's stylesheet and
    scripts while the page's own response may still be setting the cookie (a new form
    token), and a refreshed copy of the cookie as it stood before, arriving last, would
    undo that (the form would then be refused for a missing token)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[Any, ...], URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        """Flask's, made once for the app's keys rather than anew for every request (every
        API request too, which never has a cookie to read)."""
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]

    def should_set_cookie(self, app: Flask, session: Any) -> bool:
        endpoint = request.endpoint or ""
        if endpoint == "static" or endpoint.endswith(".static"):
            return False
        return super().should_set_cookie(app, session)

    def get_expiration_time(self, app: Flask, session: Any) -> datetime | None:
        expires = super().get_expiration_time(app, session)
        left = g.get("session_left")
        if expires is None or left is None:
            return expires
        return min(expires, datetime.now(UTC) + left)


def _role() -> str | None:
    user = g.get("user")
    return user["role"] if user else None


from web.auth import provider, routes, subject_access  # noqa: E402,F401  (their routes attach to bp)
