"""The web app's settings, read from the environment by whoever starts it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta

MINIMUM_SECRET_KEY_BYTES = 32
"""OWASP ASVS 5.0 11.2.3 and Flask's own advice: a signing key of at least 256 bits."""


def secret_key_problem(key: str | None) -> str | None:
    """What is wrong with SCC_SECRET_KEY, in words, or None if it will do."""
    how = ("Set it to the same random value on every web worker, e.g. the output of "
           "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'")
    if not key or not key.strip():
        return f"SCC_SECRET_KEY is not set: it signs the session cookies. {how}"
    if len(key.encode()) < MINIMUM_SECRET_KEY_BYTES:
        return (f"SCC_SECRET_KEY is {len(key.encode())} bytes long: it must be at least "
                f"{MINIMUM_SECRET_KEY_BYTES}. {how}")
    return None


@dataclass
class Config:
    """Flask settings; the secret key comes from ``SCC_SECRET_KEY``, without which (or with a
    short one) the app refuses to start outside tests: each web worker would otherwise pick
    its own, and half the sign-ins would fail."""

    SECRET_KEY: str = field(default_factory=lambda: os.environ.get("SCC_SECRET_KEY", ""))
    SESSION_COOKIE_NAME: str = "scc_session"
    SESSION_COOKIE_HTTPONLY: bool = True
    SESSION_COOKIE_SAMESITE: str = "Lax"
    SESSION_COOKIE_SECURE: bool = field(
        default_factory=lambda: os.environ.get("SCC_INSECURE_COOKIES") != "1")
    PERMANENT_SESSION_LIFETIME: timedelta = timedelta(minutes=60)  # the sessions' idle end
    WTF_CSRF_ENABLED: bool = True
    WTF_CSRF_TIME_LIMIT: int | None = None  # the session's lifetime bounds the token
    MAX_CONTENT_LENGTH: int = 2 * 1024 * 1024
    PROXY_HOPS: int = field(default_factory=lambda: int(os.environ.get("SCC_PROXY_HOPS", "0")))
    """How many reverse proxies stand in front of the app (0: none; trust no X-Forwarded-*)."""
    READY_MAX_LAG: int = field(
        default_factory=lambda: int(os.environ.get("SCC_READY_MAX_LAG", "1000")))
    """/readyz answers 503 while a read model is more entries than this behind the log."""
    READY_TIMEOUT: float = field(
        default_factory=lambda: float(os.environ.get("SCC_READY_TIMEOUT", "3")))
    """Seconds /readyz waits for the database before it answers 503."""
    OIDC_ISSUER: str | None = field(default_factory=lambda: _setting("SCC_OIDC_ISSUER"))
    """The LA's OpenID Connect provider (Entra ID: https://login.microsoftonline.com/<tenant>/v2.0);
    unset: no sign-in through it."""
    OIDC_DISCOVERY_URL: str | None = field(
        default_factory=lambda: _setting("SCC_OIDC_DISCOVERY_URL"))
    """Where its metadata is; unset: the issuer's /.well-known/openid-configuration."""
    OIDC_CLIENT_ID: str | None = field(default_factory=lambda: _setting("SCC_OIDC_CLIENT_ID"))
    OIDC_CLIENT_SECRET: str | None = field(
        default_factory=lambda: _setting("SCC_OIDC_CLIENT_SECRET"), repr=False)
    OIDC_PROVIDER_NAME: str = field(
        default_factory=lambda: _setting("SCC_OIDC_PROVIDER_NAME") or "Microsoft")
    """As the sign-in page's button says it: "Sign in with <name>"."""
    OIDC_EMAIL_CLAIM: str = field(
        default_factory=lambda: _setting("SCC_OIDC_EMAIL_CLAIM") or "email")
    OIDC_GROUPS_CLAIM: str = field(
        default_factory=lambda: _setting("SCC_OIDC_GROUPS_CLAIM") or "groups")
    OIDC_ROLES: str = field(default_factory=lambda: _setting("SCC_OIDC_ROLES") or "")
    """The provider's groups and the scc roles they give: group=role, comma-separated."""
    PASSWORD_SIGN_IN: bool = field(
        default_factory=lambda: _switch("SCC_PASSWORD_SIGN_IN", default=True))
    """False: only the provider signs people in (needs OIDC_ISSUER)."""
    BASE_URL: str | None = field(default_factory=lambda: _setting("SCC_BASE_URL"))
    """The address people reach scc at (https://scc.example.gov.uk), for links that leave the
    app (calendar feeds); unset: the address the request came to."""
    TESTING: bool = False

    def as_mapping(self) -> dict[str, object]:
        return dict(vars(self))


@dataclass
class TestConfig(Config):
    """For tests over plain HTTP on 127.0.0.1; CSRF stays on, as in production."""

    SECRET_KEY: str = "test-secret-key-not-for-production"
    SESSION_COOKIE_SECURE: bool = False
    TESTING: bool = True


def _setting(name: str) -> str | None:
    return os.environ.get(name, "").strip() or None


def _switch(name: str, *, default: bool) -> bool:
    text = os.environ.get(name, "").strip().lower()
    if not text:
        return default
    if text in ("on", "1", "true", "yes"):
        return True
    if text in ("off", "0", "false", "no"):
        return False
    raise ValueError(f"{name} {text!r} is neither on nor off")
