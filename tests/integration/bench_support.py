"""What the benchmark smoke tests share: the benchmark modules, imported from
benchmarks/ (not a package), and a run of one benchmark script."""

from __future__ import annotations

import contextlib
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


@contextlib.contextmanager
def benchmark_modules(*names: str) -> Iterator[dict[str, ModuleType]]:
    """The named benchmark modules, by name, with benchmarks/ on sys.path meanwhile."""
    sys.path.insert(0, str(BENCHMARKS))
    try:
        yield {name: importlib.import_module(name) for name in names}
    finally:
        sys.path.remove(str(BENCHMARKS))


def run_benchmark(script: str, *args: str, timeout: float = 120) -> str:
    """Run ``benchmarks/<script>`` with ``args``; its stdout (it must exit 0)."""
    return subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    ).stdout


def row(stdout: str, name: str) -> str | None:
    """The table row for ``name`` (its name then two spaces), or None."""
    return next((r for r in stdout.splitlines() if r.startswith(name + "  ")), None)
