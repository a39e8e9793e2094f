"""The sign-in form, the password forms, and the administrator's form for adding a user."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovPasswordInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import PasswordField, RadioField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from application.access import ROLES

ROLE_HINTS = {
    "caseworker": "Reads case files and records on them",
    "head": "As a caseworker, and also assigns caseworkers and keeps the category scheme",
    "auditor": "Reads, replays and exports case files; records nothing",
    "admin": "Manages users; sees no case files",
}


class SignInForm(FlaskForm):
    email = StringField("Email address", widget=GovTextInput(),
                        validators=[InputRequired("Enter your email address")])
    password = PasswordField("Password", widget=GovPasswordInput(),
                             validators=[InputRequired("Enter your password")])
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class AddUserForm(FlaskForm):
    """The checks on what is entered are the application's (application.users); these only
    say what is missing."""

    name = StringField("Full name", widget=GovTextInput(),
                       validators=[InputRequired("Enter the user's name")])
    email = StringField("Email address", widget=GovTextInput(),
                        validators=[InputRequired("Enter the user's email address")])
    role = RadioField("Role", widget=GovRadioInput(),
                      choices=[SelectChoice(r, r.capitalize()) for r in ROLES],
                      validators=[InputRequired("Choose a role")])
    password = PasswordField(
        "Password", widget=GovPasswordInput(),
        description="At least 12 characters, not a common password. Give it to them in "
                    "person or by phone, never by email.",
        validators=[InputRequired("Enter a password")])
    submit = SubmitField("Add user", widget=GovSubmitInput())


NEW_PASSWORD_HINT = ("At least 12 characters. Three random words make a good password; "
                     "common passwords are refused.")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", widget=GovPasswordInput(),
        validators=[InputRequired("Enter your current password")])
    new_password = PasswordField(
        "New password", widget=GovPasswordInput(), description=NEW_PASSWORD_HINT,
        validators=[InputRequired("Enter a new password")])
    submit = SubmitField("Change password", widget=GovSubmitInput())


class SetPasswordForm(FlaskForm):
    """The form a password-reset link opens."""

    new_password = PasswordField(
        "New password", widget=GovPasswordInput(), description=NEW_PASSWORD_HINT,
        validators=[InputRequired("Enter a new password")])
    submit = SubmitField("Set password", widget=GovSubmitInput())
