"""benchmarks/reports.py runs (quick) and reports a figure for every app."""

from __future__ import annotations

import json

from tests.integration.bench_support import run_benchmark


def test_the_reports_benchmark_runs_and_stores_reports() -> None:
    result = json.loads(run_benchmark("reports.py", "--quick", "--json"))
    rows = result["rows"]
    assert set(rows) == {"bare", "sqlite", "bounded"}
    assert all(row["reports_per_second"] > 0 for row in rows.values())
    assert rows["bare"]["cpu_ratio_to_bare"] in (1.0, None)
