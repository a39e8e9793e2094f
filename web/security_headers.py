"""The headers every answer carries: what the browser may run, frame, sniff, send on and keep.

- ``Content-Security-Policy``: scripts, styles, images and fonts only from the app itself; the
  one script GOV.UK's page template writes inline (it marks the page as having JavaScript)
  runs by this request's nonce; no plugins, no ``<base>``, forms post only to the app, and no
  other site may frame a page (``frame-ancestors 'none'``, with ``X-Frame-Options`` for older
  browsers): OWASP ASVS 5.0 V3.4.3, V3.4.6.
- ``X-Content-Type-Options: nosniff``: an answer is read only as the type it says (V3.4.4).
- ``Referrer-Policy: same-origin``: URLs, which name schools and searches, never leave for
  another site; the app's own forms still send it, which Flask-WTF's HTTPS check needs (V3.4.5).
- ``Strict-Transport-Security``, when the session cookie is Secure (TLS in production) (V3.4.1).
- ``Cache-Control: no-store`` on everything but the static assets: pages, exports and the
  API's answers (problems included) hold personal data and must not stay in a browser's or a
  proxy's cache (V14.3.2).
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

from flask import Flask, g, request
from werkzeug.wrappers import Response

HSTS_SECONDS = 365 * 24 * 60 * 60
PUBLIC_PATHS = ("/static/", "/assets/")
"""GOV.UK Frontend's and the app's stylesheets, scripts, fonts and images: the same for all."""


def content_security_policy(nonce: str, style_hashes: tuple[str, ...] = ()) -> str:
    return "; ".join((
        "default-src 'none'",
        f"script-src 'self' 'nonce-{nonce}'",
        " ".join(("style-src 'self'", *(f"'sha256-{h}'" for h in style_hashes))),
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ))


def register(app: Flask) -> None:
    @app.before_request
    def choose_nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(18)

    @app.context_processor
    def nonce_in_templates() -> dict[str, str]:
        # GOV.UK Frontend's template.html puts cspNonce on its inline script.
        return {"cspNonce": csp_nonce()}

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers
        # A kept file's download sets a stricter policy of its own (a sandbox that allows
        # nothing), which must not be replaced by the pages' one.
        if "Content-Security-Policy" not in headers:
            headers["Content-Security-Policy"] = content_security_policy(
                csp_nonce(), g.get("csp_style_hashes", ()))
        headers["X-Frame-Options"] = "DENY"
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if app.config.get("SESSION_COOKIE_SECURE"):
            headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}"
        if not request.path.startswith(PUBLIC_PATHS):
            headers["Cache-Control"] = "no-store"
        return response


def csp_nonce() -> str:
    """This request's nonce (one is made for an answer given before the request hooks ran)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def allow_inline_styles(page: str) -> str:
    """Lets this answer's ``<style>`` elements apply, by their hashes: for a document that
    must stand alone (the printable history, saved or printed as one file). Only the app's
    templates write a ``<style>`` element: every value put in a page is escaped."""
    g.csp_style_hashes = tuple(
        base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
        for css in _STYLE.findall(page))
    return page


_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
