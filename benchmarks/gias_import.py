"""Importing a GIAS register of 52,000 establishments (the real extract's 139 columns) into an
empty store, and again unchanged, against the time csv.reader takes to read the same file."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.support import Row, progress

NAME = "gias_import"
ESTABLISHMENTS = 52_000
QUICK_ESTABLISHMENTS = 2_000
FIRST_IMPORT_MAX_S = 30.0
PEAK_MAX_MB = 150.0
UNCHANGED_MIN_ROWS_PER_S = 20_000.0
REAL_EXTRACT = Path(os.environ.get("SCC_REAL_FILES") or Path(__file__).resolve().parents[1]
                    / ".." / "shared" / "data" / "real") / "npq_gias_sample.csv"
"""Its header and its maintained schools' rows are the template of every row written."""


def run(quick: bool) -> list[Row]:
    count = QUICK_ESTABLISHMENTS if quick else ESTABLISHMENTS
    with tempfile.TemporaryDirectory(prefix="scc-bench-") as folder:
        register = Path(folder, "edubasealldata20261120.csv")
        progress(f"{NAME}: writing a register of {count:,} establishments")
        write_register(register, count)
        size_mb = register.stat().st_size / 1e6
        reading_s = csv_reader_seconds(register)
        url = f"sqlite:///{Path(folder, 'scc.sqlite3')}"
        progress(f"{NAME}: first import into an empty store")
        first_s, first_mb = import_in_a_process(register, url)
        progress(f"{NAME}: the same register again, unchanged")
        again_s, again_mb = import_in_a_process(register, url)
    about = f"{count:,} rows, {size_mb:.0f} MB, SQLite; baseline: csv.reader over the file"
    return [
        Row(f"{NAME} first import", first_s * 1000, baseline_ms=reading_s * 1000,
            max_ms=FIRST_IMPORT_MAX_S * 1000 * count / ESTABLISHMENTS, note=about),
        Row(f"{NAME} first import peak memory", first_mb, max_ms=PEAK_MAX_MB, unit="MB",
            note="the importing process's peak RSS (ru_maxrss), interpreter included"),
        Row(f"{NAME} unchanged re-import", count / again_s, baseline_ms=count / reading_s,
            min_figure=UNCHANGED_MIN_ROWS_PER_S, unit="rows/s",
            note=f"peak {again_mb:.0f} MB; baseline: csv.reader's rows/s"),
    ]


def write_register(path: Path, count: int) -> None:
    """``count`` maintained schools of one LA, each row a real one with a new URN and name."""
    with REAL_EXTRACT.open(encoding="utf-8", newline="") as f:
        header, *rows = list(csv.reader(f))
    group = header.index("EstablishmentTypeGroup (name)")
    templates = [r for r in rows if r[group] == "Local authority maintained schools"]
    urn, name, la_code = (header.index(c) for c in ("URN", "EstablishmentName", "LA (code)"))
    with path.open("w", encoding="cp1252", newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow(header)
        for n in range(count):
            row = list(templates[n % len(templates)])
            row[urn], row[name], row[la_code] = str(200000 + n), f"{row[name]} {n}", "202"
            writer.writerow(row)


def csv_reader_seconds(path: Path) -> float:
    """The fastest of three reads of the file by csv.reader alone."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        with path.open(encoding="cp1252", newline="") as f:
            for _row in csv.reader(f):
                pass
        times.append(time.perf_counter() - started)
    return min(times)


def import_in_a_process(register: Path, url: str) -> tuple[float, float]:
    """Runs ``scc import-schools`` in a process of its own: its wall time from the command's
    call (the modules it loads already loaded: about 0.7 s, whatever the file), and its peak
    RSS in MB (the process's alone, so nothing this one holds is counted)."""
    env = {**os.environ, "SCC_DATABASE_URL": url, "SCC_CATEGORY_SCHEME": "peterborough",
           "SCC_LA_CODE": "202"}
    script = ("import json, resource, sys, time\n"
              "from cli.main import scc\n"
              # Modules the command loads as it starts: the process's cost, not the rows'.
              "import adapters.bootstrap, adapters.importers.gias, application.imports\n"
              "started = time.perf_counter()\n"
              "try:\n"
              f"    scc(['import-schools', {str(register)!r}], standalone_mode=False)\n"
              "finally:\n"
              "    print(json.dumps([time.perf_counter() - started,\n"
              "        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024]),\n"
              "        file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                          text=True, check=False, cwd=Path(__file__).resolve().parents[1])
    if done.returncode != 0:
        raise RuntimeError(f"scc import-schools failed: {done.stdout[-500:]}{done.stderr[-2000:]}")
    seconds, peak = json.loads(done.stderr.strip().splitlines()[-1])
    return seconds, peak
