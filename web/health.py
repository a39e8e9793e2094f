"""What a load balancer or orchestrator asks: is the process alive, and is it ready to serve."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, current_app

from web.services import services

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Alive: the process answers. It touches no database, so that a database outage makes
    the instances unready (taken out of the pool), not dead (restarted in a loop)."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    """Ready: the event store and the read models answer, and no read model is more than
    READY_MAX_LAG entries behind the log (pages would show stale work). 503 says why not."""
    bound = current_app.config["READY_MAX_LAG"]
    try:
        status = services().projections.status()
    except Exception as error:  # noqa: BLE001 - any failure to read means "not ready"
        log.warning("Not ready: the database did not answer: %s", _one_line(error))
        return {"status": "unavailable", "database": "unreachable",
                "problem": _one_line(error)}, 503
    lag = max(row["lag"] for row in status)
    body = {
        "status": "ready" if lag <= bound else "lagging",
        "database": "reachable",
        "max_lag": bound,
        "lag": lag,
        "projections": {row["projection"]: {"position": row["position"], "lag": row["lag"]}
                        for row in status},
    }
    if lag > bound:
        behind = [row["projection"] for row in status if row["lag"] > bound]
        body["problem"] = (f"{', '.join(behind)} {'is' if len(behind) == 1 else 'are'} more "
                           f"than {bound} entries behind the log: is `scc worker` running?")
        return body, 503
    return body, 200


def _one_line(error: Exception) -> str:
    words = " ".join(str(error).split())
    return f"{type(error).__name__}: {words[:300]}" if words else type(error).__name__
