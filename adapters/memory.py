"""How a long-running process (a web worker, ``scc serve``, the worker) keeps the garbage
collector's pauses out of its requests.

CPython frees most objects as soon as they are dropped; its cyclic collector also walks, every
so often, every container object the process has made. A web worker holds some 100,000 of them
once started (modules, templates, the engines) and each case file it loads adds thousands
(a 1,000-entry case file: about 10,000), so a full collection in the middle of a request cost
100-200 ms, the slowest 5% of cold case-file loads (``benchmarks/as_at_load``). Case files and
their entries hold no reference cycles (an evicted one is freed at once, without the collector),
so nothing is lost by sparing the collector the objects made at start-up, and by running its
youngest generation less often.
"""

from __future__ import annotations

import gc

YOUNG_COLLECTION_EVERY = 10_000
"""Allocations between collections of the youngest generation (CPython's default is 700): a
cold load of a long case file makes thousands, so it no longer sets off several collections."""


def settle_after_start() -> None:
    """Called once the process has built everything it keeps: what exists now is moved out of
    the collector's sight (``gc.freeze``), and later collections walk only what came after."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, older, oldest)
