"""What a load balancer or orchestrator asks: is the process alive, and is it ready to serve."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, g

from web.services import services

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)
UNREACHABLE = (f"The database did not answer: the reason is in the log of this process "
               f"(logger {__name__})")


@bp.get("/healthz")
def healthz() -> dict[str, str]:
    """Alive: the process answers. It touches no database, so that a database outage makes
    the instances unready (taken out of the pool), not dead (restarted in a loop)."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz() -> tuple[dict[str, Any], int]:
    """Ready: the event store and the read models answer within READY_TIMEOUT seconds, and
    no read model is more than READY_MAX_LAG entries behind the log (pages would show stale
    work). 503 says why not.

    A probe is not signed in: it learns how far behind each read model is, never where the
    log stands (how much has been recorded) or the database's own error, which may name its
    host, user or schema (the log has it). A signed-in user sees both.

    Schools set aside (an entry the read models could not apply) are listed, with the
    status "degraded": still 200, since every other school is served up to date, and taking
    every instance out of the pool for one school's entry would stop the service for all. A
    probe is told their URNs; a signed-in user also where and why."""
    bound = current_app.config["READY_MAX_LAG"]
    signed_in = g.get("user") is not None
    try:
        status, set_aside = _status_within(current_app.config["READY_TIMEOUT"])
    except Exception as error:  # noqa: BLE001 - any failure to read means "not ready"
        log.warning("Not ready: the database did not answer: %s", _one_line(error))
        return {"status": "unavailable", "database": "unreachable",
                "problem": _one_line(error) if signed_in else UNREACHABLE}, 503
    lag = max(row["lag"] for row in status)
    body: dict[str, Any] = {
        "status": "ready" if lag <= bound else "lagging",
        "database": "reachable",
        "max_lag": bound,
        "lag": lag,
        "projections": {row["projection"]: ({"position": row["position"], "lag": row["lag"]}
                                            if signed_in else {"lag": row["lag"]})
                        for row in status},
    }
    if set_aside:
        body["set_aside"] = [{"urn": s["urn"], "since_position": s["position"],
                              "reason": s["reason"]} if signed_in else {"urn": s["urn"]}
                             for s in set_aside]
        body["problem"] = (f"{len(set_aside)} school{'s are' if len(set_aside) > 1 else ' is'} "
                           "set aside: an entry could not be applied to the read models "
                           "(scc projections status)")
        if lag <= bound:
            body["status"] = "degraded"
    if lag > bound:
        behind = [row["projection"] for row in status if row["lag"] > bound]
        body["problem"] = (f"{', '.join(behind)} {'is' if len(behind) == 1 else 'are'} more "
                           f"than {bound} entries behind the log: is `scc worker` running?")
        return body, 503
    return body, 200


class _Check:
    """One look at the read models' positions and the log's head, in a thread of its own."""

    def __init__(self, status: Callable[[], Any]) -> None:
        self.done = threading.Event()
        self.result: Any = None
        self.error: Exception | None = None
        self._status = status
        threading.Thread(target=self._run, name="scc-readyz", daemon=True).start()

    def _run(self) -> None:
        try:
            self.result = self._status()
        except Exception as error:  # noqa: BLE001 - handed to the request that waits
            self.error = error
        finally:
            self.done.set()


_checking = threading.Lock()


def _status_within(seconds: float
                   ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The projections' status, or TimeoutError after ``seconds``: a database that does not
    answer makes the store retry for minutes, and a probe must answer at once. At most one
    check runs at a time in a process; probes that come meanwhile wait for that one."""
    with _checking:
        check = current_app.extensions.get("scc.readiness")
        if check is None or check.done.is_set():
            projections = services().projections
            check = _Check(lambda: (projections.status(), projections.set_aside()))
            current_app.extensions["scc.readiness"] = check
    if not check.done.wait(seconds):
        raise TimeoutError(f"no answer within {seconds:g} s")
    if check.error is not None:
        raise check.error
    return check.result


def _one_line(error: Exception) -> str:
    words = " ".join(str(error).split())
    return f"{type(error).__name__}: {words[:300]}" if words else type(error).__name__
