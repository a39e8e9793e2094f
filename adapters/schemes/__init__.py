"""The category schemes scc ships, and loading an LA's own from a TOML file."""

from __future__ import annotations

import tomllib
from pathlib import Path

from domain.categories import Category, CategoryScheme

SHIPPED = Path(__file__).parent


def load_scheme(name_or_path: str) -> CategoryScheme:
    """A shipped scheme by name (peterborough, torbay) or an LA's own TOML file."""
    path = SHIPPED / f"{name_or_path.lower()}.toml"
    if not path.exists():
        path = Path(name_or_path)
    if not path.is_file():
        shipped = ", ".join(sorted(p.stem for p in SHIPPED.glob("*.toml")))
        raise ValueError(
            f"No category scheme {name_or_path!r}: use one of {shipped} or a TOML file's path"
        )
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return CategoryScheme(
            name=data["name"],
            categories=tuple(
                Category(str(c["code"]), c["label"], c["concern"]) for c in data["categories"]
            ),
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"{path}: not a category scheme ({error})") from error
