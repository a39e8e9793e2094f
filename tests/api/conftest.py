"""Fixtures for the API: the app on a store of its own, a token per role, a few schools."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pytest

from adapters.config import Settings
from tests.sign_off import approved
from web import create_app
from web.config import TestConfig

PASSWORD = "correct horse battery staple"
USERS = {
    "caseworker": ("casey@fenmarsh.example", "Casey Worker"),
    "head": ("helen@fenmarsh.example", "Helen Marsh"),
    "auditor": ("audrey@fenmarsh.example", "Audrey Tor"),
    "admin": ("adam@fenmarsh.example", "Adam Min"),
}
SCHOOLS = (100001, 100002, 100003)


@dataclass
class ApiWorld:
    """The app, the services behind it and one API token per role."""

    app: Any
    services: Any
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, role: str, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}", **extra}


def build_world(database_url: str) -> ApiWorld:
    from adapters.bootstrap import build_web_services

    services = build_web_services(Settings(database_url=database_url))
    world = ApiWorld(create_app(TestConfig(), services=services), services)
    for role, (email, name) in USERS.items():
        services.users.add(email=email, name=name, role=role, password=PASSWORD)
        world.tokens[role] = services.tokens.create(email, name=f"{role}'s tests")["token"]
    return world


def register_schools(case_files: Any) -> None:
    """Three maintained schools: one with nothing recorded, one with a concern and a warning
    notice whose compliance period has ended, one with an MSP group and a meeting."""
    long_ago = date.today() - timedelta(days=120)
    for urn, name in zip(SCHOOLS, ("Fen Primary", "Marsh Academy Road", "Dyke Secondary"),
                         strict=True):
        case_files.register_school(
            by="tests", effective=date(2015, 9, 1), urn=urn, name=name, phase="Primary",
            establishment_type="Community school", governance="maintained", la_code="874",
            pupils=210, opened_on=date(1975, 9, 1))
    case_files.raise_concern(SCHOOLS[1], by="tests", effective=long_ago, ground="standards",
                             description="Reading results fell")
    approved(case_files, "issue_warning_notice",
        SCHOOLS[1], by="tests", effective=long_ago, grounds=["a"], matters="Results",
        required_actions="A plan", minded_action="An IEB", compliance_period=15)
    case_files.establish_msp_group(SCHOOLS[2], by="tests", effective=long_ago,
                                   members=["LA adviser", "Chair"], cadence_weeks=6)
    case_files.schedule_msp_meeting(SCHOOLS[2], by="tests", effective=long_ago,
                                    meets_on=date.today() + timedelta(days=10))


@pytest.fixture
def world(database_url) -> Iterator[ApiWorld]:
    """An empty store (SQLite file or PostgreSQL schema) with a token per role."""
    world = build_world(database_url)
    yield world
    world.services.close()


@pytest.fixture
def local(tmp_path) -> Iterator[ApiWorld]:
    """On an SQLite file only, with the three schools: for what the store does not change."""
    world = build_world(f"sqlite:///{tmp_path / 'scc.sqlite3'}")
    register_schools(world.services.case_files)
    yield world
    world.services.close()


@pytest.fixture
def client(local):
    return local.app.test_client()
