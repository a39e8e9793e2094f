"""Log records as JSON lines, and the one switch between JSON and text."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import sys

import pytest

from adapters.config import Settings
from adapters.logs import JSONFormatter, check_format, logging_config


def _record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.getLogger("scc.requests").makeRecord(
        "scc.requests", logging.INFO, __file__, 1, message, args, None, extra=extra)
    record.created = 1795000000.25  # 2026-11-18 11:06:40.250 UTC
    return record


def test_a_record_is_one_line_of_json_with_its_time_level_logger_and_message():
    line = JSONFormatter().format(_record("GET %s %d", "/schools", 200))

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["timestamp"] == "2026-11-18T11:06:40.250+00:00"
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "INFO", "scc.requests", "GET /schools 200")


def test_what_the_caller_adds_becomes_fields_of_its_own():
    entry = json.loads(JSONFormatter().format(_record(
        "GET /schools 200", request_id="4f1c", method="GET", path="/schools", status=200,
        duration_ms=12.5, user=None)))

    assert {k: entry[k] for k in ("request_id", "method", "path", "status", "duration_ms",
                                  "user")} == {
        "request_id": "4f1c", "method": "GET", "path": "/schools", "status": 200,
        "duration_ms": 12.5, "user": None}
    assert "args" not in entry and "msg" not in entry  # the record's own workings stay out


def test_an_exception_goes_in_the_same_line_with_its_traceback():
    try:
        raise ConnectionError("PostgreSQL went away")
    except ConnectionError:
        record = logging.getLogger("scheduler").makeRecord(
            "scheduler", logging.ERROR, __file__, 1, "The follow loop failed", (),
            sys.exc_info())

    entry = json.loads(JSONFormatter().format(record))

    assert entry["level"] == "ERROR"
    assert "Traceback" in entry["exception"]
    assert "ConnectionError: PostgreSQL went away" in entry["exception"]


def test_json_logging_sends_every_logger_through_the_formatter(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        logging.config.dictConfig(logging_config("json"))
        logging.getLogger("gunicorn.error").info("Booting worker with pid: %s", 42)
        logging.getLogger("gunicorn.access").info("an access line scc does not want")
        logging.getLogger("apscheduler.scheduler").info("a job ran")
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)

    lines = stream.getvalue().splitlines()
    assert [json.loads(line)["message"] for line in lines] == ["Booting worker with pid: 42"]


def test_the_log_format_is_json_or_text_and_nothing_else():
    assert Settings.from_env({"SCC_LOG_FORMAT": "JSON"}).log_format == "json"
    assert Settings.from_env({}).log_format == "text"
    assert check_format("text") == "text"
    with pytest.raises(ValueError, match="SCC_LOG_FORMAT must be text or json, not 'xml'"):
        check_format("xml")
