"""A writer process for the fault tests: raises numbered concerns on one school's case file,
one command at a time, as a caseworker would, and prints one line per command.

    python -m tests.faults.writer URN TAG COUNT [--pause SECONDS]

``ok N`` means command N returned success; ``failed N: <error>`` that it raised. A command
refused because someone else changed the case file at the same moment is sent again, as its
message asks the user to (``clash N`` each time). The store is the one SCC_DATABASE_URL
names, opened as every entry point opens it.
"""

from __future__ import annotations

import random
import time

import click

RESENDS = 20


def concern_text(tag: str, number: int) -> str:
    """The description that identifies one command in the log."""
    return f"Concern {number} from writer {tag}"


@click.command()
@click.argument("urn", type=int)
@click.argument("tag")
@click.argument("count", type=int)
@click.option("--pause", type=float, default=0.0,
              help="At most this many seconds between commands (a random share of it).")
def write(urn: int, tag: str, count: int, pause: float) -> None:
    from adapters.bootstrap import build_case_files
    from adapters.config import Settings
    from application.case_files import ConcurrentChange

    case_files = build_case_files(Settings.from_env())
    try:
        for number in range(1, count + 1):
            for _ in range(RESENDS):
                try:
                    case_files.raise_concern(urn, by=f"writer {tag}", ground="other",
                                             description=concern_text(tag, number))
                except ConcurrentChange:
                    print(f"clash {number}", flush=True)
                    continue
                except Exception as error:  # noqa: BLE001 - the test reads what went wrong
                    reason = " ".join(f"{type(error).__name__}: {error}".split())
                    print(f"failed {number}: {reason}", flush=True)
                else:
                    print(f"ok {number}", flush=True)
                break
            if pause:
                time.sleep(random.uniform(0, pause))
    finally:
        case_files.close()


if __name__ == "__main__":
    write.main(prog_name="writer")
