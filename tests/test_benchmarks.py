"""Smoke test for benchmarks/overhead.py: it runs and prints every variant.

No timing is asserted: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _variant_names() -> list[str]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import overhead
    finally:
        sys.path.remove(str(BENCHMARKS))
    return [v.name for v in overhead.variants()]


def test_overhead_quick_prints_every_variant_row() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "overhead.py"),
            "--quick",
            "--samples",
            "2",
            "--number",
            "20",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rows = done.stdout.splitlines()
    names = _variant_names()
    assert len(names) >= 10
    for name in names:
        row = next((r for r in rows if r.startswith(name + "  ")), None)
        assert row is not None, f"no row for {name!r} in:\n{done.stdout}"
        # Either measured (a number in ns) or skipped with its reason.
        cells = row[len(name) :].split()
        assert cells[0] == "skipped" or cells[0].replace(",", "").isdigit(), row
    assert "defaults overhead / limit overhead:" in done.stdout


def test_served_quick_measures_bare_limit_and_wrapped() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "served.py"),
            "--quick",
            "--client",
            "python",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(done.stdout)
    assert set(result["ratio_to_bare"]) == {"bare", "limit", "wrapped"}
    assert all(rps > 0 for rps in result["median_rps"].values())


def test_report_writes_the_results_file(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    subprocess.run(
        [
            sys.executable,
            str(BENCHMARKS / "report.py"),
            "--quick",
            "--no-served",
            "-o",
            str(out),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results")
    assert "| defaults overhead / limit overhead |" in text
