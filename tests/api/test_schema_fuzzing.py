"""Schemathesis, in-process against the app, generates requests for every operation of the API's
OpenAPI document, fitting and not fitting it: no answer may be a server error or break the
document (status code, media type, headers, body schema)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import SCHOOLS, ApiWorld, build_world, register_schools

EXAMPLES = 6
"""Examples for each operation and mode: enough to reach past the schema into the rules, few
enough that the whole run takes well under a minute."""
KNOWN = {"concern_id": "C1", "notice_id": "WN1", "application_id": "IEB1", "meeting_id": "M1",
         "action_id": "A1", "inspection_id": "I1", "version": 2, "key": "compliance:WN1",
         "route": "warning_notice", "order_id": "AO1", "draft_id": "D1", "document_id": "L1"}
"""Path parameters of items the schools have (or will have once fuzzing has recorded them):
random ones would almost never name a school or an item, and so never reach the rules."""
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_headers_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory) -> Iterator[ApiWorld]:
    """The app on an SQLite file with three schools, shared by every operation (what one
    operation records, the next may trip over, as with real clients)."""
    path = tmp_path_factory.mktemp("fuzzed") / "scc.sqlite3"
    world = build_world(f"sqlite:///{path}")
    register_schools(world.services.case_files)
    yield world
    world.services.close()


@pytest.fixture(scope="module")
def document(fuzzed):
    config = schemathesis.Config.from_dict({
        "seed": 6,
        "headers": {"Authorization": f"Bearer {fuzzed.tokens['head']}"},
    })
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed.app, config=config)


def targets(operation: APIOperation, mode: GenerationMode) -> list[dict[str, object] | None]:
    """Each school's items (one school's for commands that do not fit), then whatever
    Hypothesis makes of the path's parameters."""
    names = re.findall(r"{(\w+)}", operation.path)
    if "urn" not in names:
        return [None]
    schools = SCHOOLS if mode is GenerationMode.POSITIVE else (
        SCHOOLS[1:2] if operation.method == "post" else ())
    return [{name: urn if name == "urn" else KNOWN[name] for name in names}
            for urn in schools] + [None]


# Schemathesis' own pytest integration (schema.parametrize with a lazy fixture) fails under
# pytest 9.2 (it sets a node's private _nodeid), so each operation gets a Hypothesis test here.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_answer_is_a_server_error_or_breaks_the_document(document, fuzzed, mode):
    operations = [result.ok() for result in document.get_all_operations()]
    assert len(operations) > 40, "every command and read is in the document"
    case_files = fuzzed.services.case_files
    recorded = sum(case_files.version(urn) for urn in SCHOOLS)
    failures = []
    for operation in operations:
        for path_parameters in targets(operation, mode):

            # A command sent at a school's items records whatever the version (a random
            # If-Match is a 400, which the last, unrestricted run still tries).
            headers = {"If-Match": "*"} if path_parameters and operation.method == "post" \
                else None

            @given(case=operation.as_strategy(generation_mode=mode, headers=headers,
                                              path_parameters=path_parameters))
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def answers_within_the_document(case: schemathesis.Case) -> None:
                case.call_and_validate(checks=CHECKS)

            try:
                answers_within_the_document()
            except Unsatisfiable:
                pass  # the fixed parts leave nothing that could fail to fit the document
            except Exception as failure:  # noqa: BLE001 - every operation's failures, then fail
                failures.append(f"{operation.label} {path_parameters or ''}: {failure}")
    assert not failures, "\n\n".join(failures)
    if mode is GenerationMode.POSITIVE:  # the requests reached past the schema to the rules
        assert sum(case_files.version(urn) for urn in SCHOOLS) > recorded + 20
