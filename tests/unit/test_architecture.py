"""The dependency rule: imports point inward, from adapters and entry points to the domain."""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("domain", "application", "adapters", "web", "scheduler", "cli")
OUTER = ("adapters", "web", "scheduler", "cli")
WIRING = ("adapters.bootstrap", "adapters.config", "adapters.logs", "adapters.demo",
          "adapters.importers", "adapters.printable", "adapters.store_errors")
"""What an entry point may take from adapters: the app's wiring (its settings and how its
processes log), the demo and the public registers' files (GIAS, Ofsted) to load, and the
wording of a store's failures (a full disk, a read-only database) for the person who ran the
command."""
LAUNCHED_BY_CLI = ("web.create_app", "web.config", "scheduler.worker", "scheduler.lock")
"""``scc serve`` starts the web app and the worker in one process: the command line is the
outermost entry point, so it may start the others, and only through these (and the web app's
settings, whose secret key it checks or makes for its one process)."""
BOOTSTRAP_BUILDS_WEB = ("adapters/bootstrap.py", "web.services")
"""The one exception: bootstrap wires every entry point, so build_web_services builds the web
app's WebServices (importing it inside the function, never at import time)."""


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def modules_of(layer: str) -> list[Path]:
    return sorted((ROOT / layer).rglob("*.py"))


def imports(path: Path) -> Iterator[tuple[int, str]]:
    parts = [p for p in path.relative_to(ROOT).with_suffix("").parts if p != "__init__"]
    package = parts if path.name == "__init__.py" else parts[:-1]
    return imports_in(path.read_text(encoding="utf-8"), package)


def imports_in(source: str, package: list[str]) -> Iterator[tuple[int, str]]:
    """(line, dotted name) for each name a module imports; ``from a import b`` gives ``a.b``
    so that ``from adapters import calendars`` is seen for what it is."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join([*package[: len(package) - node.level + 1], base]).rstrip(".")
            for alias in node.names:
                yield node.lineno, base if alias.name == "*" else f"{base}.{alias.name}"


def is_stdlib(name: str) -> bool:
    return name.split(".")[0] in sys.stdlib_module_names


def allowed(layer: str, name: str) -> bool:
    if within(name, layer):
        return True
    if layer == "domain":
        return is_stdlib(name) or within(name, "eventsourcing.domain")
    if layer == "application":
        return is_stdlib(name) or within(name, "eventsourcing") or within(name, "domain")
    if layer == "cli" and any(within(name, launched) for launched in LAUNCHED_BY_CLI):
        return True
    if name.split(".")[0] in OUTER:  # another outer layer: only the app's wiring
        return any(within(name, wiring) for wiring in WIRING)
    return True  # inward (domain, application), the standard library or a third party


def violations(layer: str) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in modules_of(layer)
        for line, name in imports(path)
        if not allowed(layer, name) and not _bootstrap_builds_web(path, name)
    ]


def _bootstrap_builds_web(path: Path, name: str) -> bool:
    module, imported = BOOTSTRAP_BUILDS_WEB
    return path.relative_to(ROOT).as_posix() == module and within(name, imported)


def test_every_layer_is_scanned():
    assert modules_of("domain") and modules_of("application") and modules_of("adapters")


def test_domain_imports_only_the_standard_library_and_eventsourcing_domain():
    assert violations("domain") == []


def test_application_imports_only_the_standard_library_eventsourcing_and_the_domain():
    assert violations("application") == []


@pytest.mark.parametrize("layer", OUTER)
def test_adapters_and_entry_points_do_not_import_each_other(layer):
    """Entry points may use adapters.bootstrap and adapters.config to wire the app."""
    assert violations(layer) == []


def test_the_rule_reports_each_violation_with_its_line():
    source = (
        "from datetime import date\n"
        "from eventsourcing.domain import Aggregate\n"
        "from eventsourcing.application import Application\n"
        "from . import statute\n"
        "from adapters import calendars\n"
    )
    found = [
        (line, name) for line, name in imports_in(source, ["domain"])
        if not allowed("domain", name)
    ]

    assert found == [(3, "eventsourcing.application.Application"), (5, "adapters.calendars")]
    assert allowed("domain", "domain.statute")
    assert allowed("web", "adapters.bootstrap.build_case_files")
    assert not allowed("web", "adapters.calendars")
    assert not allowed("adapters", "web.routes")
    assert not allowed("application", "sqlalchemy")
