"""The real OpenID Connect provider the sign-in tests start (panva's oidc-provider under Node,
provider.js, on 127.0.0.1, with the users of users.json), and scc served beside it.

``make tests/oidc/node_modules/.installed`` installs the provider (``make test`` does it first)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
_USERS = json.loads((HERE / "users.json").read_text())
PROVIDER_PASSWORD: str = _USERS["password"]
PROVIDER_USERS: dict[str, dict[str, Any]] = {user["email"]: user for user in _USERS["users"]}
CLIENT_ID = "scc-tests"
CLIENT_SECRET = "a client secret for the tests only"
PROVIDER_NAME = "Fenmarsh Council"
ROLES = ("SCC Heads=head, SCC Caseworkers=caseworker, SCC Auditors=auditor, "
         "SCC Administrators=admin")
"""The LA's groups as users.json has them; heads listed before caseworkers, so someone in
both groups is a head."""
CALLBACK = "/sign-in/provider/callback"


@contextmanager
def running_provider(redirect_uri: str) -> Iterator[str]:
    """The provider, with scc registered as a client that may come back to ``redirect_uri``;
    yields its issuer URL."""
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("The OpenID provider is not installed: make tests/oidc/node_modules/.installed")
    with tempfile.TemporaryFile("w+") as errors:  # a file: a pipe nobody reads can fill
        process = subprocess.Popen(
            ["node", "provider.js"], cwd=HERE, stdout=subprocess.PIPE, stderr=errors,
            text=True,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CLIENT_ID": CLIENT_ID,
                 "CLIENT_SECRET": CLIENT_SECRET, "REDIRECT_URI": redirect_uri,
                 **_moved_clock()})
        try:
            line = process.stdout.readline()  # it says its issuer once it listens
            if not line.startswith("issuer "):
                process.wait()
                errors.seek(0)
                pytest.fail(f"The OpenID provider did not start:\n{errors.read()}")
            yield line.split()[1]
        finally:
            process.terminate()
            process.wait()
            process.stdout.close()


def _moved_clock() -> dict[str, str]:
    """The provider's clock is scc's: under libfaketime (make test-dates) both are moved,
    so the tokens it signs are neither expired nor from the future for scc."""
    return {name: os.environ[name] for name in ("LD_PRELOAD", "FAKETIME",
                                                "FAKETIME_DONT_FAKE_MONOTONIC")
            if name in os.environ}


class _Later:
    """A WSGI app set after the server has its port (the provider needs the port first)."""

    app: Callable | None = None

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        body = self.app(environ, start_response)
        try:  # read whole: see tests/browser/conftest.py's _from_memory
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()


@dataclass
class LiveScc:
    url: str
    issuer: str
    app: Any


@contextmanager
def scc_with_provider(services: Any, *, issuer_as: Callable[[str], str] | None = None,
                      **settings: Any) -> Iterator[LiveScc]:
    """scc on 127.0.0.1 signing in through the provider; ``settings`` override TestConfig's.
    ``issuer_as`` gives the issuer scc is told, from the provider's own (whose metadata scc
    still reads)."""
    from werkzeug.serving import make_server

    from web import create_app
    from web.config import TestConfig

    later = _Later()
    server = make_server("127.0.0.1", 0, later, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="scc-live", daemon=True)
    try:
        with running_provider(url + CALLBACK) as issuer:
            told = {} if issuer_as is None else {
                "OIDC_ISSUER": issuer_as(issuer),
                "OIDC_DISCOVERY_URL": issuer + "/.well-known/openid-configuration"}
            config = TestConfig(**{
                "OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": CLIENT_ID,
                "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_PROVIDER_NAME": PROVIDER_NAME,
                "OIDC_ROLES": ROLES, **told, **settings})
            later.app = create_app(config, services=services)
            thread.start()
            yield LiveScc(url, issuer, later.app)
    finally:
        if thread.is_alive():
            server.shutdown()
            thread.join()
        server.server_close()


# Driving the provider's pages with requests --------------------------------------------------

def form_action(html: str, button: str) -> str:
    """The action of the form whose submit button reads ``button``."""
    for form in re.findall(r"<form\b.*?</form>", html, flags=re.S):
        if re.search(rf"<button[^>]*>\s*{re.escape(button)}\s*</button>", form):
            return re.search(r'action="([^"]+)"', form).group(1).replace("&amp;", "&")
    raise AssertionError(f"no form with a {button!r} button in:\n{html}")


def provider_callback(http: Any, scc_url: str, email: str, password: str = PROVIDER_PASSWORD,
                      start: str = "/sign-in/provider") -> str:
    """Follows scc's "Sign in with" link, signs in on the provider's page and allows scc on its
    consent page; returns the address the provider sends the browser back to scc with (code
    and state), not yet opened."""
    from urllib.parse import urljoin

    answer = http.get(scc_url + start, allow_redirects=False)
    signed_in = allowed = False
    while True:
        if answer.is_redirect:
            location = urljoin(answer.url, answer.headers["Location"])
            if location.startswith(scc_url + CALLBACK):
                return location
            answer = http.get(location, allow_redirects=False)
        elif "Sign in to Fenmarsh Council" in answer.text and not signed_in:
            signed_in = True
            answer = http.post(urljoin(answer.url, form_action(answer.text, "Sign in")),
                               data={"login": email, "password": password},
                               allow_redirects=False)
        elif ">Allow<" in answer.text and not allowed:
            allowed = True
            answer = http.post(urljoin(answer.url, form_action(answer.text, "Allow")),
                               allow_redirects=False)
        else:
            raise AssertionError(f"stuck at the provider ({answer.status_code}):\n{answer.text}")


def sign_in_through_provider(http: Any, scc_url: str, email: str,
                             password: str = PROVIDER_PASSWORD,
                             start: str = "/sign-in/provider") -> Any:
    """The whole round trip; returns scc's last answer."""
    return http.get(provider_callback(http, scc_url, email, password, start))
