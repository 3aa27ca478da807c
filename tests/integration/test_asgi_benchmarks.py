"""The ASGI benchmarks run, and the hand-written ASGI limit keeps the promises the
ASGI SecureHeaders keeps: the WSGI promise checker, through the test bridge.

No timing is asserted: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.asgi_bridge import AsgiAsWsgi, WsgiInAsgi, behind_asgi, run_async
from tests.integration.bench_support import benchmark_modules, row, run_benchmark


@pytest.fixture(scope="module")
def bench() -> Iterator[dict[str, ModuleType]]:
    with benchmark_modules("asgi_limits", "asgi_overhead", "limits", "promises") as m:
        yield m


def test_the_asgi_secureheaders_keeps_every_promise(
    bench: dict[str, ModuleType],
) -> None:
    assert bench["promises"].broken_promises(behind_asgi, stacked=False) == []


def test_the_hand_written_asgi_limit_keeps_them(bench: dict[str, ModuleType]) -> None:
    limits, asgi_limits = bench["limits"], bench["asgi_limits"]

    def make(app: Any, config: Any) -> Any:
        limit = asgi_limits.keeps_promises(WsgiInAsgi(app), limits.record(config))
        return AsgiAsWsgi(limit)

    assert bench["promises"].broken_promises(make, stacked=False) == []


def test_the_hand_written_asgi_limit_refuses_a_second_one_on_a_request(
    bench: dict[str, ModuleType],
) -> None:
    limits, asgi_limits = bench["limits"], bench["asgi_limits"]
    inner = asgi_limits.keeps_promises(asgi_limits.bare, limits.record())

    async def layer(scope: Any, receive: Any, send: Any) -> None:
        await inner(scope, receive, send)

    outer = asgi_limits.keeps_promises(layer, limits.record())
    scope = {"type": "http", "method": "GET", "path": "/", "headers": []}

    async def receive() -> Any:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        pass

    with pytest.raises(RuntimeError, match="two middlewares handle this request"):
        run_async(outer(scope, receive, send))


def test_a_limit_that_skips_the_cookies_is_caught(bench: dict[str, ModuleType]) -> None:
    limits, asgi_limits = bench["limits"], bench["asgi_limits"]
    real = asgi_limits.secure_cookie
    try:
        asgi_limits.secure_cookie = lambda value: value
        broken = bench["promises"].broken_promises(
            lambda app, config: AsgiAsWsgi(
                asgi_limits.keeps_promises(WsgiInAsgi(app), limits.record(config))
            )
        )
    finally:
        asgi_limits.secure_cookie = real
    assert any("cookie" in b for b in broken), broken


def test_asgi_overhead_quick_prints_every_row(bench: dict[str, ModuleType]) -> None:
    stdout = run_benchmark(
        "asgi_overhead.py", "--quick", "--samples", "2", "--number", "20"
    )
    for variant in bench["asgi_overhead"].variants():
        assert row(stdout, variant.name) is not None, (
            f"no row for {variant.name!r} in:\n{stdout}"
        )
    assert "ASGI defaults overhead / ASGI limit overhead:" in stdout
    assert "secure.py ASGI overhead / ASGI SecureHeaders defaults overhead" in stdout


def test_asgi_served_quick_measures_bare_limit_and_wrapped() -> None:
    result = json.loads(run_benchmark("asgi_served.py", "--quick", "--json"))
    assert set(result["ratio_to_bare"]) == {"bare", "limit", "wrapped"}
    assert all(rps > 0 for rps in result["median_rps"].values())


def test_report_has_the_asgi_section(tmp_path: Path) -> None:
    out = tmp_path / "RESULTS.md"
    run_benchmark("report.py", "--quick", "--no-served", "-o", str(out), timeout=180)
    text = out.read_text(encoding="utf-8")
    assert "## ASGI" in text
    assert "| ASGI defaults overhead / ASGI limit overhead |" in text
    assert "| secure.py SecureASGIMiddleware |" in text
