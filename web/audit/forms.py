"""The auditor's question: as at which date, as known at which moment, compared between which
two dates. Sent by GET, so a replay is a link that can be kept and shared."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextInput
from wtforms import StringField, SubmitField
from wtforms.validators import StopValidation

from domain.dates import EARLIEST_KNOWN_AT, LATEST_KNOWN_AT, require_known_at
from domain.errors import CaseFileError
from domain.wording import ENGLAND, long_date
from web.schools.forms import DateInputField

TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


class ReplayForm(FlaskForm):
    class Meta:
        csrf = False  # it changes nothing

    as_at = DateInputField("As at", what="the date to replay as at", optional=True,
                           description="What was in effect on this date. Leave blank for "
                                       "today.")
    known_on = DateInputField("As known on", what="the date of the record to replay",
                              optional=True,
                              description="What the record said at the end of this day (or at "
                                          "the time below), before any later entries or "
                                          "corrections. Leave blank for now.")
    known_time = StringField("At (UK time, optional)", widget=GovTextInput(),
                             description="24-hour clock, for example 17:05",
                             render_kw={"spellcheck": "false"})
    compare_from = DateInputField("Compare the status on", what="the first date to compare",
                                  optional=True)
    compare_to = DateInputField("with the status on", what="the second date to compare",
                                optional=True)
    submit = SubmitField("Show", widget=GovSubmitInput())

    def validate_known_time(self, field: Any) -> None:
        text = (field.data or "").strip()
        if text and not TIME.fullmatch(text):
            raise StopValidation("Enter the time as hours and minutes, for example 17:05")
        if text and self.known_on.data is None and not self.known_on.errors:
            raise StopValidation("Enter the date to go with the time")

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.as_known_at is not None:
            try:
                require_known_at(self.as_known_at)
            except CaseFileError:
                self.known_on.errors = [*self.known_on.errors, (
                    f"Enter a date from {long_date(EARLIEST_KNOWN_AT.date())} to "
                    f"{long_date(LATEST_KNOWN_AT.date())}")]
                return False
        start, end = self.compare_from, self.compare_to
        if start.errors or end.errors:
            return valid
        if (start.data is None) != (end.data is None):
            (end if end.data is None else start).errors.append("Enter both dates to compare")
            return False
        if start.data and end.data and start.data >= end.data:
            end.errors.append("The second date must be after the first")
            return False
        return valid

    @property
    def as_known_at(self) -> datetime | None:
        """The end of the minute given (or of the day), in England's time: what was recorded
        by then is known."""
        day = self.known_on.data
        if day is None:
            return None
        match = TIME.fullmatch((self.known_time.data or "").strip())
        if match is None:
            return datetime.combine(day, time.max, ENGLAND)
        moment = datetime.combine(day, time(int(match[1]), int(match[2])), ENGLAND)
        return moment + timedelta(minutes=1) - timedelta(microseconds=1)
