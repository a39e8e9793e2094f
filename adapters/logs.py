"""How every scc process logs: one JSON object a line in production, plain text by hand."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
QUIET = {"apscheduler": logging.WARNING, "werkzeug": logging.WARNING,
         "alembic": logging.WARNING}
"""Libraries whose routine chatter (every job run; every request, which scc logs itself;
every check of the schema's revision) would drown what matters."""

_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message", "asctime", "taskName"}
"""What every LogRecord has; anything else on a record came from ``extra=`` and is logged."""


class JSONFormatter(logging.Formatter):
    """A record as one line of JSON: timestamp (UTC, ISO 8601), level, logger, message,
    then whatever the caller passed in ``extra`` (a request's id, method, path, status and
    duration), then the traceback, if any, as ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        entry.update((key, value) for key, value in vars(record).items()
                     if key not in _RECORD_ATTRIBUTES and not key.startswith("_"))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def check_format(log_format: str) -> str:
    """``log_format`` if scc knows it; else a ValueError naming SCC_LOG_FORMAT."""
    if log_format not in FORMATS:
        raise ValueError(f"SCC_LOG_FORMAT must be {' or '.join(FORMATS)}, not {log_format!r}")
    return log_format


def logging_config(log_format: str, level: str = "INFO") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dictionary: everything to stderr in ``log_format``,
    gunicorn's own loggers included (its ``logconfig_dict`` takes this)."""
    formatter = ({"()": JSONFormatter} if check_format(log_format) == "json"
                 else {"format": TEXT_FORMAT})
    handler = {"class": "logging.StreamHandler", "formatter": "scc",
               "stream": "ext://sys.stderr"}
    through_root = {"level": level, "handlers": [], "propagate": True}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"scc": formatter},
        "handlers": {"console": handler, "error_console": handler},
        "root": {"level": level, "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": through_root,
            # scc logs each request itself (web.request_log), as fields rather than a line
            "gunicorn.access": {**through_root, "level": "WARNING"},
            **{name: {"level": logging.getLevelName(quiet)} for name, quiet in QUIET.items()},
        },
    }


def configure_logging(log_format: str, level: str = "INFO") -> None:
    """Sends every logger's records to stderr in ``log_format`` ("text" or "json")."""
    import logging.config

    logging.config.dictConfig(logging_config(log_format, level))
