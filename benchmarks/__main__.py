"""Runs the benchmarks, prints a table of figures and writes it to results/latest.json; exits
non-zero if any benchmark raised (never for a missed target)."""

from __future__ import annotations

import argparse
import importlib
import json
import platform
import sys
import time
import traceback
from pathlib import Path

from benchmarks import BENCHMARKS
from benchmarks.support import Row, progress

RESULTS = Path(__file__).parent / "results" / "latest.json"
COLUMNS = ("benchmark", "figure", "baseline", "ratio", "target", "verdict")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--only", choices=sorted(BENCHMARKS), help="run one benchmark")
    parser.add_argument("--quick", action="store_true", help="fewer runs: a smoke test")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    failed: dict[str, str] = {}
    for name in [args.only] if args.only else list(BENCHMARKS):
        progress(f"{name}: starting{' (quick)' if args.quick else ''}")
        try:
            rows += importlib.import_module(BENCHMARKS[name]).run(quick=args.quick)
        except Exception as error:  # the others still run; the exit status reports it
            traceback.print_exc()
            rows.append(Row(name, None, error=repr(error)))
            failed[name] = repr(error)
    table = [cells(row) for row in rows]
    print_table(table)
    for row in rows:
        if row.note and row.figure_ms is not None:
            print(f"  {row.benchmark}: {row.note}")
    write_json(args, rows, table, failed)
    # A missed target is a figure to read, not a failure: only a benchmark that raised fails.
    if failed:
        print(f"\nFAILED: {len(failed)} benchmark{'s' if len(failed) > 1 else ''} raised "
              "(tracebacks above):", file=sys.stderr)
        for name, error in failed.items():
            print(f"  {name}: {error}", file=sys.stderr)
        return 1
    return 0


def cells(row: Row) -> dict[str, str]:
    return {"benchmark": row.benchmark, "figure": row.shown(row.figure_ms),
            "baseline": row.shown(row.baseline_ms),
            "ratio": "-" if row.ratio is None else f"{row.ratio:.2f}",
            "target": row.target, "verdict": row.verdict}


def print_table(table: list[dict[str, str]]) -> None:
    widths = {c: max([len(c), *(len(r[c]) for r in table)]) for c in COLUMNS}
    print("  ".join(c.ljust(widths[c]) for c in COLUMNS).rstrip())
    print("  ".join("-" * widths[c] for c in COLUMNS))
    for r in table:
        print("  ".join(r[c].ljust(widths[c]) for c in COLUMNS).rstrip())


def write_json(args: argparse.Namespace, rows: list[Row], table: list[dict[str, str]],
               failed: dict[str, str]) -> None:
    RESULTS.parent.mkdir(exist_ok=True)
    results = [
        {**shown, "figure_ms": row.figure_ms, "baseline_ms": row.baseline_ms,
         "unit": row.unit, "ratio_value": row.ratio, "note": row.note, "error": row.error}
        for row, shown in zip(rows, table, strict=True)
    ]
    RESULTS.write_text(json.dumps({
        "run_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "quick": args.quick,
        "only": args.only, "python": platform.python_version(), "machine": platform.node(),
        "failed": sorted(failed), "results": results,
    }, indent=2) + "\n", encoding="utf-8")
    progress(f"wrote {RESULTS}")


if __name__ == "__main__":
    sys.exit(main())
