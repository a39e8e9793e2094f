"""What sealing personal data costs: a command and a whole rebuild, each against the same
code recording its entries as they were before sealing, in the same run.

Without sealing, ``domain.personal_data.seal_fields`` leaves every field as it is: nothing is
wrapped, committed to, sealed under a key or opened on reading, so the entries are stored in
the format they had before personal data was sealed. Each store's entries are checked to hold
sealed values (or none) before anything is timed.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from adapters.rebuild_processes import default_processes
from application.case_files import SchoolCaseFiles
from benchmarks.command_cost import prepare_command
from benchmarks.england import copy_store, ensure_england, keys_beside
from benchmarks.rebuild import QUICK_LEAST_ENTRIES, every, rebuild_in_child
from benchmarks.support import (
    PostgresUnavailable,
    Row,
    case_files_on,
    p50,
    p95,
    postgres_database,
    progress,
    timed,
)
from domain import personal_data

NAME = "personal_data"
COMMAND_MAX_RATIO = 1.3
"""Issue 19: a typical command costs at most 1.3 times as much with its personal data sealed."""
REBUILD_MAX_RATIO = 1.5
"""Issue 19: rebuilding every read model at England scale, at most 1.5 times as long."""
SEALED = b'"_type_":"personal"'
"""How a sealed value starts in a stored entry (application.personal_keys)."""
UNSEALED = "unsealed"
"""The England log recorded without sealing, cached under a name of its own."""


@contextmanager
def without_sealing() -> Iterator[None]:
    """Entries recorded meanwhile keep their personal values as plain values, as before
    sealing. The domain calls ``seal_fields`` through its module, so replacing it there is
    enough."""
    sealing = personal_data.seal_fields
    personal_data.seal_fields = lambda entry_name, fields: fields
    try:
        yield
    finally:
        personal_data.seal_fields = sealing


def run(quick: bool) -> list[Row]:
    warmup, iterations, schools = (10, 100, 5) if quick else (50, 500, 25)
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        rows = measure_command("sqlite", f"sqlite:///{Path(folder, 'sealed.sqlite3')}",
                               f"sqlite:///{Path(folder, 'unsealed.sqlite3')}",
                               warmup, iterations, schools)
    try:
        with (postgres_database(f"{NAME}_sealed") as sealed,
              postgres_database(f"{NAME}_unsealed") as unsealed):
            rows += measure_command("postgres", sealed, unsealed, warmup, iterations, schools)
    except PostgresUnavailable as why:
        print(f"{NAME}: the PostgreSQL rows were skipped: {why}")
        rows += [Row(f"{NAME} command postgres", None, note="PostgreSQL unavailable")]
    return rows + measure_rebuild(quick)


# A command ----------------------------------------------------------------------------------

def measure_command(store: str, sealed_url: str, unsealed_url: str, warmup: int,
                    iterations: int, schools: int) -> list[Row]:
    """hold_msp_meeting (attendees' names, minutes and action owners: personal) on case files
    of 200 entries, sealed in one store and not in the other, timed turn about."""
    sealed, unsealed = case_files_on(sealed_url), case_files_on(unsealed_url)
    try:
        hold_sealed = prepare_command(f"{store} sealed", sealed, schools)
        with without_sealing():
            hold_unsealed = prepare_command(f"{store} unsealed", unsealed, schools)
        check_sealed(f"{store} sealed", entries_sealed(sealed), sealed=True)
        check_sealed(f"{store} unsealed", entries_sealed(unsealed), sealed=False)
        progress(f"{NAME} {store}: timing {iterations} hold_msp_meeting commands on each "
                 "store, turn about (each first every other time)")
        with_seal: list[float] = []
        without: list[float] = []
        for n in range(warmup + iterations):
            for is_sealed in (n % 2 == 0, n % 2 == 1):
                if is_sealed:
                    with_seal.append(timed(partial(hold_sealed, n)))
                else:
                    with without_sealing():
                        without.append(timed(partial(hold_unsealed, n)))
        check_sealed(f"{store} sealed", entries_sealed(sealed), sealed=True)
        check_sealed(f"{store} unsealed", entries_sealed(unsealed), sealed=False)
    finally:
        sealed.close()
        unsealed.close()
    with_seal, without = with_seal[warmup:], without[warmup:]
    return [
        Row(f"{NAME} command {store} p50", p50(with_seal), p50(without),
            max_ratio=COMMAND_MAX_RATIO,
            note=f"hold_msp_meeting, sealed against unsealed, {iterations} runs of each "
                 f"after {warmup} warm-up"),
        Row(f"{NAME} command {store} p95", p95(with_seal), p95(without)),
    ]


def entries_sealed(case_files: SchoolCaseFiles) -> tuple[int, int]:
    """How many stored entries there are, and how many of them hold a sealed value."""
    entries = with_sealed = 0
    start: int | None = 1
    while start is not None:
        page = case_files.recorder.select_notifications(start, 1000)
        entries += len(page)
        with_sealed += sum(1 for n in page if SEALED in n.state)
        start = page[-1].id + 1 if len(page) == 1000 else None
    return entries, with_sealed


def check_sealed(store: str, counts: tuple[int, int], *, sealed: bool) -> None:
    """The comparison means something only if one store's entries are sealed and the
    other's are not: a check of the set-up, not a figure."""
    entries, with_sealed = counts
    if not entries or bool(with_sealed) != sealed:
        raise RuntimeError(f"{NAME} {store}: {with_sealed:,} of {entries:,} stored entries hold "
                           f"a sealed value; expected {'some' if sealed else 'none'}")
    progress(f"{NAME} {store}: {with_sealed:,} of {entries:,} stored entries hold a sealed value")


# The rebuild at England scale -----------------------------------------------------------------

def measure_rebuild(quick: bool) -> list[Row]:
    """Both England logs (generated once each and cached) rebuilt as benchmarks.rebuild
    does, in the order unsealed, sealed, sealed, unsealed: the faster of each pair counts."""
    logs = {}
    for variant in ("sealed", UNSEALED):
        say = every(10, lambda schools, events, variant=variant: progress(
            f"{NAME}: generating the {variant} England log: {schools:,} schools, "
            f"{events:,} events"))
        if variant == UNSEALED:
            with without_sealing():
                logs[variant] = ensure_england(quick=quick, variant=UNSEALED, progress=say)
        else:
            logs[variant] = ensure_england(quick=quick, progress=say)
    for variant, england in logs.items():
        england["entries"], england["sealed_entries"], england["keys"] = england_sealed(
            Path(england["path"]))
        check_sealed(f"England {variant}", (england["entries"], england["sealed_entries"]),
                     sealed=variant == "sealed")
    sealed, unsealed = logs["sealed"], logs[UNSEALED]
    if sealed["entries"] != unsealed["entries"]:
        raise RuntimeError(f"{NAME}: the sealed England log has {sealed['entries']:,} entries "
                           f"and the unsealed one {unsealed['entries']:,}: the same stories "
                           "should make the same entries")
    processes = default_processes()
    least_entries = QUICK_LEAST_ENTRIES if quick else None
    rebuilt: dict[str, list[dict[str, Any]]] = {"sealed": [], UNSEALED: []}
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        for variant in (UNSEALED, "sealed", "sealed", UNSEALED):
            england = logs[variant]
            work = Path(folder, f"england-{variant}.sqlite3")
            progress(f"{NAME}: copying {Path(england['path']).name} and its keys; rebuilding "
                     f"every projection in {processes} process{'es' if processes > 1 else ''}")
            copy_store(england["path"], work)
            result = rebuild_in_child(f"sqlite:///{work}", processes, least_entries)
            progress(f"{NAME}: {variant} rebuilt in {result['seconds']:.1f} s, peak "
                     f"{result['peak_mb']:.0f} MB")
            rebuilt[variant].append(result)
            for file in (work, keys_beside(work)):
                file.unlink()
    seconds = {v: min(r["seconds"] for r in runs) for v, runs in rebuilt.items()}
    peaks = {v: max(r["peak_mb"] for r in runs) for v, runs in rebuilt.items()}
    how = rebuilt["sealed"][0]["how"]
    size = f"{sealed['schools']:,} schools, {sealed['entries']:,} entries"
    return [
        Row(f"{NAME} rebuild sqlite, England scale", seconds["sealed"], seconds[UNSEALED],
            max_ratio=REBUILD_MAX_RATIO, unit="s",
            note=f"{size}, sealed against unsealed, the faster of two rebuilds each "
                 f"(unsealed {runs(rebuilt[UNSEALED])} s; sealed {runs(rebuilt['sealed'])} s); "
                 f"{sealed['sealed_entries']:,} entries hold sealed values under "
                 f"{sealed['keys']:,} keys; rebuild by {how}"),
        Row(f"{NAME} rebuild peak memory", peaks["sealed"], peaks[UNSEALED], unit="MB",
            note="peak RSS of the rebuilding process plus each of its processes', the "
                 "higher of the two rebuilds, sealed against unsealed"),
        Row(f"{NAME} England log size", store_mb(Path(sealed["path"])),
            store_mb(Path(unsealed["path"])), unit="MB",
            note=f"the log and its key store file ({keys_mb(sealed):.1f} MB of keys sealed, "
                 f"{keys_mb(unsealed):.1f} MB unsealed), before any read model is built"),
        Row(f"{NAME} England generation", sealed["seconds"], unsealed["seconds"], unit="s",
            note="recording the log in bulk, sealed against unsealed: "
                 + ("; ".join(f"{v} {made(e)}" for v, e in logs.items()))),
    ]


def england_sealed(path: Path) -> tuple[int, int, int]:
    """A cached England log's entries, those holding a sealed value, and its keys."""
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as db:
        entries, with_sealed = db.execute(
            "SELECT count(*), coalesce(sum(instr(state, ?) > 0), 0) FROM stored_events",
            (SEALED,)).fetchone()
    db.close()
    with sqlite3.connect(f"file:{keys_beside(path)}?mode=ro", uri=True) as db:
        (keys,) = db.execute("SELECT count(*) FROM scc_personal_keys").fetchone()
    db.close()
    return entries, with_sealed, keys


def store_mb(path: Path) -> float:
    return (path.stat().st_size + keys_beside(path).stat().st_size) / 1e6


def keys_mb(england: dict[str, Any]) -> float:
    return keys_beside(Path(england["path"])).stat().st_size / 1e6


def runs(results: list[dict[str, Any]]) -> str:
    return ", ".join(f"{r['seconds']:.1f}" for r in results)


def made(england: dict[str, Any]) -> str:
    return (f"cached, generated {england.get('generated_at')}" if england["cached"]
            else "generated in this run")

