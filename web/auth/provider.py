"""Signing in through the LA's own OpenID Connect provider (Microsoft Entra ID, or any other):
the authorization code flow with PKCE, its state and nonce checked by Authlib, then
application.single_sign_on decides whose account it is and with which role."""

from __future__ import annotations

from typing import Any

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, abort, current_app, redirect, render_template, request, session, url_for
from joserfc.errors import JoseError

from application.single_sign_on import ProviderSignIn, ProviderSignInRefused, RoleMapping
from web.auth import begin_session, bp, provider_name
from web.auth.forms import SignInForm
from web.auth.routes import landing_page, local_path

_CLIENT = "la"
_NEXT = "next_after_provider"  # where to go once signed in, kept across the round trip
_TIMEOUT = 10  # seconds for each call scc makes to the provider


def register(app: Flask, users: Any) -> None:
    """Sets up sign-in through the provider if ``OIDC_ISSUER`` is set; refuses to start with
    a setting that would leave it half set up, or nobody able to sign in."""
    config = app.config
    if not config["OIDC_ISSUER"]:
        if not config["PASSWORD_SIGN_IN"]:
            raise ValueError("SCC_PASSWORD_SIGN_IN is off but SCC_OIDC_ISSUER is not set: "
                             "nobody could sign in")
        return
    for key in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET"):
        if not config[key]:
            raise ValueError(f"SCC_OIDC_ISSUER is set but SCC_{key} is not")
    roles = RoleMapping.parse(config["OIDC_ROLES"])
    oauth = OAuth(app)
    oauth.register(
        _CLIENT,
        client_id=config["OIDC_CLIENT_ID"],
        client_secret=config["OIDC_CLIENT_SECRET"],
        server_metadata_url=config["OIDC_DISCOVERY_URL"]
        or config["OIDC_ISSUER"].rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                       "default_timeout": _TIMEOUT},
    )
    app.extensions["scc_provider_sign_in"] = ProviderSignIn(
        users, roles, config["OIDC_PROVIDER_NAME"])


@bp.get("/sign-in/provider")
def sign_in_with_provider() -> Any:
    client = _client()
    # Only the latest sign-in started in this browser can finish: Authlib keeps each one's
    # state, nonce and PKCE verifier in the session, and a cookie that grew with every
    # abandoned attempt would pass the 4 KB browsers keep and sign-in would stop working.
    for key in [key for key in session if key.startswith(f"_state_{_CLIENT}_")]:
        del session[key]
    session[_NEXT] = local_path(request.args.get("next"))
    try:
        return client.authorize_redirect(url_for("auth.provider_callback", _external=True))
    except requests.RequestException:
        return _refused(f"scc could not reach {provider_name()}. Try again in a few minutes; "
                        "if it goes on, tell your administrator.", 502)


@bp.get("/sign-in/provider/callback")
def provider_callback() -> Any:
    client = _client()
    name = provider_name()
    try:
        token = client.authorize_access_token(claims_options=_id_token_claims())
    except OAuthError as error:
        if error.error == "access_denied":
            return _refused(f"You did not finish signing in with {name}. Start again.", 403)
        # A state that is not the one this browser was sent with (a link from someone else,
        # a replayed or changed answer), a code the provider will not exchange for this
        # browser's PKCE verifier.
        return _refused(f"Signing in with {name} did not finish: the answer scc received "
                        "did not match the request this browser made. Start again.", 400)
    except JoseError:
        # An ID token that is not for this sign-in (its nonce), not signed by the provider,
        # or out of date.
        return _refused(f"Signing in with {name} did not finish: the answer scc received "
                        "did not match the request this browser made. Start again.", 400)
    except requests.RequestException:
        return _refused(f"scc could not reach {name}. Try again in a few minutes; if it goes "
                        "on, tell your administrator.", 502)
    claims = dict(token.get("userinfo") or {})
    if not claims:
        return _refused(f"{name} did not say who you are. Start again.", 400)
    email_claim = current_app.config["OIDC_EMAIL_CLAIM"]
    groups_claim = current_app.config["OIDC_GROUPS_CLAIM"]
    if email_claim not in claims or groups_claim not in claims:
        # Some providers send these only from the userinfo endpoint.
        try:
            extra = client.userinfo(token=token)
        except (OAuthError, requests.RequestException):
            extra = {}
        if extra.get("sub") == claims.get("sub"):
            claims = {**extra, **claims}
    try:
        account = current_app.extensions["scc_provider_sign_in"].sign_in(
            email=claims.get(email_claim), name=claims.get("name"),
            groups=claims.get(groups_claim), email_verified=claims.get("email_verified"))
    except ProviderSignInRefused as refusal:
        return _refused(str(refusal), 403)
    target = session.get(_NEXT)
    begin_session(account)
    return redirect(target or landing_page(account["role"]))


def _id_token_claims() -> dict[str, Any]:
    """What the ID token must say besides its signature, nonce and times (which Authlib
    checks): issued by the provider configured (SCC_OIDC_ISSUER, not merely whatever its
    metadata names) and for scc (its client id in ``aud``, not only in ``azp``)."""
    issuer = current_app.config["OIDC_ISSUER"].rstrip("/")
    return {"iss": {"essential": True, "values": [issuer, issuer + "/"]},
            "aud": {"essential": True, "values": [current_app.config["OIDC_CLIENT_ID"]]}}


def _client() -> Any:
    if "scc_provider_sign_in" not in current_app.extensions:
        abort(404)
    return current_app.extensions["authlib.integrations.flask_client"].create_client(_CLIENT)


def _refused(message: str, status: int) -> Any:
    return render_template("auth/sign_in.html", form=SignInForm(), next=None,
                           errors=[{"text": message}], provider=provider_name(),
                           passwords=current_app.config["PASSWORD_SIGN_IN"]), status
