"""Deadline policy files shipped with scc (TOML, keys as DeadlinePolicy's fields)."""
