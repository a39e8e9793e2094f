"""The use cases a web request may call, built once by whoever starts the app."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from flask import current_app

from application.case_files import SchoolCaseFiles
from application.my_work import Workbench
from application.projections import CaseFileProjections
from application.reports import Reports
from application.subject_access import SubjectAccess


@dataclass
class WebServices:
    case_files: SchoolCaseFiles
    projections: CaseFileProjections
    users: Any  # application.users.Users
    notifications: Any = None  # application.notifications.Notifications, if mail is set up
    tokens: Any = None  # application.tokens.ApiTokens, for the API
    calendar_feeds: Any = None  # application.calendar_feed.CalendarFeeds
    documents: Any = None  # application.documents.Documents: letters and evidence
    data_protection: Any = None  # application.data_protection.DataProtection: retention

    @cached_property
    def reports(self) -> Reports:
        """One for the process: it remembers dashboards until the read models move."""
        return Reports(self.projections)

    @cached_property
    def workbench(self) -> Workbench:
        return Workbench(self.projections)

    @cached_property
    def subject_access(self) -> SubjectAccess:
        """What scc holds about a person (UK GDPR Article 15): the case files, their keys,
        the users and the access log."""
        return SubjectAccess(self.case_files, self.case_files.keyring.store,
                             accounts=self.users, access_log=self.users.store)

    def close(self) -> None:
        for closable in (self.data_protection, self.documents, self.calendar_feeds, self.tokens, self.notifications,
                         self.users, self.projections.store, self.case_files):
            if closable is not None:
                closable.close()

    def read_your_writes(self) -> None:
        """Brings the read models up to date after a command, so the page the user lands
        on shows what they just did."""
        self.projections.catch_up()


def services() -> WebServices:
    return current_app.extensions["scc"]
