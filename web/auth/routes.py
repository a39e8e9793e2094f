"""Signing in and out, the user's own password, the administrator's user pages, and the access
log for auditors."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from application import recorders
from application.access import ROLES, may
from application.users import SignInRefused, SignInThrottled, UserError
from web.auth import (
    begin_session,
    bp,
    client_ip,
    end_session,
    provider_name,
    requires,
)
from web.auth.forms import (
    ROLE_HINTS,
    AddUserForm,
    ChangePasswordForm,
    SetPasswordForm,
    SignInForm,
)
from web.services import services


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> Any:
    form = SignInForm()
    target = local_path(request.args.get("next"))
    status = 200
    passwords = current_app.config["PASSWORD_SIGN_IN"]
    if request.method == "POST" and not passwords:
        # The LA signs everyone in through its provider: a password is not asked for, and a
        # password posted anyway opens nothing, even a right one.
        name = provider_name()
        return render_template("auth/sign_in.html", form=form, next=target, provider=name,
                               passwords=False,
                               errors=[{"text": f"Sign in with {name}: scc does not take "
                                                "passwords here"}]), 403
    if form.validate_on_submit():
        try:
            user = services().users.authenticate(form.email.data, form.password.data,
                                                 source_ip=client_ip())
        except SignInRefused as refusal:
            form.email.errors = [str(refusal)]
            status = 429 if isinstance(refusal, SignInThrottled) else 200
        else:
            begin_session(user)
            return redirect(target or landing_page(user["role"]))
    return render_template("auth/sign_in.html", form=form, next=target, provider=provider_name(),
                           passwords=passwords, errors=_error_summary(form)), status


@bp.get("/sign-out")
def sign_out_page() -> Any:
    if g.get("user") is None:
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/sign_out.html")


@bp.post("/sign-out")
def sign_out() -> Response:
    end_session()
    flash("You have signed out.", "success")
    response = redirect(url_for("auth.sign_in"))
    # Nothing of the case files stays in this browser (OWASP ASVS 5.0 14.3.1); not its
    # cookies, which carry the flash message to the sign-in page.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


# The user's own account --------------------------------------------------------------------

@bp.route("/account", methods=["GET", "POST"])
def account() -> Any:
    """Changing one's password (after entering the current one), and signing out everywhere."""
    if g.get("user") is None:
        return redirect(url_for("auth.sign_in", next=request.full_path))
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services().users.change_password(
                g.user["email"], current=form.current_password.data,
                new=form.new_password.data, by=recorders.account(g.user))
        except UserError as error:
            form[error.field or "new_password"].errors = [str(error)]
        else:
            # Every session of theirs has ended; this browser gets a new one, with a new id.
            begin_session(g.user)
            flash("Your password has been changed. You have been signed out everywhere "
                  "else.", "success")
            return redirect(url_for("auth.account"))
    return account_page(form=form)


def account_page(*, form: ChangePasswordForm | None = None, feed_url: str | None = None) -> str:
    """The account page; ``feed_url``: a calendar feed address just made, shown this once."""
    form = form or ChangePasswordForm()
    feeds = services().calendar_feeds
    return render_template(
        "auth/account.html", form=form, errors=_error_summary(form), feed_url=feed_url,
        feed_issued_at=feeds.issued_at(g.user["email"]) if feeds is not None else None)


@bp.post("/account/sign-out-everywhere")
def sign_out_everywhere() -> Response:
    if g.get("user") is None:
        return redirect(url_for("auth.sign_in"))
    services().users.sessions.end_all(g.user["email"])
    session.clear()
    flash("You have signed out on every device.", "success")
    return redirect(url_for("auth.sign_in"))


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Any:
    """Where a one-time link from an administrator leads: the user sets a new password."""
    users = services().users
    try:
        account = users.password_reset_for(token)
    except UserError as error:
        return render_template("auth/reset_password.html", refused=str(error)), 404
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            users.reset_password(token, form.new_password.data)
        except UserError as error:
            form.new_password.errors = [str(error)]
        else:
            end_session()
            flash("Your password has been set. Sign in with it.", "success")
            return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form, account=account,
                           errors=_error_summary(form))


# Users, for administrators -----------------------------------------------------------------

@bp.get("/admin/users")
@requires("manage_users")
def users() -> str:
    return render_template("admin/users.html", users=services().users.list())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@requires("manage_users")
def add_user() -> Any:
    form = AddUserForm()
    if form.validate_on_submit():
        try:
            services().users.add(email=form.email.data, name=form.name.data,
                                 role=form.role.data, password=form.password.data,
                                 by=recorders.account(g.user))
        except UserError as error:
            form[error.field or "email"].errors = [str(error)]
        else:
            flash(f"Added {form.name.data.strip()} as {form.role.data}.", "success")
            return redirect(url_for("auth.users"))
    hints = [{"hint": {"text": ROLE_HINTS[role]}} for role in ROLES]
    return render_template("admin/add_user.html", form=form, errors=_error_summary(form),
                           role_hints=hints)


@bp.post("/admin/users/<email>/disable")
@requires("manage_users")
def disable_user(email: str) -> Any:
    if services().users.get(email) is None:
        abort(404)
    try:
        services().users.disable(email, by=recorders.account(g.user))
    except UserError as refusal:
        return render_template("admin/users.html", users=services().users.list(),
                               errors=[{"text": str(refusal)}]), 409
    flash(f"Disabled {email}: they are signed out and cannot sign in.", "success")
    return redirect(url_for("auth.users"))


@bp.post("/admin/users/<email>/reset-password")
@requires("manage_users")
def reset_user_password(email: str) -> Any:
    """A one-time link for the user to set a new password, shown to the administrator once."""
    try:
        token = services().users.issue_password_reset(email, by=recorders.account(g.user))
    except UserError as refusal:
        if services().users.get(email) is None:
            abort(404)
        return render_template("admin/users.html", users=services().users.list(),
                               errors=[{"text": str(refusal)}]), 409
    return render_template("admin/reset_link.html", email=services().users.get(email)["email"],
                           link=url_for("auth.reset_password", token=token, _external=True))


@bp.post("/admin/users/<email>/enable")
@requires("manage_users")
def enable_user(email: str) -> Response:
    _change_user(services().users.enable, email)
    flash(f"Enabled {email}: they can sign in again.", "success")
    return redirect(url_for("auth.users"))


@bp.get("/admin/users/log")
@requires("read_administration")
def administration_log() -> str:
    log = services().users.administration
    return render_template("admin/log.html", entries=log.entries(), problems=log.problems())


# The access log, for auditors ----------------------------------------------------------------

@bp.get("/access-log")
@requires("replay")
def access_log() -> str:
    urn = request.args.get("urn", type=int)
    names = {u["email"]: u["name"] for u in services().users.list()}
    return render_template("auth/access_log.html", urn=urn, names=names,
                           entries=services().users.access_log(urn=urn, limit=200))


# Retention, legal holds and destruction, for administrators ----------------------------------

@bp.get("/admin/retention")
@requires("protect_data")
def retention() -> str:
    return _retention_page()


@bp.post("/admin/retention/holds")
@requires("protect_data")
def place_hold() -> Any:
    scope = request.form.get("scope", "")
    target = request.form.get(f"target_{scope}", "").strip() or None
    return _decided(lambda dp, by: dp.place_hold(
        scope=scope, target=target, reason=request.form.get("reason", ""), by=by),
        "Legal hold {} placed.")


@bp.post("/admin/retention/holds/<hold_id>/lift")
@requires("protect_data")
def lift_hold(hold_id: str) -> Any:
    return _decided(lambda dp, by: dp.lift_hold(
        hold_id, reason=request.form.get("reason", ""), by=by), f"Legal hold {hold_id} lifted.")


@bp.post("/admin/retention/propose")
@requires("protect_data")
def propose_destruction() -> Any:
    return _decided(lambda dp, by: dp.propose(by=by),
                    "Destruction {} proposed: another administrator approves it.")


@bp.post("/admin/retention/<destruction_id>/approve")
@requires("protect_data")
def approve_destruction(destruction_id: str) -> Any:
    return _decided(lambda dp, by: dp.approve(destruction_id, by=by),
                    f"Destruction {destruction_id} approved and carried out.")


@bp.post("/admin/retention/<destruction_id>/refuse")
@requires("protect_data")
def refuse_destruction(destruction_id: str) -> Any:
    return _decided(lambda dp, by: dp.refuse(
        destruction_id, reason=request.form.get("reason", ""), by=by),
        f"Destruction {destruction_id} refused.")


def _decided(decide: Any, said: str) -> Any:
    """Runs one decision as the signed-in administrator; a refusal is shown on the page, in
    words, and nothing is recorded."""
    from domain.data_protection import DataProtectionError
    from domain.errors import CaseFileError

    try:
        result = decide(services().data_protection, recorders.account(g.user))
    except (DataProtectionError, CaseFileError) as refusal:
        return _retention_page(errors=[{"text": str(refusal)}]), 409
    services().read_your_writes()
    flash(said.format(result) if isinstance(result, str) else said, "success")
    return redirect(url_for("auth.retention"))


def _retention_page(errors: list[dict[str, str]] | None = None) -> str:
    dp = services().data_protection
    decisions = dp.decisions()
    return render_template(
        "admin/retention.html", schedule=list(dp.schedule.values()), due=dp.report(),
        holds=list(decisions.holds.values()), pending=decisions.pending(),
        log=dp.log()[:50], problems=dp.problems(), errors=errors or [])


# Internals -----------------------------------------------------------------------------------

def _change_user(change: Any, email: str) -> None:
    try:
        change(email, by=recorders.account(g.user))
    except UserError:
        abort(404)


def landing_page(role: str) -> str:
    """My work for those who do casework; the dashboard for an auditor; the users page for an
    administrator, who reads no case files."""
    if may(role, "record"):
        return url_for("work.my_work")
    return url_for("dashboard.index") if may(role, "read") else url_for("auth.users")


def local_path(target: str | None) -> str | None:
    """``next`` only if it is a path on this site: never another host, so a link cannot
    send someone who has just signed in to a look-alike page."""
    if not target:
        return None
    parts = urlsplit(target)
    if (parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//")
            or "\\" in target or any(c.isspace() or ord(c) < 32 for c in target)):
        return None
    return target.removesuffix("?")  # request.full_path ends in "?" with no query string


def _error_summary(form: FlaskForm) -> list[dict[str, str]]:
    """The GOV.UK error summary's list: each field's first error, linked to the field."""
    return [{"text": field.errors[0], "href": f"#{field.id}"} for field in form if field.errors]
