"""Kept files in a folder and in the database: stored once under their hash, read back whole,
never held in memory whole, and found out when altered or lost."""

from __future__ import annotations

import hashlib
import io
import os

import pytest
import sqlalchemy as sa

from adapters.document_store import CHUNK, FolderDocumentStore, SQLDocumentStore
from adapters.read_models import read_model_engine
from application.kept_files import DocumentMissing, file_problem
from domain.areas.documents import StoredFile


@pytest.fixture(params=["folder", "database"])
def store(request, database_url, tmp_path):
    if request.param == "folder":
        kept = FolderDocumentStore(tmp_path / "documents")
    else:
        kept = SQLDocumentStore(read_model_engine(database_url))
    yield kept
    kept.close()


def _file(content: bytes, name: str = "report.pdf") -> StoredFile:
    return StoredFile(hashlib.sha256(content).hexdigest(), name, "application/pdf", len(content))


def test_a_file_is_kept_once_under_its_hash_and_read_back_whole(store):
    # Three and a half parts: the boundaries between parts must not lose or repeat a byte
    content = os.urandom(3 * CHUNK + CHUNK // 2)

    first = store.put(io.BytesIO(content))
    again = store.put(io.BytesIO(content))

    # Check the hash names it, and the same content is kept once
    assert first.sha256 == hashlib.sha256(content).hexdigest()
    assert (first.size, first.created) == (len(content), True)
    assert (again.sha256, again.created) == (first.sha256, False)
    with store.open(first.sha256) as read:
        assert read.read() == content
    assert file_problem(store, _file(content)) is None


def test_a_file_never_kept_is_missing_and_says_so(store):
    content = b"%PDF-1.7 never kept"
    with pytest.raises(DocumentMissing):
        store.open(hashlib.sha256(content).hexdigest())
    assert file_problem(store, _file(content, "notice.pdf")) == (
        f"its file notice.pdf (SHA-256 {hashlib.sha256(content).hexdigest()[:12]}…) is "
        "missing from the store")


def test_a_forgotten_file_is_gone(store):
    kept = store.put(io.BytesIO(b"a file whose entry was refused"))
    store.forget(kept.sha256)
    with pytest.raises(DocumentMissing):
        store.open(kept.sha256)


def test_a_kept_file_altered_in_the_folder_is_found_out(tmp_path):
    store = FolderDocumentStore(tmp_path / "documents")
    content = b"%PDF-1.7 the warning notice as sent"
    kept = store.put(io.BytesIO(content))
    path = tmp_path / "documents" / kept.sha256[:2] / kept.sha256

    # Check the file is read-only once kept, and nothing is left in the incoming folder
    assert not os.access(path, os.W_OK) or os.geteuid() == 0
    assert list((tmp_path / "documents" / ".incoming").iterdir()) == []
    os.chmod(path, 0o644)
    path.write_bytes(content.replace(b"warning", b"WARNING"))

    problem = file_problem(store, _file(content, "notice.pdf"))
    assert problem is not None
    assert problem.startswith("its file notice.pdf was altered after it was kept")
    assert hashlib.sha256(path.read_bytes()).hexdigest()[:12] in problem


def test_a_kept_file_altered_in_the_database_is_found_out(database_url):
    store = SQLDocumentStore(read_model_engine(database_url))
    content = os.urandom(2 * CHUNK)
    kept = store.put(io.BytesIO(content))
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE kept_file_parts SET content = :c WHERE sha256 = :s "
                             "AND part = 1"), {"c": b"\0" * CHUNK, "s": kept.sha256})

    assert "was altered after it was kept" in file_problem(store, _file(content))
    store.close()
