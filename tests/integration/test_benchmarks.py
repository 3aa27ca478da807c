"""The benchmarks run, and their limits keep the promises they are measured for.

No timing is asserted: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from secheaders_wsgi import SecureHeaders
from tests.integration.bench_support import (
    BENCHMARKS,
    benchmark_modules,
    row,
    run_benchmark,
)


@pytest.fixture(scope="module")
def bench() -> Iterator[dict[str, ModuleType]]:
    with benchmark_modules("limits", "overhead", "promises") as modules:
        yield modules


def _limit(
    bench: dict[str, ModuleType], change: Callable[[Any], Any] = lambda r: r
) -> Callable[[Any, Any], Any]:
    """A maker of the promise-keeping limit, its recording passed through ``change``."""
    limits = bench["limits"]
    return lambda app, config: limits.keeps_promises(app, change(limits.record(config)))


def test_secureheaders_keeps_every_promise_the_checker_knows(
    bench: dict[str, ModuleType],
) -> None:
    promises = bench["promises"]
    make = SecureHeaders
    assert promises.broken_promises(make) == []
    assert promises.pass_through(make) == []


def test_the_promise_keeping_limit_keeps_them(bench: dict[str, ModuleType]) -> None:
    promises = bench["promises"]
    assert promises.broken_promises(_limit(bench)) == []
    assert promises.pass_through(_limit(bench)) == []


def test_the_append_only_reference_breaks_them(bench: dict[str, ModuleType]) -> None:
    limits, promises = bench["limits"], bench["promises"]
    broken = promises.broken_promises(
        lambda app, config: limits.append_only(
            app, list(limits.record(config).http.headers)
        )
    )
    assert any("an app-set header wins (content-security-policy" in b for b in broken)
    assert any("secheaders.csp_nonce" in b for b in broken)
    assert any("HSTS over https as configured" in b for b in broken)


def _no_watch(recorded: Any) -> Any:
    # The fast path then appends ours whatever the app set.
    side = dataclasses.replace(recorded.http, watch=frozenset())
    return dataclasses.replace(recorded, http=side)


def _https_everywhere(recorded: Any) -> Any:
    return dataclasses.replace(recorded, http=recorded.https)


def _eval_flipped(recorded: Any) -> Any:
    return dataclasses.replace(recorded, unsafe_eval=not recorded.unsafe_eval)


def _no_cache_control(recorded: Any) -> Any:
    return dataclasses.replace(
        recorded, http=dataclasses.replace(recorded.http, with_nonce=())
    )


@pytest.mark.parametrize(
    ("change", "promise"),
    [
        pytest.param(_no_watch, "an app-set header wins", id="app-header-loses"),
        pytest.param(_https_everywhere, "HSTS only over https", id="hsts-over-http"),
        pytest.param(_eval_flipped, "secheaders.csp_unsafe_eval", id="environ-key"),
        pytest.param(
            _no_cache_control,
            "the nonce asked for is in the CSP, with Cache-Control",
            id="nonce-without-cache-control",
        ),
    ],
)
def test_a_limit_that_breaks_a_promise_is_caught(
    bench: dict[str, ModuleType], change: Callable[[Any], Any], promise: str
) -> None:
    broken = bench["promises"].broken_promises(_limit(bench, change))
    assert any(promise in b for b in broken), broken


def test_a_limit_that_leaves_a_cookie_insecure_is_caught(
    bench: dict[str, ModuleType], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The naive test: "secure" anywhere in the value, as in "id=insecure".
    monkeypatch.setattr(
        bench["limits"],
        "secure_cookie",
        lambda v: v if "secure" in v.lower() else v + "; Secure",
    )
    broken = bench["promises"].broken_promises(_limit(bench))
    assert any("every cookie kept and Secure once" in b for b in broken), broken


def test_overhead_quick_prints_every_variant_row(bench: dict[str, ModuleType]) -> None:
    stdout = run_benchmark("overhead.py", "--quick", "--samples", "2", "--number", "20")
    names = [v.name for v in bench["overhead"].variants()]
    assert len(names) >= 10
    for name in names:
        found = row(stdout, name)
        assert found is not None, f"no row for {name!r} in:\n{stdout}"
        # Either measured (a number in ns) or skipped with its reason.
        cells = found[len(name) :].split()
        assert cells[0] == "skipped" or cells[0].replace(",", "").isdigit(), found
    assert "defaults overhead / limit overhead:" in stdout


def test_overhead_k_keeps_what_a_row_is_measured_against(
    bench: dict[str, ModuleType],
) -> None:
    only = bench["overhead"]._matching("SecureHeaders nonce")
    chosen = {v.name for v in bench["overhead"].variants() if only(v)}
    assert chosen == {
        "bare",
        "limit: nonce used",
        "SecureHeaders nonce used",
        "SecureHeaders nonce used, after plain pages",
    }


def test_served_quick_measures_bare_limit_and_wrapped() -> None:
    stdout = run_benchmark("served.py", "--quick", "--client", "python", "--json")
    result = json.loads(stdout)
    assert set(result["ratio_to_bare"]) == {"bare", "limit", "wrapped"}
    assert all(rps > 0 for rps in result["median_rps"].values())


def test_report_writes_the_results_file(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    run_benchmark("report.py", "--quick", "--no-served", "-o", str(out))
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmark results")
    assert "| defaults overhead / limit overhead |" in text
    assert "| append only (breaks the promises) |" in text


def test_compare_runs_this_checkout_against_another() -> None:
    # Against itself: the smoke test needs no second checkout.
    stdout = run_benchmark(
        "compare.py",
        str(BENCHMARKS.parent),
        "--quick",
        "--samples",
        "2",
        "--number",
        "20",
    )
    assert "before: defaults" in stdout
    assert "defaults: after / before " in stdout


def test_hostile_inputs_runs_every_input_to_an_answer() -> None:
    # The rows, not their seconds: every config is refused with a short
    # ConfigError and every template scanned, none killed or crashed.
    stdout = run_benchmark("hostile_inputs.py", "--timeout", "60")
    with benchmark_modules("hostile_inputs") as modules:
        hostile = modules["hostile_inputs"]
        for name in hostile.CONFIGS:
            found = row(stdout, name)
            assert found is not None and " ConfigError, " in found, stdout
            assert int(found.split(" ConfigError, ")[1].split()[0]) < 400
        for name in hostile.TEMPLATES:
            found = row(stdout, name)
            assert found is not None and found.endswith(" blocks"), stdout
