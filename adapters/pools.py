"""How many connections a process keeps to a PostgreSQL database: sized from the threads
that use it at once, so that the connections of every process together fit within the
server's ``max_connections``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PoolSize:
    """A pool for ``threads`` threads that use one database at once."""

    threads: int

    @property
    def most(self) -> int:
        """One connection for each thread, and one more. A thread mostly holds one at a
        time; one that takes a second while it holds the first (a scan of the log read as
        its consumer loads a case file, say) then waits at worst for another thread to
        finish, never for ever: with every thread holding one, the spare is free."""
        return self.threads + 1
