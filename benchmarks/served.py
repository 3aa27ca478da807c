"""Requests per second through gunicorn: the bare app against the wrapped one.

Run it from the repository root::

    python benchmarks/served.py             # 12 rounds x 1 s per app, ~45 s
    python benchmarks/served.py --quick     # 1 round x 1 s
    python benchmarks/served.py --json

Three gunicorn servers (sync worker, 1 worker) listen on free loopback ports,
serving ``served_app:bare``, ``:limit`` (the promise-keeping hand-written
middleware, the same headers) and ``:wrapped``. The load generator (wrk from
Debian when it is on PATH, otherwise a bounded Python client) runs against them
in turn, round after round, and the ratios are medians over rounds of (app /
bare, or wrapped / limit, in the same round), so load from elsewhere on the
machine cancels. The goal is against the limit: on a trivial app no middleware
that sends these headers keeps 97% of bare. The servers are always stopped.

Throughput on a shared machine is noisy; the worker's own CPU time per request
(``/proc/<pid>/stat``, summed over all rounds) is much less so, and its ratio
is what throughput would be if the worker were the only thing running.

The sync worker closes the connection after each response, so every request
includes a TCP connect: this is the cost a real deployment of that worker pays.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
APPS = ("bare", "limit", "wrapped")
RATIO = "served throughput, wrapped / limit"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _gunicorn() -> list[str]:
    exe = Path(sys.executable).with_name("gunicorn")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "gunicorn"]


@contextlib.contextmanager
def server(
    app: str, log: Path, prefix: list[str], module: str = "served_app"
) -> Iterator[tuple[int, int | None]]:
    """Run gunicorn serving ``<module>:<app>``; yield (port, worker pid); stop it."""
    port = _free_port()
    cmd = [
        *prefix,
        *_gunicorn(),
        "--workers=1",
        "--worker-class=sync",
        f"--bind=127.0.0.1:{port}",
        f"--chdir={ROOT}",
        f"--pythonpath={ROOT},{HERE}",
        "--log-level=warning",
        f"--error-logfile={log}",
        f"{module}:{app}",
    ]
    # Its own session: the master and its worker stop together, by their group.
    proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL)
    try:
        _wait_listening(port, proc, log)
        yield port, _worker_pid(proc.pid)
    finally:
        _stop(proc)


def _wait_listening(
    port: int, proc: subprocess.Popen[bytes], log: Path, name: str = "gunicorn"
) -> None:
    """Return once ``proc`` answers 200 on ``port``; raise, with its log, if not."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{name} exited: {log.read_text(errors='replace')}")
        try:
            status, _ = get(port)
            if status == 200:
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{name} did not answer on port {port} within 20 s")


def _worker_pid(master: int) -> int | None:
    """The one worker gunicorn forked, found by its parent id in /proc."""
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == master:
                return int(entry.name)
    return None


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of ``pid`` so far, or None where /proc is missing."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def get(port: int) -> tuple[int, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/")
        response = conn.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        conn.close()


def wrk(
    port: int, seconds: float, connections: int, prefix: list[str]
) -> tuple[int, float]:
    """(requests done, seconds taken) by wrk."""
    out = subprocess.run(
        [
            *prefix,
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            f"http://127.0.0.1:{port}/",
        ],
        capture_output=True,
        text=True,
        timeout=seconds + 30,
        check=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} error responses:\n{out}")
    match = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", out)
    if not match:
        raise RuntimeError(f"no request count in wrk output:\n{out}")
    unit = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[match.group(3)]
    return int(match.group(1)), float(match.group(2)) * unit


def python_client(
    port: int,
    seconds: float,
    connections: int,
    prefix: list[str],
    keep_alive: bool = False,
) -> tuple[int, float]:
    """A bounded client: ``connections`` threads doing GETs until time is up.

    With ``keep_alive`` each thread sends all its GETs over one connection (as
    uvicorn keeps them open); otherwise each GET opens its own (as gunicorn's
    sync worker closes them).
    """
    counts = [0] * connections
    failures: list[BaseException] = []
    stop_at = time.monotonic() + seconds

    def worker(i: int) -> None:
        kept = (
            http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            if keep_alive
            else None
        )
        try:
            while time.monotonic() < stop_at:
                status = get(port)[0] if kept is None else _status(kept)
                if status != 200:
                    raise RuntimeError(f"status {status}")
                counts[i] += 1
        except BaseException as exc:  # reported below, not lost in the thread
            failures.append(exc)
        finally:
            if kept is not None:
                kept.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 30)
    if failures:
        raise RuntimeError(f"client failed: {failures[0]!r}")
    return sum(counts), time.monotonic() - started


def keep_alive_client(
    port: int, seconds: float, connections: int, prefix: list[str]
) -> tuple[int, float]:
    """``python_client`` with one kept-alive connection per thread."""
    return python_client(port, seconds, connections, prefix, keep_alive=True)


def _status(connection: http.client.HTTPConnection) -> int:
    connection.request("GET", "/")
    response = connection.getresponse()
    response.read()
    return response.status


Load = Callable[[int, float, int, list[str]], tuple[int, float]]


def measure(
    servers: dict[str, tuple[int, int | None]],
    load: Load,
    rounds: int,
    seconds: float,
    connections: int,
    client_cpu: list[str],
    log: Any,
) -> tuple[dict[str, list[float]], dict[str, float | None]]:
    """Check, warm up and load every server, round after round.

    Returns requests per second per round and the server process's CPU
    microseconds per request (None where /proc is missing), by app.
    """
    # Check each serves what its name says before timing it.
    has_csp = {
        app: "content-security-policy" in {k.lower() for k in get(port)[1]}
        for app, (port, _) in servers.items()
    }
    if has_csp != {"bare": False, "limit": True, "wrapped": True}:
        raise RuntimeError(f"unexpected headers: CSP present {has_csp}")
    for port, _ in servers.values():  # warm-up
        load(port, 1, connections, client_cpu)
    apps = tuple(servers)
    rps: dict[str, list[float]] = {app: [] for app in apps}
    requests = dict.fromkeys(apps, 0)
    # Read once before and once after all rounds: CPU time comes in clock
    # ticks (10 ms), so per-round reads would add a tick of error each.
    # An idle sync worker wakes about once a second; that costs next to nothing.
    cpu_before = {app: cpu_seconds(pid) for app, (_, pid) in servers.items()}
    for r in range(rounds):
        # Rotate which goes first, so none always follows another.
        for app in apps[r % 3 :] + apps[: r % 3]:
            done, took = load(servers[app][0], seconds, connections, client_cpu)
            rps[app].append(done / took)
            requests[app] += done
            log(f"round {r + 1}/{rounds} {app}: {done / took:,.0f} req/s")
    cpu_us: dict[str, float | None] = {}
    for app, (_, pid) in servers.items():
        before, after = cpu_before[app], cpu_seconds(pid)
        cpu_us[app] = (
            None
            if before is None or after is None
            else (after - before) / requests[app] * 1e6
        )
    return rps, cpu_us


def run(
    quick: bool = False,
    rounds: int | None = None,
    seconds: float | None = None,
    connections: int = 2,
    client: str = "auto",
    pin: bool = False,
    log: Any = lambda s: print(s, file=sys.stderr),
) -> dict[str, Any]:
    """Serve, check and load every app; return the results as a dict."""
    # Many short rounds: a burst of load elsewhere spoils one pair, not the median.
    rounds = rounds or (1 if quick else 12)
    seconds = seconds or 1.0
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
    load = wrk if client == "wrk" else python_client
    # --pin: the server on one CPU, wrk on another, so they never trade places.
    pinned = pin and shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2
    server_cpu = ["taskset", "-c", "1"] if pinned else []
    client_cpu = ["taskset", "-c", "0"] if pinned else []
    with (
        tempfile.TemporaryDirectory(prefix="secheaders-served-") as tmp,
        contextlib.ExitStack() as stack,
    ):
        servers = {
            app: stack.enter_context(server(app, Path(tmp) / f"{app}.log", server_cpu))
            for app in APPS
        }
        rps, cpu_us = measure(
            servers, load, rounds, seconds, connections, client_cpu, log
        )

    def paired(app: str, base: str = "bare") -> list[float]:
        return [a / b for a, b in zip(rps[app], rps[base], strict=True)]

    bare_cpu = cpu_us["bare"]
    ratio = statistics.median(paired("wrapped", "limit"))
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "client": client,
        "server": "gunicorn, sync worker, 1 worker, 127.0.0.1",
        "rounds": rounds,
        "seconds": seconds,
        "connections": connections,
        "pinned": pinned,
        "rps": rps,
        "median_rps": {app: statistics.median(v) for app, v in rps.items()},
        "ratio_to_bare": {app: statistics.median(paired(app)) for app in APPS},
        "ratio_quartiles": {app: _quartiles(paired(app)) for app in APPS},
        "worker_cpu_us_per_request": cpu_us,
        # CPU-bound throughput relative to bare: bare's CPU per request / this one's.
        "cpu_ratio_to_bare": {
            app: None if not us or not bare_cpu else bare_cpu / us
            for app, us in cpu_us.items()
        },
        "ratio": ratio,
        "target": {"goal": ">= 0.97", "met": ratio >= 0.97},
    }


def _quartiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0], values[0])
    q = statistics.quantiles(values, n=4)
    return (q[0], q[2])


NAMES = {
    "bare": "bare",
    "limit": "limit: keeps the promises",
    "wrapped": "SecureHeaders defaults",
}


def table(result: dict[str, Any], markdown: bool = False) -> str:
    head = (
        "app under gunicorn",
        "requests/s",
        "x bare",
        "x bare quartiles",
        "worker CPU us/req",
        "x bare by CPU",
    )

    def num(value: float | None, spec: str) -> str:
        return "-" if value is None else format(value, spec)

    rows = [
        (
            NAMES[app],
            f"{result['median_rps'][app]:,.0f}",
            f"{result['ratio_to_bare'][app]:.3f}",
            "{:.3f} - {:.3f}".format(*result["ratio_quartiles"][app]),
            num(result["worker_cpu_us_per_request"][app], ".1f"),
            num(result["cpu_ratio_to_bare"][app], ".3f"),
        )
        for app in APPS
    ]
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|---" + "|--:" * 5 + "|"]
        return "\n".join([*out, *("| " + " | ".join(r) + " |" for r in rows)])
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    return "\n".join(
        "  ".join(
            f"{c:{'<' if i == 0 else '>'}{w}}"
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in [head, *rows]
    )


def header(result: dict[str, Any]) -> str:
    return (
        f"{result['server']}; {result['client']}, {result['connections']} "
        f"connections, {result['rounds']} rounds x {result['seconds']:g} s per app, "
        f"interleaved" + (", pinned to CPUs" if result["pinned"] else "")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 round x 1 s")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--rounds", type=int, help="rounds per app (default 12)")
    parser.add_argument("--seconds", type=float, help="seconds per run (default 1)")
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--pin", action="store_true", help="taskset server and client")
    args = parser.parse_args(argv)
    result = run(
        args.quick, args.rounds, args.seconds, args.connections, args.client, args.pin
    )
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"# {result['date']} | {header(result)}")
    print(table(result))
    met = "met" if result["target"]["met"] else "MISSED"
    print(f"\n{RATIO}: {result['ratio']:.3f} (goal >= 0.97): {met}")
    print(cpu_text(result))
    return 0


def cpu_text(result: dict[str, Any]) -> str:
    """The CPU view: against the limit, and what the limit itself costs."""
    us = result["worker_cpu_us_per_request"]
    if None in us.values():
        return "worker CPU: not measured (no /proc)"
    ratio = us["limit"] / us["wrapped"]
    met = "met" if ratio >= 0.97 else "MISSED"
    return (
        f"worker CPU, limit / wrapped: {ratio:.3f} (goal >= 0.97): {met}\n"
        f"worker CPU, bare / wrapped: {us['bare'] / us['wrapped']:.3f}; "
        f"the limit (the headers sent, the promises kept) costs "
        f"{us['limit'] - us['bare']:.1f} us/req in the worker, SecureHeaders "
        f"beyond that {us['wrapped'] - us['limit']:.1f}"
    )


if __name__ == "__main__":
    raise SystemExit(main())
