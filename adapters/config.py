"""Settings read from the environment, once, by whoever starts the app."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """Every knob scc has; each is an ``SCC_*`` environment variable."""

    database_url: str
    category_scheme: str = "peterborough"
    read_model_url: str | None = None
    term_dates: Path | None = None
    la_code: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        data_dir = Path(environ.get("SCC_DATA_DIR", "data"))
        term_dates = environ.get("SCC_TERM_DATES")
        return cls(
            database_url=environ.get("SCC_DATABASE_URL")
            or f"sqlite:///{data_dir / 'scc.sqlite3'}",
            category_scheme=environ.get("SCC_CATEGORY_SCHEME", "peterborough"),
            read_model_url=environ.get("SCC_READ_MODEL_URL") or None,
            term_dates=Path(term_dates) if term_dates else None,
            la_code=environ.get("SCC_LA_CODE", "").strip() or None,
        )
