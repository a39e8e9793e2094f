"""The benchmark runner's exit status: a benchmark that raised fails the run, a missed target
does not (fake benchmarks, nothing measured)."""

from __future__ import annotations

import json
import sys
from types import ModuleType

import pytest

import benchmarks.__main__ as runner
from benchmarks.support import Row


def _measures(quick: bool) -> list[Row]:
    return [Row("measures p50", 2.0, 1.0, max_ratio=1.5)]


def _misses_its_target(quick: bool) -> list[Row]:
    return [Row("misses p95", 300.0, max_ms=150.0)]


def _raises(quick: bool) -> list[Row]:
    raise TypeError("run() missing 1 required positional argument: 'processes'")


@pytest.fixture
def benchmarks_table(monkeypatch, tmp_path):
    """Points the runner at fake benchmarks (modules whose ``run(quick)`` is the function
    given) and writes its results under ``tmp_path``."""
    monkeypatch.setattr(runner, "RESULTS", tmp_path / "latest.json")

    def use(**table) -> None:
        modules = {}
        for name, run in table.items():
            module = ModuleType(f"fake_benchmark_{name}")
            module.run = run
            monkeypatch.setitem(sys.modules, module.__name__, module)
            modules[name] = module.__name__
        monkeypatch.setattr(runner, "BENCHMARKS", modules)

    return use


def test_the_run_fails_when_a_benchmark_raises_and_the_others_still_run(
        benchmarks_table, capsys, tmp_path):
    benchmarks_table(raises=_raises, measures=_measures)

    status = runner.main(["--quick"])

    out, err = capsys.readouterr()
    # Check the run fails, naming the benchmark and what it raised, with its traceback
    assert status != 0
    assert "FAILED: 1 benchmark raised" in err
    assert "  raises: TypeError(" in err
    assert "Traceback (most recent call last)" in err
    # Check the benchmark after it still ran, and the table shows both
    assert "measures p50" in out
    assert "ERROR: TypeError(" in out
    results = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))
    assert results["failed"] == ["raises"]


def test_the_run_passes_when_every_benchmark_measures_even_if_a_target_is_missed(
        benchmarks_table, capsys, tmp_path):
    benchmarks_table(measures=_measures, misses=_misses_its_target)

    status = runner.main(["--quick"])

    out, err = capsys.readouterr()
    assert status == 0
    # Check the missed target is in the table, not a failure
    assert "MISSED" in out
    assert "FAILED" not in err
    results = json.loads((tmp_path / "latest.json").read_text(encoding="utf-8"))
    assert results["failed"] == []
