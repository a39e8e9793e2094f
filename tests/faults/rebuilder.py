"""A rebuild of every read model shared out among processes however short the log, for the
fault tests, on the store SCC_DATABASE_URL names (opened as every entry point opens it):

    python -m tests.faults.rebuilder

The log is cut into many small parts, so that a kill finds the processes part-way through
even a short log."""

from __future__ import annotations

import adapters.rebuild_processes
from adapters.bootstrap import build_case_files, build_projections
from adapters.config import Settings


def main() -> None:
    adapters.rebuild_processes.PARTS_PER_PROCESS = 64
    settings = Settings.from_env()
    case_files = build_case_files(settings)
    try:
        projections = build_projections(settings, case_files)
        projections.processes.least_entries = 1
        try:
            projections.rebuild()
        finally:
            projections.store.close()
    finally:
        case_files.close()


if __name__ == "__main__":
    main()
