"""Requests per second through uvicorn: the bare ASGI app against the wrapped one.

Run it from the repository root::

    python benchmarks/asgi_served.py             # 8 rounds x 1 s per app
    python benchmarks/asgi_served.py --quick     # 1 round x 1 s
    python benchmarks/asgi_served.py --json

Three uvicorn servers (one process each, h11, no access log) listen on free
loopback ports, serving ``asgi_served_app:bare``, ``:limit`` (the hand-written
ASGI middleware, the same headers) and ``:wrapped``. The load generator of
``served.py`` (wrk when it is on PATH, otherwise a bounded Python client over
kept-alive connections, as uvicorn keeps them) runs
against them in turn, round after round; the ratios are medians over rounds of
(app / bare in the same round), so load from elsewhere cancels. The server
process's own CPU time per request is reported too: on a shared machine it is
the steadier number. The servers are always stopped.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from served import _free_port, _stop, _wait_listening, keep_alive_client, measure, wrk

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
APPS = ("bare", "limit", "wrapped")


@contextlib.contextmanager
def server(app: str, log: Path) -> Iterator[tuple[int, int]]:
    """Run uvicorn serving ``asgi_served_app:<app>``; yield (port, pid); stop it."""
    port = _free_port()
    cmd = [
        sys.executable, "-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
        "--no-access-log", "--log-level", "warning", "--http", "h11",
        "--app-dir", str(HERE), f"asgi_served_app:{app}",
    ]  # fmt: skip
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, start_new_session=True, stdout=out, stderr=out
        )
    try:
        _wait_listening(port, proc, log, "uvicorn")
        yield port, proc.pid
    finally:
        _stop(proc)


def run(
    quick: bool = False,
    rounds: int | None = None,
    seconds: float = 1.0,
    connections: int = 2,
    log: Any = lambda s: print(s, file=sys.stderr),
) -> dict[str, Any]:
    rounds = rounds or (1 if quick else 8)
    client = "wrk" if shutil.which("wrk") else "python"
    load = wrk if client == "wrk" else keep_alive_client
    with (
        tempfile.TemporaryDirectory(prefix="secheaders-asgi-served-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        servers = {
            app: stack.enter_context(server(app, Path(tmp) / f"{app}.log"))
            for app in APPS
        }
        rps, cpu_us = measure(servers, load, rounds, seconds, connections, [], log)

    def paired(app: str) -> list[float]:
        return [a / b for a, b in zip(rps[app], rps["bare"], strict=True)]

    bare_cpu = cpu_us["bare"]
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "client": client,
        "server": "uvicorn (h11), 1 process, 127.0.0.1",
        "rounds": rounds,
        "seconds": seconds,
        "connections": connections,
        "median_rps": {app: statistics.median(v) for app, v in rps.items()},
        "ratio_to_bare": {app: statistics.median(paired(app)) for app in APPS},
        "server_cpu_us_per_request": cpu_us,
        "cpu_ratio_to_bare": {
            app: None if not us or not bare_cpu else bare_cpu / us
            for app, us in cpu_us.items()
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 round")
    parser.add_argument("--rounds", type=int, help="rounds (default 8)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    result = run(quick=args.quick, rounds=args.rounds)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"# {result['date']} | {result['server']} | client {result['client']}")
    print(f"# {result['rounds']} rounds x {result['seconds']} s per app")
    print(
        f"{'app':<8} {'req/s':>8} {'/ bare':>7} {'cpu us/req':>11} {'cpu / bare':>11}"
    )
    for app in APPS:
        us = result["server_cpu_us_per_request"][app]
        ratio = result["cpu_ratio_to_bare"][app]
        print(
            f"{app:<8} {result['median_rps'][app]:>8,.0f} "
            f"{result['ratio_to_bare'][app]:>7.3f} "
            f"{'-' if us is None else format(us, '.1f'):>11} "
            f"{'-' if ratio is None else format(ratio, '.3f'):>11}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
