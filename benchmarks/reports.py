"""Reports accepted per second per worker, and the CPU each costs.

Run it from the repository root::

    python benchmarks/reports.py            # 5 rounds x 2 s per app
    python benchmarks/reports.py --quick    # 1 round x 1 s
    python benchmarks/reports.py --json

Three gunicorn servers (sync worker, 1 worker) take POSTs of ten Reporting API
reports each, every one from a new origin, from two client threads:
``reports_app:bare`` answers 204 without reading the body (the server's own
cost), ``:sqlite`` runs the receiver with the SQLite sink and a rate limit the
load never reaches (every report parsed, normalized and stored), ``:bounded``
the same with the default bounds, as under a flood (most reports counted as
dropped). Figures: reports accepted per second per worker (median over
rounds) and the worker's CPU per report (``/proc/<pid>/stat``, the SQLite
writer thread included); the ratio to ``bare`` is what to compare across
machines.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from served import cpu_seconds, server

APPS = ("bare", "sqlite", "bounded")
PER_POST = 10
_COUNTER = itertools.count()


def body() -> bytes:
    post = next(_COUNTER)
    return json.dumps(
        [
            {
                "type": "csp-violation",
                "url": "https://site.example/page",
                "body": {
                    "documentURL": "https://site.example/page",
                    "effectiveDirective": "img-src",
                    "blockedURL": f"https://h{post}-{i}.example/a.png",
                    "disposition": "enforce",
                    "originalPolicy": "default-src 'self'",
                },
            }
            for i in range(PER_POST)
        ]
    ).encode()


def load(port: int, seconds: float, connections: int = 2) -> tuple[int, float]:
    """(reports sent, seconds taken): POSTs from ``connections`` threads."""
    counts = [0] * connections
    failures: list[BaseException] = []
    stop_at = time.monotonic() + seconds

    def worker(i: int) -> None:
        try:
            while time.monotonic() < stop_at:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                try:
                    connection.request(
                        "POST",
                        "/_/csp-reports",
                        body(),
                        {"Content-Type": "application/reports+json"},
                    )
                    response = connection.getresponse()
                    response.read()
                finally:
                    connection.close()
                if response.status != 204:
                    raise RuntimeError(f"status {response.status}")
                counts[i] += PER_POST
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 30)
    if failures:
        raise RuntimeError(f"client failed: {failures[0]!r}")
    return sum(counts), time.monotonic() - started


def run(rounds: int, seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        folder = Path(tmp)
        os.environ["REPORTS_DIR"] = tmp
        servers = {
            app: stack.enter_context(
                server(app, folder / f"{app}.log", [], module="reports_app")
            )
            for app in APPS
        }
        for port, _ in servers.values():  # warm-up
            load(port, 0.5)
        rates: dict[str, list[float]] = {app: [] for app in APPS}
        sent = dict.fromkeys(APPS, 0)
        before = {app: cpu_seconds(pid) for app, (_, pid) in servers.items()}
        for r in range(rounds):
            for app in APPS[r % 3 :] + APPS[: r % 3]:
                done, took = load(servers[app][0], seconds)
                rates[app].append(done / took)
                sent[app] += done
        cpu: dict[str, float | None] = {}
        for app, (_, pid) in servers.items():
            start, end = before[app], cpu_seconds(pid)
            cpu[app] = (
                None if start is None or end is None else (end - start) / sent[app]
            )
    rows = {
        app: {
            "reports_per_second": statistics.median(rates[app]),
            "cpu_us_per_report": None if cpu[app] is None else cpu[app] * 1e6,
        }
        for app in APPS
    }
    bare = rows["bare"]["cpu_us_per_report"]
    for row in rows.values():
        mine = row["cpu_us_per_report"]
        row["cpu_ratio_to_bare"] = None if not bare or mine is None else mine / bare
    return {"rounds": rounds, "seconds": seconds, "rows": rows}


def table(result: dict[str, Any]) -> str:
    heads = ("reports/s/worker", "CPU us/report", "CPU / bare")
    lines = [f"{'app':<9}  {heads[0]:>16}  {heads[1]:>13}  {heads[2]:>10}"]
    for app, row in result["rows"].items():
        cpu = row["cpu_us_per_report"]
        ratio = row["cpu_ratio_to_bare"]
        lines.append(
            f"{app:<9}  {row['reports_per_second']:>16,.0f}  "
            f"{'-' if cpu is None else f'{cpu:,.1f}':>13}  "
            f"{'-' if ratio is None else f'{ratio:.2f}x':>10}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 round x 1 s")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(rounds=1, seconds=1) if args.quick else run(rounds=5, seconds=2)
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
