"""A few of the attacks on the log (finding #3) on PostgreSQL: the same store code and the
same checkpoints, another database."""

from __future__ import annotations

import pytest

from application import audit
from tests.integration.test_audit import (
    HARTLEY,
    NORTHGATE,
    _delete_row,
    _renumber_row,
    _rewrite_chain,
)
from tests.integration.test_tamper_evidence import anchored, check, folder, found, signer

pytestmark = pytest.mark.postgres
__all__ = ["folder", "signer"]  # fixtures


@pytest.fixture
def database_url(postgres_database) -> str:
    from tests.conftest import _postgres_schema_url

    return _postgres_schema_url(postgres_database)


def test_a_deleted_school_is_named_on_postgres(case_files, database_url, signer, folder):
    anchored(case_files, signer, folder)
    _delete_row(database_url, NORTHGATE, 1)

    assert found(check(case_files, signer, folder)) == [(NORTHGATE, 1)]


def test_an_entry_deleted_mid_chain_then_renumbered_is_named_on_postgres(
        case_files, database_url, signer, folder):
    lengths = anchored(case_files, signer, folder)
    _delete_row(database_url, HARTLEY, 3)
    for version in range(4, lengths[HARTLEY] + 1):
        _renumber_row(database_url, HARTLEY, version, version - 1)
    _rewrite_chain(case_files, database_url, HARTLEY, 3)
    assert audit.verify(case_files)["ok"] is True

    assert found(check(case_files, signer, folder)) == [(HARTLEY, 3)]


def test_a_whole_chain_rewritten_is_named_on_postgres(case_files, database_url, signer, folder):
    anchored(case_files, signer, folder)
    _rewrite_chain(case_files, database_url, HARTLEY, 3, description="Phonics check at 71%")

    assert found(check(case_files, signer, folder)) == [(HARTLEY, 3)]
