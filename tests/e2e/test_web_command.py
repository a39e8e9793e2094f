"""``scc web`` refuses settings it cannot use, before it listens, in the user's words."""

from __future__ import annotations

import os
import subprocess

import pytest

from benchmarks.load.topology import SCC


@pytest.mark.parametrize(("name", "value", "message"), [
    ("SCC_WEB_WORKERS", "0", "SCC_WEB_WORKERS must be a whole number of at least 1, not '0'"),
    ("SCC_WEB_THREADS", "many", "SCC_WEB_THREADS must be a whole number of at least 1"),
    ("SCC_LOG_FORMAT", "xml", "SCC_LOG_FORMAT must be text or json, not 'xml'"),
    ("SCC_SECRET_KEY", "", "SCC_SECRET_KEY is not set: it signs the session cookies"),
    ("SCC_SECRET_KEY", "short", "SCC_SECRET_KEY is 5 bytes long: it must be at least 32"),
])
def test_scc_web_refuses_a_setting_it_cannot_use(tmp_path, name, value, message):
    result = subprocess.run(
        [str(SCC), "web"], capture_output=True, text=True, timeout=60,
        env={**os.environ, "SCC_DATABASE_URL": f"sqlite:///{tmp_path / 'scc.sqlite3'}",
             "SCC_SECRET_KEY": "a key for the tests, 32 bytes or more", name: value})

    assert result.returncode == 1
    assert f"Error: {message}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "scc.sqlite3").exists()  # it stopped before touching the store
