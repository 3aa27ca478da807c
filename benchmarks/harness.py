"""The timing harness: the apps under test, the environ, the interleaved rounds.

Every variant is a WSGI application called directly with a prepared environ and
a no-op ``start_response``; the body is consumed and ``close()`` called, as a
server would. Samples of each variant are interleaved round by round, so a burst
of load from another process hits every variant alike, and the overhead of a
variant is the median over rounds of (variant - its bare app) in the same round.
"""

from __future__ import annotations

import gc
import io
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# Measure the checkout this file lives in, not whatever is installed: every
# benchmark module imports this one before the package.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Header = tuple[str, str]

BODY = b"<!doctype html><title>hi</title><p>Hello, world.</p>\n"
APP_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Length", str(len(BODY))),
]
COOKIES = [
    ("Set-Cookie", "session=abc123; Path=/; HttpOnly"),
    ("Set-Cookie", "csrftoken=def456; Path=/; SameSite=Lax"),
]
NONCE_KEY = "secheaders.csp_nonce"
#: Differences smaller than this, measured on a 35 us framework call, are noise.
NOISE_NS = 50


class Skip(Exception):
    """A variant that cannot run here (a peer not installed); the message says why."""


# The applications under the middlewares ------------------------------------


def trivial_app(
    environ: dict[str, Any], start_response: Callable[..., Any]
) -> list[bytes]:
    start_response("200 OK", list(APP_HEADERS))
    return [BODY]


def cookie_app(
    environ: dict[str, Any], start_response: Callable[..., Any]
) -> list[bytes]:
    start_response("200 OK", [*APP_HEADERS, *COOKIES])
    return [BODY]


def nonce_app(
    environ: dict[str, Any], start_response: Callable[..., Any]
) -> list[bytes]:
    # What a template does: ask for the nonce before the headers leave.
    environ[NONCE_KEY]()
    start_response("200 OK", list(APP_HEADERS))
    return [BODY]


def base_environ(**extra: Any) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "localhost",
        "HTTP_USER_AGENT": "bench",
        "HTTP_ACCEPT": "text/html",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    environ.update(extra)
    return environ


def _write(data: bytes) -> None:
    pass


def _start_response(
    status: str, response_headers: list[Header], exc_info: Any = None
) -> Any:
    return _write


def one_response(app: WSGIApp, environ: dict[str, Any]) -> tuple[str, list[Header]]:
    """Status and headers of one call, the body consumed and closed."""
    seen: list[Any] = []

    def start_response(
        status: str, response_headers: list[Header], exc_info: Any = None
    ) -> Any:
        seen[:] = [status, list(response_headers)]
        return _write

    body = app(dict(environ), start_response)
    try:
        for _chunk in body:
            pass
    finally:
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return seen[0], seen[1]


def _sample(app: WSGIApp, environ: dict[str, Any], number: int) -> float:
    """Mean ns per request over ``number`` calls, each with a copy of ``environ``.

    A server sends a new environ with every request (PEP 3333); a middleware
    may find the last request's keys in one used again, and frameworks cache
    objects in it. The copy costs every row alike, and the bare row's too.
    """
    start_response = _start_response
    loop = range(number)
    t0 = time.perf_counter_ns()
    for _ in loop:
        body = app(environ.copy(), start_response)
        for _chunk in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return (time.perf_counter_ns() - t0) / number


# Variants and their rows ----------------------------------------------------


@dataclass
class Variant:
    """One row of the table.

    ``build`` returns the WSGI app (or raises :class:`Skip`); ``group`` names the
    bare variant it is measured against, ``limit`` the one its ratio divides by.
    ``check`` gets the response headers of one call, to make sure the variant
    does what its name says before it is timed.
    """

    name: str
    build: Callable[[], WSGIApp]
    group: str = "bare"
    limit: str | None = None
    environ: dict[str, Any] = field(default_factory=dict)
    #: A framework's row: its calls take ~100x a trivial one, so fewer per sample.
    framework: bool = False
    check: Callable[[list[Header]], None] | None = None
    note: str = ""


@dataclass
class Row:
    name: str
    group: str
    limit: str | None
    note: str
    skipped: str | None = None
    ns: float | None = None
    overhead_ns: float | None = None
    ratio: float | None = None
    samples: list[float] = field(default_factory=list)


def run(
    chosen: list[Variant],
    quick: bool = False,
    samples: int | None = None,
    number: int | None = None,
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr),
) -> tuple[dict[str, Any], dict[str, Row]]:
    """Build, check and time ``chosen``: the run's facts and its rows by name."""
    samples = samples or (5 if quick else 30)
    number = number or (200 if quick else 2000)
    rows: dict[str, Row] = {}
    ready: list[tuple[Variant, WSGIApp, dict[str, Any], int]] = []
    for v in chosen:
        row = rows[v.name] = Row(v.name, v.group, v.limit, v.note)
        try:
            app = v.build()
        except Skip as exc:
            row.skipped = str(exc)
            log(f"skip: {v.name}: {exc}")
            continue
        environ = base_environ(**v.environ)
        if v.check is not None:
            status, response_headers = one_response(app, environ)
            v.check(response_headers)
        n = max(10, number // 5) if v.framework else number
        ready.append((v, app, environ, n))
    for _ in range(2):  # warm-up
        for _v, app, environ, n in ready:
            _sample(app, environ, n)
    # Other processes on the machine are the noise; say how many there were.
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    started = time.perf_counter()
    _rounds(ready, rows, samples)
    elapsed = time.perf_counter() - started
    _summarise(rows)
    facts = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "samples": samples,
        "number": number,
        "seconds": round(elapsed, 1),
        "load": load,
        "rows": [
            {k: v for k, v in vars(row).items() if k != "samples"}
            for row in rows.values()
        ],
    }
    return facts, rows


def _rounds(
    ready: list[tuple[Variant, WSGIApp, dict[str, Any], int]],
    rows: dict[str, Row],
    samples: int,
) -> None:
    gc_was_enabled = gc.isenabled()
    try:
        for r in range(samples):
            # Rotate the order each round so no variant always runs first.
            order = ready[r % len(ready) :] + ready[: r % len(ready)] if ready else []
            for v, app, environ, n in order:
                gc.collect()
                gc.disable()
                try:
                    rows[v.name].samples.append(_sample(app, environ, n))
                finally:
                    if gc_was_enabled:
                        gc.enable()
    finally:
        if gc_was_enabled:
            gc.enable()


def _summarise(rows: dict[str, Row]) -> None:
    for row in rows.values():
        if row.samples:
            row.ns = statistics.median(row.samples)
            base = rows.get(row.group)
            if base is not None and base.samples and base is not row:
                # Paired by round: drift between rounds cancels.
                diffs = [a - b for a, b in zip(row.samples, base.samples, strict=True)]
                row.overhead_ns = statistics.median(diffs)
    for row in rows.values():
        ref = rows.get(row.limit) if row.limit else None
        # A limit lost in the noise (after a framework's ~35 us it can measure
        # near or below zero) makes any ratio to it meaningless: leave it out.
        if row.overhead_ns is not None and ref is not None and ref.overhead_ns:
            if ref.overhead_ns >= NOISE_NS and row.overhead_ns >= 0:
                row.ratio = row.overhead_ns / ref.overhead_ns


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"{platform.python_implementation()} {platform.python_version()}"
    )


# Output ---------------------------------------------------------------------


def _fmt(value: float | None, spec: str, suffix: str = "") -> str:
    return "-" if value is None else format(value, spec) + suffix


def table(result: dict[str, Any], markdown: bool = False) -> str:
    head = ("variant", "ns/req", "overhead ns", "x limit", "note")
    lines = []
    for row in result["rows"]:
        if row["skipped"]:
            cells = (row["name"], "skipped", "", "", row["skipped"])
        else:
            cells = (
                row["name"],
                _fmt(row["ns"], ",.0f"),
                _fmt(row["overhead_ns"], ",.0f"),
                _fmt(row["ratio"], ".2f", "x"),
                row["note"],
            )
        lines.append(cells)
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|---|--:|--:|--:|---|"]
        out += ["| " + " | ".join(c) + " |" for c in lines]
        return "\n".join(out)
    widths = [max(len(c[i]) for c in [head, *lines]) for i in range(len(head))]
    fmt = "  ".join(
        f"{{:{'<' if i in (0, 4) else '>'}{w}}}" for i, w in enumerate(widths)
    )
    return "\n".join(fmt.format(*c).rstrip() for c in [head, *lines])


def overhead_ratio(rows: dict[str, Row], a: str, b: str) -> float | None:
    """Row ``a``'s overhead over row ``b``'s, or None where either is missing."""
    x, y = rows.get(a), rows.get(b)
    if x is None or y is None or x.overhead_ns is None or not y.overhead_ns:
        return None
    return x.overhead_ns / y.overhead_ns


def target(
    what: str, value: float | None, goal: str, ok: Callable[[float], bool]
) -> dict[str, Any]:
    """One goal as the results carry it; ``met`` is None where nothing was measured."""
    return {
        "target": what,
        "value": None if value is None else round(value, 2),
        "goal": goal,
        "met": None if value is None else ok(value),
    }


def targets_text(result: dict[str, Any], markdown: bool = False) -> str:
    out = []
    for t in result["targets"]:
        met = {True: "met", False: "MISSED", None: "not measured"}[t["met"]]
        value = "-" if t["value"] is None else f"{t['value']:.2f}"
        if markdown:
            out.append(f"| {t['target']} | {value} | {t['goal']} | {met} |")
        else:
            out.append(f"{t['target']}: {value} (goal {t['goal']}): {met}")
    if markdown:
        out = ["| target | measured | goal | |", "|---|--:|---|---|", *out]
    return "\n".join(out)


def print_result(
    result: dict[str, Any], as_json: bool, calls_note: str = "", show_load: bool = False
) -> None:
    """What the overhead CLIs print: the JSON, or a heading, the table and targets."""
    if as_json:
        print(json.dumps(result, indent=2))
        return
    load = f" | load {result['load']}" if show_load else ""
    print(f"# {result['date']} | {result['machine']}{load}")
    print(
        f"# {result['samples']} interleaved samples x {result['number']} calls"
        f"{calls_note}; medians; {result['seconds']} s"
    )
    print(table(result))
    print()
    print(targets_text(result))
