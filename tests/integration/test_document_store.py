"""Kept files in a folder and in the database: sealed under their case file's key, kept once per
key and content, read back whole, never held in memory whole, found out when altered or lost,
and erased with their key; files kept plain before files were sealed still read."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
import sqlalchemy as sa

from adapters.document_store import (
    CHUNK,
    KEPT_FILE_PARTS,
    KEPT_FILES,
    FolderDocumentStore,
    SQLDocumentStore,
)
from adapters.read_models import read_model_engine
from application.kept_files import DocumentMissing, FileErased, KeptFiles, file_problem
from application.personal_keys import MemoryKeyStore
from domain.areas.documents import StoredFile
from domain.personal_data import Erasure

SCHOOL, OTHER_SCHOOL = uuid4(), uuid4()
WORDS = b"The headteacher, Ms Amelia Thornbury, was absent for the inspection"


@pytest.fixture(params=["folder", "database"])
def store(request, database_url, tmp_path):
    if request.param == "folder":
        kept = FolderDocumentStore(tmp_path / "documents")
    else:
        kept = SQLDocumentStore(read_model_engine(database_url))
    yield kept
    kept.close()


@pytest.fixture
def keys():
    return MemoryKeyStore()


def _file(content: bytes, name: str = "report.pdf") -> StoredFile:
    return StoredFile(hashlib.sha256(content).hexdigest(), name, "application/pdf", len(content))


def stored_bytes(store) -> bytes:
    """Every byte the store holds of every file, as a backup of it would."""
    if isinstance(store, FolderDocumentStore):
        return b"".join(p.read_bytes() for p in sorted(store.root.rglob("*")) if p.is_file())
    with store.engine.connect() as conn:
        parts = conn.exec_driver_sql("SELECT content FROM sealed_file_parts "
                                     "UNION ALL SELECT content FROM kept_file_parts").scalars()
        return b"".join(bytes(p) for p in parts)


def destroy_keys(keys, case_file, rule="retention rule case-file-closed") -> Erasure:
    erasure = Erasure(rule, date(2033, 9, 1))
    keys.destroy([r.key_id for r in keys.key_records(case_file=case_file)], erasure, "DPO")
    return erasure


def test_a_file_is_kept_sealed_once_per_key_and_read_back_whole(store, keys):
    kept = KeptFiles(store, keys)
    # Three and a half parts: the boundaries between parts must not lose or repeat a byte
    content = WORDS + os.urandom(3 * CHUNK + CHUNK // 2)

    first = kept.keep(SCHOOL, io.BytesIO(content))
    again = kept.keep(SCHOOL, io.BytesIO(content))

    # Check the hash of the plain content names it, and the same content is kept once
    assert first.sha256 == hashlib.sha256(content).hexdigest()
    assert (first.size, first.created) == (len(content), True)
    assert (again.sha256, again.created, again.key_id) == (first.sha256, False, first.key_id)
    with kept.open(SCHOOL, first.sha256) as read:
        assert read.read() == content
    assert file_problem(kept, SCHOOL, _file(content)) is None
    # Check what the store holds is sealed: not a word of the file in it
    assert b"Thornbury" not in stored_bytes(store)
    assert content[-4096:] not in stored_bytes(store)


def test_the_same_file_in_two_schools_is_sealed_for_each_and_erased_with_each(store, keys):
    kept = KeptFiles(store, keys)
    content = b"%PDF-1.7 " + WORDS

    mine = kept.keep(SCHOOL, io.BytesIO(content))
    theirs = kept.keep(OTHER_SCHOOL, io.BytesIO(content))

    # Check each school's copy is under its own key: one school's erasure is not the other's
    assert theirs.created and theirs.key_id != mine.key_id and theirs.sha256 == mine.sha256
    erasure = destroy_keys(keys, SCHOOL)
    with pytest.raises(FileErased) as erased:
        kept.open(SCHOOL, mine.sha256)
    assert erased.value.erasure == erasure
    assert str(erased.value) == ("This file was erased under retention rule case-file-closed "
                                 "on 2033-09-01: its key was destroyed, so nobody can read it "
                                 "any more")
    with kept.open(OTHER_SCHOOL, theirs.sha256) as read:
        assert read.read() == content


def test_an_erased_file_is_reported_erased_not_missing_nor_altered(store, keys):
    kept = KeptFiles(store, keys)
    content = b"%PDF-1.7 " + WORDS
    first = kept.keep(SCHOOL, io.BytesIO(content))
    held = stored_bytes(store)

    destroy_keys(keys, SCHOOL)

    # Check the store still holds the sealed bytes (a backup would), and they say nothing
    assert stored_bytes(store) == held and b"Thornbury" not in held
    with pytest.raises(FileErased):
        file_problem(kept, SCHOOL, _file(content))
    # Check a file kept after the erasure is under the case file's new key, and reads
    later = b"%PDF-1.7 a letter produced after the erasure"
    assert kept.keep(SCHOOL, io.BytesIO(later)).key_id != first.key_id
    assert file_problem(kept, SCHOOL, _file(later)) is None


def test_a_file_never_kept_is_missing_and_says_so(store, keys):
    content = b"%PDF-1.7 never kept"
    with pytest.raises(DocumentMissing):
        KeptFiles(store, keys).open(SCHOOL, hashlib.sha256(content).hexdigest())
    assert file_problem(KeptFiles(store, keys), SCHOOL, _file(content, "notice.pdf")) == (
        f"its file notice.pdf (SHA-256 {hashlib.sha256(content).hexdigest()[:12]}…) is "
        "missing from the store")


def test_a_forgotten_file_is_gone(store, keys):
    kept = KeptFiles(store, keys)
    stored = kept.keep(SCHOOL, io.BytesIO(b"a file whose entry was refused"))
    kept.forget(stored)
    with pytest.raises(DocumentMissing):
        kept.open(SCHOOL, stored.sha256)


def test_a_file_kept_plain_before_files_were_sealed_is_still_read_and_checked(store, keys):
    content = os.urandom(CHUNK + 10)
    sha256 = hashlib.sha256(content).hexdigest()
    keep_plain_as_before(store, content)
    kept = KeptFiles(store, keys)

    with kept.open(SCHOOL, sha256) as read:
        assert read.read() == content
    assert file_problem(kept, SCHOOL, _file(content)) is None
    # Check it is still found out when altered
    keep_plain_as_before(store, content[:-1] + b"!", as_sha256=sha256)
    assert "was altered after it was kept" in file_problem(kept, SCHOOL, _file(content))


def keep_plain_as_before(store, content: bytes, as_sha256: str | None = None) -> None:
    """A file as scc kept it before files were sealed: plain, under its SHA-256 alone."""
    sha256 = as_sha256 or hashlib.sha256(content).hexdigest()
    if isinstance(store, FolderDocumentStore):
        path = store.root / sha256[:2] / sha256
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.chmod(0o644)
        path.write_bytes(content)
        return
    with store.engine.begin() as conn:
        conn.execute(KEPT_FILE_PARTS.delete().where(KEPT_FILE_PARTS.c.sha256 == sha256))
        conn.execute(KEPT_FILES.delete().where(KEPT_FILES.c.sha256 == sha256))
        parts = [content[at:at + CHUNK] for at in range(0, len(content), CHUNK)]
        for part, chunk in enumerate(parts):
            conn.execute(KEPT_FILE_PARTS.insert().values(sha256=sha256, part=part,
                                                         content=chunk))
        conn.execute(KEPT_FILES.insert().values(sha256=sha256, size=len(content),
                                                parts=len(parts), kept_at=datetime.now(UTC)))


def test_a_sealed_file_altered_in_the_folder_is_found_out(tmp_path, keys):
    store = FolderDocumentStore(tmp_path / "documents")
    kept = KeptFiles(store, keys)
    content = b"%PDF-1.7 the warning notice as sent"
    stored = kept.keep(SCHOOL, io.BytesIO(content))
    path = tmp_path / "documents" / "sealed" / stored.key_id / stored.sha256

    # Check the file is read-only once kept, and nothing is left in the incoming folder
    assert not os.access(path, os.W_OK) or os.geteuid() == 0
    assert list((tmp_path / "documents" / ".incoming").iterdir()) == []
    sealed = path.read_bytes()
    path.chmod(0o644)
    path.write_bytes(sealed[:-1] + bytes([sealed[-1] ^ 1]))

    problem = file_problem(kept, SCHOOL, _file(content, "notice.pdf"))
    assert problem == ("its file notice.pdf was altered after it was kept: its sealed "
                       "content no longer opens under its key")
    # Check a file cut short (its last part gone) is found out too
    path.write_bytes(b"")
    assert "no longer opens under its key" in file_problem(kept, SCHOOL, _file(content))


@pytest.mark.parametrize("alteration", ["a byte", "parts swapped", "last part dropped"])
def test_a_sealed_file_altered_in_the_database_is_found_out(database_url, keys, alteration):
    store = SQLDocumentStore(read_model_engine(database_url))
    kept = KeptFiles(store, keys)
    content = os.urandom(3 * CHUNK)
    stored = kept.keep(SCHOOL, io.BytesIO(content))
    where = "key_id = :k AND sha256 = :s"
    with store.engine.begin() as conn:
        parts = dict(conn.execute(sa.text(f"SELECT part, content FROM sealed_file_parts WHERE "
                                          f"{where}"), {"k": stored.key_id, "s": stored.sha256}
                                  ).all())
        update = sa.text(f"UPDATE sealed_file_parts SET content = :c WHERE {where} AND part = :p")
        if alteration == "a byte":
            changed = bytearray(parts[1])
            changed[100] ^= 1
            conn.execute(update, {"c": bytes(changed), "k": stored.key_id, "s": stored.sha256,
                                  "p": 1})
        elif alteration == "parts swapped":
            for a, b in ((0, 1), (1, 0)):
                conn.execute(update, {"c": parts[b], "k": stored.key_id, "s": stored.sha256,
                                      "p": a})
        else:
            conn.execute(sa.text(f"UPDATE sealed_files SET parts = 2 WHERE {where}"),
                         {"k": stored.key_id, "s": stored.sha256})

    assert file_problem(kept, SCHOOL, _file(content, "minutes.pdf")) == (
        "its file minutes.pdf was altered after it was kept: its sealed content no longer "
        "opens under its key")
    store.close()
