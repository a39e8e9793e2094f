"""Settings from the environment: the store, the category scheme, term dates."""

from __future__ import annotations

import pytest

from adapters.config import Settings
from adapters.event_store import UnsupportedDatabase, event_store_env
from adapters.schemes import load_scheme


def test_default_store_is_an_sqlite_file_in_the_data_folder(tmp_path):
    settings = Settings.from_env({"SCC_DATA_DIR": str(tmp_path / "data")})
    env = event_store_env(settings.database_url)
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert env["SQLITE_DBNAME"] == str(tmp_path / "data" / "scc.sqlite3")
    assert (tmp_path / "data").is_dir()


def test_postgres_url_sets_host_port_user_database_and_schema():
    env = event_store_env("postgresql://scc:s%40cret@db.example:6543/cases?schema=la999")
    assert {k: env[k] for k in ("POSTGRES_HOST", "POSTGRES_PORT", "POSTGRES_USER",
                                "POSTGRES_PASSWORD", "POSTGRES_DBNAME", "POSTGRES_SCHEMA")} == {
        "POSTGRES_HOST": "db.example", "POSTGRES_PORT": "6543", "POSTGRES_USER": "scc",
        "POSTGRES_PASSWORD": "s@cret", "POSTGRES_DBNAME": "cases", "POSTGRES_SCHEMA": "la999",
    }


@pytest.mark.parametrize("url", ["mysql://x/y", "sqlite://", "postgresql://host/"])
def test_an_unusable_database_url_is_refused_in_words(url):
    with pytest.raises(UnsupportedDatabase, match="SCC_DATABASE_URL|needs"):
        event_store_env(url)


def test_torbay_scheme_is_shipped_and_an_la_can_bring_its_own(tmp_path):
    assert load_scheme("torbay").codes == ("1", "2", "3", "4")
    own = tmp_path / "havering.toml"
    own.write_text(
        'name = "Havering"\n'
        + "".join(f'[[categories]]\ncode = "{c}"\nlabel = "{c}"\nconcern = "{k}"\n'
                  for c, k in (("1", "no"), ("2", "no"), ("3A", "no"), ("3B", "maybe"),
                               ("3C", "yes")))
    )
    scheme = load_scheme(str(own))
    assert scheme.is_causing_concern("3c") and not scheme.is_causing_concern("3B")


def test_a_missing_or_malformed_scheme_is_refused_in_words(tmp_path):
    with pytest.raises(ValueError, match="No category scheme 'croydon'"):
        load_scheme("croydon")
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "Broken"\n[[categories]]\ncode = "1"\n')
    with pytest.raises(ValueError, match="not a category scheme"):
        load_scheme(str(broken))


def test_rebuild_processes_are_one_per_cpu_unless_set_and_a_bad_number_is_refused():
    assert Settings.from_env({}).rebuild_processes is None
    assert Settings.from_env({"SCC_REBUILD_PROCESSES": " 3 "}).rebuild_processes == 3
    for bad in ("0", "two", "-1"):
        with pytest.raises(ValueError, match=f"SCC_REBUILD_PROCESSES '{bad}' is not a number "
                                             r"of processes \(1 or more\)"):
            Settings.from_env({"SCC_REBUILD_PROCESSES": bad})


def test_kept_files_go_beside_the_sqlite_file_or_into_the_database_unless_told():
    assert Settings.from_env({"SCC_DATA_DIR": "/srv/scc"}).document_store == "/srv/scc/documents"
    assert Settings.from_env({
        "SCC_DATABASE_URL": "postgresql://scc@db:5432/scc"}).document_store == "database"
    assert Settings.from_env({
        "SCC_DATABASE_URL": "postgresql://scc@db:5432/scc",
        "SCC_DOCUMENT_STORE": "/mnt/share/scc"}).document_store == "/mnt/share/scc"


def test_the_attachment_limit_is_whole_megabytes_and_a_bad_one_is_refused_in_words():
    assert Settings.from_env({}).attachment_max_bytes == 20_000_000
    assert Settings.from_env({"SCC_ATTACHMENT_MAX_MB": "5"}).attachment_max_bytes == 5_000_000
    with pytest.raises(ValueError, match="SCC_ATTACHMENT_MAX_MB '5MB' is not a whole number"):
        Settings.from_env({"SCC_ATTACHMENT_MAX_MB": "5MB"})


def test_signing_letters_needs_both_the_key_and_the_certificate(tmp_path):
    from adapters.bootstrap import build_documents

    settings = Settings.from_env({"SCC_DATABASE_URL": f"sqlite:///{tmp_path / 's.sqlite3'}",
                                  "SCC_LETTER_SIGNING_KEY": str(tmp_path / "key.pem")})

    with pytest.raises(ValueError, match="needs both SCC_LETTER_SIGNING_KEY and "
                                         "SCC_LETTER_SIGNING_CERTIFICATE"):
        build_documents(settings, case_files=None)
