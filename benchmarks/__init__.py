"""scc's benchmarks: each module measures one cost and returns rows of figures; none asserts.

Run them with ``python -m benchmarks`` (``--only NAME``, ``--quick``).
"""

# Benchmark name -> module; each module has ``run(quick: bool) -> list[support.Row]``.
BENCHMARKS = {
    "command_cost": "benchmarks.command_cost",
    "as_at_load": "benchmarks.as_at_load",
    "rebuild": "benchmarks.rebuild",
    "reconcile": "benchmarks.reconcile",
    "web_latency": "benchmarks.web_latency",
    "workbench": "benchmarks.workbench",
    "search": "benchmarks.search",
    "api_throughput": "benchmarks.api_throughput",
    "gias_import": "benchmarks.gias_import",
    "documents": "benchmarks.documents",
    "personal_data": "benchmarks.personal_data",
    "verify": "benchmarks.verify",
    "growth": "benchmarks.growth",
}
