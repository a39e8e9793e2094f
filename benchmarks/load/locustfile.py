"""Caseworkers using the service, for locust: 80% of what they do reads (the dashboard, the
schools list and its search, case files, the report of schools causing concern), 20% records
an entry through a form.

The deadlines report is left out: at England scale it lists every overdue deadline in the
country on one page (about 28 MB, seconds to render), which no caseworker opens every minute.

Each simulated user signs in once as a caseworker of its own and keeps its session, pausing
between actions as a person does. A command opens its form (GET: the CSRF token and the
one-time form token) and sends it (POST, redirected to the case file); a form sent back
with errors, a refused sign-in or a missing confirmation counts as a failure.

The plan (``SCC_LOAD_PLAN``, a JSON file written by ``benchmarks.load``) names the users,
their password, the schools to open and record on, and the words to search for. Every
request's time is written to ``SCC_LOAD_SAMPLES`` at the end, so that the runner can tell
signing in (once per user, while the users start) from the work measured.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from functools import cache
from typing import Any
from urllib.parse import quote

from locust import HttpUser, between, events, task

PAUSE = between(1.0, 3.0)
"""Seconds a user waits between actions: quick for a person reading case files."""
_HIDDEN = r'name="{}"[^>]*value="([^"]*)"'
_users = itertools.count()
_samples: list[tuple[float, str, float, bool]] = []
"""Every request as (when it ended, name, milliseconds, failed), for exact percentiles."""


@events.request.add_listener
def _sample(request_type: str, name: str, response_time: float, exception: Any = None,
            **_: Any) -> None:
    _samples.append((time.time(), f"{request_type} {name}", response_time,
                     exception is not None))


@events.quitting.add_listener
def _write_samples(**_: Any) -> None:
    if path := os.environ.get("SCC_LOAD_SAMPLES"):
        with open(path, "w", encoding="utf-8") as file:
            json.dump(_samples, file)


@cache
def plan() -> dict[str, Any]:
    with open(os.environ["SCC_LOAD_PLAN"], encoding="utf-8") as file:
        return json.load(file)


def _values(html: str, name: str) -> list[str]:
    return re.findall(_HIDDEN.format(re.escape(name)), html)


class Caseworker(HttpUser):
    wait_time = PAUSE

    def on_start(self) -> None:
        users = plan()["users"]
        self.email = users[next(_users) % len(users)]
        self.random = random.Random(self.email)
        with self.client.get("/sign-in", name="/sign-in", catch_response=True) as page:
            token = _values(page.text, "csrf_token")
            if not token:
                page.failure("the sign-in page has no CSRF token")
                return
        with self.client.post("/sign-in", name="/sign-in", catch_response=True, data={
                "csrf_token": token[0], "email": self.email,
                "password": plan()["password"]}) as signed_in:
            if "Sign out" not in signed_in.text:
                signed_in.failure(f"{self.email} could not sign in")

    # Reads (80) ---------------------------------------------------------------------------

    @task(20)
    def dashboard(self) -> None:
        self._read("/", "/ (dashboard)")

    @task(10)
    def schools(self) -> None:
        page = self.random.randint(1, plan()["school_pages"])
        self._read(f"/schools/?page={page}", "/schools/?page=[n]")

    @task(15)
    def search(self) -> None:
        words = self.random.choice(plan()["searches"])
        self._read(f"/schools/?q={quote(words)}", "/schools/?q=[words]")

    @task(30)
    def case_file(self) -> None:
        self._read(f"/schools/{self._school()}", "/schools/[urn]")

    @task(5)
    def concern_report(self) -> None:
        self._read("/reports/concern", "/reports/concern")

    def _read(self, path: str, name: str) -> None:
        """A page, which must be the page asked for (not the sign-in page)."""
        with self.client.get(path, name=name, catch_response=True) as page:
            if page.ok and "/sign-in" in page.url:
                page.failure("sent to the sign-in page")

    # Commands (20) ------------------------------------------------------------------------

    @task(10)
    def record_visit(self) -> None:
        self._record("record-visit", r"Visit \S+ recorded", [
            ("kind", self.random.choice(("school improvement", "monitoring"))),
            ("notes", "Learning walk with the headteacher; priorities agreed for the term.")])

    @task(10)
    def raise_concern(self) -> None:
        self._record("raise-concern", r"Concern \S+ raised", [
            ("ground", self.random.choice(("standards", "finance", "other"))),
            ("source", self.random.choice(("performance data", "school visit", "complaint"))),
            ("description", "Attendance fell sharply this half term; leaders have no plan.")])

    def _record(self, command: str, done: str, fields: list[tuple[str, str]]) -> None:
        """Opens the form for a school, then sends it dated as the form suggests (today);
        ``done`` is the pattern of the message the case file then shows."""
        path = f"/schools/{self._school()}/{command}"
        name = f"/schools/[urn]/{command}"
        with self.client.get(path, name=f"{name} (form)", catch_response=True) as form:
            csrf, once = _values(form.text, "csrf_token"), _values(form.text, "form_token")
            effective = _values(form.text, "effective")
            if not (csrf and once and len(effective) == 3):
                form.failure("the form lacks its tokens or its date")
                return
        data = [("csrf_token", csrf[0]), ("form_token", once[0]),
                *(("effective", part) for part in effective), *fields]
        with self.client.post(path, name=name, data=data, catch_response=True) as sent:
            if sent.status_code != 200 or not re.search(done, sent.text):
                sent.failure(f"not recorded: status {sent.status_code}")

    def _school(self) -> int:
        return self.random.choice(plan()["urns"])
