"""gunicorn's settings for scc's web workers, from SCC_WEB_* variables (``scc web`` uses it).

A gunicorn configuration file is read once, by the gunicorn master as it starts, and its
module-level names are gunicorn's settings: this is the one module of scc that reads the
environment when imported, because that is how gunicorn takes its configuration. Run it as
``gunicorn --config python:web.gunicorn_conf`` or through ``scc web``.

Every worker builds its own app (``web.wsgi:create_app()``) after the fork. The master
creates the store's tables first (``on_starting``), so that workers starting together on a
new store do not race to create them.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from adapters.bootstrap import prepare_store
from adapters.config import WEB_THREADS, Settings
from adapters.logs import logging_config
from web.config import secret_key_problem
from web.wsgi import close_app


def _positive(name: str, default: int) -> int:
    text = os.environ.get(name, "").strip() or str(default)
    if not text.isdigit() or int(text) < 1:
        sys.exit(f"Error: {name} must be a whole number of at least 1, not {text!r}")
    return int(text)


wsgi_app = "web.wsgi:create_app()"
bind = [os.environ.get("SCC_WEB_BIND", "").strip() or "127.0.0.1:8000"]
workers = _positive("SCC_WEB_WORKERS", 2 * (os.cpu_count() or 1) + 1)
worker_class = "gthread"
threads = _positive("SCC_WEB_THREADS", WEB_THREADS)
"""Threads per worker (the app sizes its connections to the database from the same setting)."""
graceful_timeout = _positive("SCC_WEB_GRACEFUL_TIMEOUT", 30)
"""Seconds a stopping worker has to finish the requests it has begun before it is killed."""
timeout = _positive("SCC_WEB_TIMEOUT", 60)
"""Seconds a worker may stay silent (a request stuck that long) before it is restarted."""
keepalive = 5
accesslog = None  # the app logs each request itself (web.request_log), with its id and user
control_socket_disable = True  # gunicorn's control socket defaults to one path per user
try:
    logconfig_dict = logging_config(os.environ.get("SCC_LOG_FORMAT", "").strip().lower()
                                    or "json")
except ValueError as error:
    sys.exit(f"Error: {error}")
proc_name = "scc-web"
# Each worker would otherwise sign cookies with a key of its own (finding #13).
if problem := secret_key_problem(os.environ.get("SCC_SECRET_KEY")):
    sys.exit(f"Error: {problem}")


def on_starting(server: Any) -> None:
    """In the master, before any worker starts: the store's tables, created once."""
    try:
        prepare_store(Settings.from_env())
    except Exception as error:  # noqa: BLE001 - any failure here stops the server
        server.log.error("Cannot open the case-file store: %s", " ".join(str(error).split()))
        raise SystemExit(2) from None


def worker_exit(server: Any, worker: Any) -> None:
    """In a worker on its way out, after its last request: close its connections."""
    app = getattr(worker, "wsgi", None)
    if app is not None:
        close_app(app)
