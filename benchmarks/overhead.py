"""What ``SecureHeaders`` costs per request, in process, against the limit and peers.

Run it from the repository root::

    python benchmarks/overhead.py            # full run, about a minute
    python benchmarks/overhead.py --quick    # smoke run, a few seconds
    python benchmarks/overhead.py --json     # machine-readable

Every variant is a WSGI application called directly with a prepared environ and
a no-op ``start_response``; the body is consumed and ``close()`` called, as a
server would. Samples of each variant are interleaved round by round, so a burst
of load from another process hits every variant alike, and the overhead of a
variant is the median over rounds of (variant - its bare app) in the same round.

"limit" is a hand-written middleware that appends a precomputed list of the
same headers and does nothing else: the cost floor of this design. The ratio
column is a variant's overhead divided by its limit's overhead.

Variants for features that have not landed yet (nonces, per-path rules) are
skipped with a note, so the same file keeps working as they arrive. To add a
variant, append a :class:`Variant` in :func:`variants`.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import secrets
import statistics
import sys
import time
import types
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

# Measure the checkout this file lives in, not whatever is installed.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import secheaders_wsgi  # noqa: E402
from secheaders_wsgi import ConfigError, SecureHeaders, load_config  # noqa: E402
from secheaders_wsgi.policy import csp_directives, headers  # noqa: E402

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
RULES = 1000
LIMIT = "limit: append a precomputed list"
#: Differences smaller than this, measured on a 35 us framework call, are noise.
NOISE_NS = 50


class Skip(Exception):
    """A variant that cannot run here; the message says why."""


# --------------------------------------------------------------------------
# The applications under the middlewares
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# The hand-written limits
# --------------------------------------------------------------------------


def limit(app: WSGIApp, extra: Iterable[Header]) -> WSGIApp:
    """Append a precomputed list; no case-insensitive check, no cookies."""
    ours = list(extra)

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def _start_response(
            status: str, app_headers: list[Header], exc_info: Any = None
        ) -> Any:
            return start_response(status, app_headers + ours, exc_info)

        return app(environ, _start_response)

    return middleware


def limit_app_wins(app: WSGIApp, extra: Iterable[Header]) -> WSGIApp:
    """The limit plus the contract's one rule: an app-set header wins (no case)."""
    ours = tuple((name.lower(), (name, value)) for name, value in extra)

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def _start_response(
            status: str, app_headers: list[Header], exc_info: Any = None
        ) -> Any:
            present = {name.lower() for name, _ in app_headers}
            merged = app_headers + [h for low, h in ours if low not in present]
            return start_response(status, merged, exc_info)

        return app(environ, _start_response)

    return middleware


def limit_secured(app: WSGIApp, extra: Iterable[Header]) -> WSGIApp:
    """The limit for ``server_secured``: https scheme, Secure cookies, headers."""
    ours = list(extra)

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        environ["wsgi.url_scheme"] = "https"

        def _start_response(
            status: str, app_headers: list[Header], exc_info: Any = None
        ) -> Any:
            merged = [
                (n, v + "; Secure")
                if n.lower() == "set-cookie" and "secure" not in v.lower()
                else (n, v)
                for n, v in app_headers
            ]
            return start_response(status, merged + ours, exc_info)

        return app(environ, _start_response)

    return middleware


def limit_nonce(app: WSGIApp, extra: Iterable[Header]) -> WSGIApp:
    """The limit of issue 3's design: a lazy nonce, refused once headers are out.

    With a nonce, the CSP carries it in script-src and style-src and
    ``Cache-Control: private`` goes along (a shared cache must not replay it).
    """
    extra = list(extra)
    csp = next(v for n, v in extra if n == "Content-Security-Policy")
    rest = [h for h in extra if h[0] != "Content-Security-Policy"]
    rest.append(("Cache-Control", "private"))
    # The CSP split around the two places the nonce goes, once: nonce.join(parts).
    mark = "\0"
    parts = "; ".join(
        f"{d} 'nonce-{mark}'"
        if d.split(" ", 1)[0] in ("script-src", "style-src")
        else d
        for d in csp.split("; ")
    ).split(mark)

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        made: list[str] = []
        sent: list[bool] = []

        def nonce() -> str:
            if not made:
                if sent:
                    raise RuntimeError("nonce asked for after start_response")
                made.append(secrets.token_urlsafe(18))  # as issue 3: 144 bits
            return made[0]

        environ[NONCE_KEY] = nonce

        def _start_response(
            status: str, app_headers: list[Header], exc_info: Any = None
        ) -> Any:
            sent.append(True)
            if made:
                value = made[0].join(parts)
                merged = [*app_headers, ("Content-Security-Policy", value), *rest]
            else:
                merged = app_headers + extra
            return start_response(status, merged, exc_info)

        return app(environ, _start_response)

    return middleware


# --------------------------------------------------------------------------
# Variants
# --------------------------------------------------------------------------


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
    limit: str | None = LIMIT
    environ: dict[str, Any] = field(default_factory=dict)
    copy_environ: bool = False
    check: Callable[[list[Header]], None] | None = None
    note: str = ""


def _ours(config: Any = None) -> tuple[Header, ...]:
    return headers(load_config(config), https=False)


def _has(*names: str) -> Callable[[list[Header]], None]:
    def check(response_headers: list[Header]) -> None:
        got = {n.lower() for n, _ in response_headers}
        missing = [n for n in names if n.lower() not in got]
        if missing:
            raise AssertionError(f"missing {missing} in {response_headers}")

    return check


def _check_nonce(response_headers: list[Header]) -> None:
    csp = dict(response_headers).get("Content-Security-Policy", "")
    if csp.count("'nonce-") != 2:
        raise AssertionError(f"no nonce in script-src and style-src: {csp!r}")


def _check_secure_cookies(response_headers: list[Header]) -> None:
    cookies = [v for n, v in response_headers if n.lower() == "set-cookie"]
    if len(cookies) != 2 or not all("secure" in v.lower() for v in cookies):
        raise AssertionError(f"cookies not kept and secured: {cookies}")
    _has("Strict-Transport-Security")(response_headers)


def forty_directives() -> dict[str, list[str]]:
    """A custom policy of 40 directives, several sources each."""
    from secheaders_wsgi.config.csp_grammar import (
        BARE_DIRECTIVES,
        SOURCE_LIST_DIRECTIVES,
    )

    policy: dict[str, list[str]] = {
        name: ["'self'", f"https://cdn{i}.example.com", "*.gstatic.com"]
        for i, name in enumerate(SOURCE_LIST_DIRECTIVES)
        if name != "frame-ancestors"
    }
    policy["frame-ancestors"] = ["'self'", "https://partner.example.com"]
    policy.update({name: [] for name in BARE_DIRECTIVES})
    i = 0
    while len(policy) < 40:  # directives this version does not know: sent as written
        policy[f"x-bench-{i:02d}"] = ["https://bench.example.com"]
        i += 1
    return policy


def _build_forty() -> WSGIApp:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unknown-directive warning
        config = load_config(
            {
                "csp_header": forty_directives(),
                "csp_unsafe_inline": True,
                "csp_unsafe_eval": True,
            }
        )
    return SecureHeaders(trivial_app, config)


def _needs_nonce(build: Callable[[], WSGIApp]) -> WSGIApp:
    # A nonce only goes into the header without 'unsafe-inline': hence the config.
    if not hasattr(secheaders_wsgi, "csp_nonce"):
        raise Skip("no secheaders_wsgi.csp_nonce yet (issue 3)")
    return build()


def _paths_config(rules: int) -> dict[str, Any]:
    return {
        "paths": [
            {"prefix": f"/p{i:04d}/", "referrer_policy": "no-referrer"}
            for i in range(RULES - rules, RULES)
        ]
    }


def _build_paths(rules: int) -> WSGIApp:
    try:
        config = load_config(_paths_config(rules))
    except ConfigError as exc:
        first = str(exc).split(".")[0]
        raise Skip(
            f"load_config does not accept 'paths' yet (issue 4): {first}"
        ) from None
    return SecureHeaders(trivial_app, config)


def _check_paths(response_headers: list[Header]) -> None:
    if dict(response_headers).get("Referrer-Policy") != "no-referrer":
        raise AssertionError(f"the per-path rule was not applied: {response_headers}")


# Peers ---------------------------------------------------------------------


def _secure_py() -> WSGIApp:
    try:
        import secure
        from secure.middleware import SecureWSGIMiddleware
    except ImportError:
        raise Skip("secure not installed (pip install -e '.[bench]')") from None
    ours = dict(_ours())
    # The same four headers as our defaults, through secure's own builders.
    config = secure.Secure(
        csp=secure.ContentSecurityPolicy().set(ours["Content-Security-Policy"]),
        xcto=secure.XContentTypeOptions().nosniff(),
        referrer=secure.ReferrerPolicy().strict_origin_when_cross_origin(),
        custom=[secure.CustomHeader("X-XSS-Protection", ours["X-XSS-Protection"])],
    )
    return SecureWSGIMiddleware(trivial_app, secure=config)


def _flask_app() -> Any:
    try:
        import flask
    except ImportError:
        raise Skip("flask not installed") from None
    app = flask.Flask("bench")

    @app.route("/")
    def index() -> bytes:
        return BODY

    return app


def _flask_talisman() -> WSGIApp:
    app = _flask_app()
    try:
        from flask_talisman import Talisman  # type: ignore[import-untyped]
    except ImportError:
        raise Skip("flask-talisman not installed (pip install -e '.[bench]')") from None
    policy = {
        name: " ".join(sources) for name, sources in csp_directives(load_config()) or ()
    }
    # force_https off: a redirect is not the response being compared.
    Talisman(app, force_https=False, content_security_policy=policy)
    return cast(WSGIApp, app)


_DJANGO_URLS = "secheaders_bench_urls"


def _django_handler(middleware: list[str]) -> WSGIApp:
    try:
        import django  # type: ignore[import-untyped]
        from django.conf import settings  # type: ignore[import-untyped]
        from django.core.handlers.wsgi import (  # type: ignore[import-untyped]
            WSGIHandler,
        )
        from django.http import HttpResponse  # type: ignore[import-untyped]
        from django.urls import path  # type: ignore[import-untyped]
    except ImportError:
        raise Skip("django not installed") from None
    if not settings.configured:
        urls = types.ModuleType(_DJANGO_URLS)
        urls.urlpatterns = [  # type: ignore[attr-defined]
            path("", lambda request: HttpResponse(BODY)),
        ]
        sys.modules[_DJANGO_URLS] = urls
        settings.configure(
            DEBUG=False,
            SECRET_KEY="benchmark-only",
            ALLOWED_HOSTS=["*"],
            ROOT_URLCONF=_DJANGO_URLS,
            MIDDLEWARE=[],
            INSTALLED_APPS=[],
            USE_TZ=True,
            LOGGING_CONFIG=None,
        )
        django.setup()
    # The handler reads MIDDLEWARE when it is built, so one settings object serves both.
    settings.MIDDLEWARE = middleware
    return cast(WSGIApp, WSGIHandler())


SECURITY_MIDDLEWARE = "django.middleware.security.SecurityMiddleware"


def variants() -> list[Variant]:
    defaults = _ours()
    secured = headers(load_config({"server_secured": True}), https=True)
    strict = _ours({"csp_unsafe_inline": False})
    csp = "Content-Security-Policy"
    return [
        # The trivial app.
        Variant("bare", lambda: trivial_app, limit=None),
        Variant(LIMIT, lambda: limit(trivial_app, defaults), check=_has(csp)),
        Variant(
            "limit + app-set header wins (no case)",
            lambda: limit_app_wins(trivial_app, defaults),
            check=_has(csp),
            note="informational: the contract's cheapest form",
        ),
        Variant(
            "SecureHeaders defaults",
            lambda: SecureHeaders(trivial_app),
            check=_has(csp),
        ),
        Variant("SecureHeaders 40-directive policy", _build_forty, check=_has(csp)),
        Variant(
            "limit: nonce used",
            lambda: _needs_nonce(lambda: limit_nonce(nonce_app, strict)),
            check=_check_nonce,
        ),
        Variant(
            "SecureHeaders nonce used",
            lambda: _needs_nonce(
                lambda: SecureHeaders(nonce_app, {"csp_unsafe_inline": False})
            ),
            limit="limit: nonce used",
            check=_check_nonce,
        ),
        Variant(
            "SecureHeaders 1 per-path rule",
            lambda: _build_paths(1),
            environ={"PATH_INFO": f"/p{RULES - 1:04d}/page"},
            check=_check_paths,
        ),
        Variant(
            f"SecureHeaders {RULES:,} per-path rules",
            lambda: _build_paths(RULES),
            environ={"PATH_INFO": f"/p{RULES - 1:04d}/page"},
            check=_check_paths,
        ),
        Variant(
            "secure.py SecureWSGIMiddleware",
            _secure_py,
            check=_has(csp),
            note="peer, same four headers",
        ),
        # server_secured with two cookies: its own bare app and limit.
        Variant(
            "bare + 2 cookies", lambda: cookie_app, group="bare + 2 cookies", limit=None
        ),
        Variant(
            "limit: secured + 2 cookies",
            lambda: limit_secured(cookie_app, secured),
            group="bare + 2 cookies",
            check=_check_secure_cookies,
        ),
        Variant(
            "SecureHeaders secured + 2 cookies",
            lambda: SecureHeaders(cookie_app, {"server_secured": True}),
            group="bare + 2 cookies",
            limit="limit: secured + 2 cookies",
            check=_check_secure_cookies,
        ),
        # Frameworks: each against its own bare app, environ copied per request.
        Variant(
            "Flask bare", _flask_app, group="Flask bare", limit=None, copy_environ=True
        ),
        Variant(
            "Flask + limit",
            lambda: limit(_flask_app(), defaults),
            group="Flask bare",
            copy_environ=True,
            check=_has(csp),
            note="the limit, measured after the framework's work",
        ),
        Variant(
            "Flask + SecureHeaders",
            lambda: SecureHeaders(_flask_app()),
            group="Flask bare",
            limit="Flask + limit",
            copy_environ=True,
            check=_has(csp),
        ),
        Variant(
            "Flask + Flask-Talisman",
            _flask_talisman,
            group="Flask bare",
            copy_environ=True,
            check=_has(csp),
            note="peer",
        ),
        Variant(
            "Django bare",
            lambda: _django_handler([]),
            group="Django bare",
            limit=None,
            copy_environ=True,
        ),
        Variant(
            "Django + limit",
            lambda: limit(_django_handler([]), defaults),
            group="Django bare",
            copy_environ=True,
            check=_has(csp),
            note="the limit, measured after the framework's work",
        ),
        Variant(
            "Django + SecureHeaders",
            lambda: SecureHeaders(_django_handler([])),
            group="Django bare",
            limit="Django + limit",
            copy_environ=True,
            check=_has(csp),
        ),
        Variant(
            "Django + SecurityMiddleware",
            lambda: _django_handler([SECURITY_MIDDLEWARE]),
            group="Django bare",
            copy_environ=True,
            check=_has("X-Content-Type-Options"),
            note="peer, 3 headers, no CSP",
        ),
    ]


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------


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


def _one_response(app: WSGIApp, environ: dict[str, Any]) -> tuple[str, list[Header]]:
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


def _sample(app: WSGIApp, environ: dict[str, Any], number: int, copy: bool) -> float:
    """Mean ns per request over ``number`` calls."""
    start_response = _start_response
    loop = range(number)
    if copy:  # frameworks may cache objects in the environ; a server sends a new one
        t0 = time.perf_counter_ns()
        for _ in loop:
            body = app(environ.copy(), start_response)
            for _chunk in body:
                pass
            close = getattr(body, "close", None)
            if close is not None:
                close()
        return (time.perf_counter_ns() - t0) / number
    t0 = time.perf_counter_ns()
    for _ in loop:
        body = app(environ, start_response)
        for _chunk in body:
            pass
        close = getattr(body, "close", None)
        if close is not None:
            close()
    return (time.perf_counter_ns() - t0) / number


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
    quick: bool = False,
    samples: int | None = None,
    number: int | None = None,
    only: Callable[[Variant], bool] | None = None,
    log: Callable[[str], None] = lambda s: print(s, file=sys.stderr),
) -> dict[str, Any]:
    """Build, check and time every variant; return the results as a dict."""
    samples = samples or (5 if quick else 30)
    number = number or (200 if quick else 2000)
    chosen = [v for v in variants() if only is None or only(v)]
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
            status, response_headers = _one_response(app, environ)
            v.check(response_headers)
        # Framework calls take ~100x a trivial call: fewer per sample.
        n = max(10, number // 5) if v.copy_environ else number
        ready.append((v, app, environ, n))
    for _ in range(2):  # warm-up
        for v, app, environ, n in ready:
            _sample(app, environ, n, v.copy_environ)
    gc_was_enabled = gc.isenabled()
    started = time.perf_counter()
    try:
        for r in range(samples):
            # Rotate the order each round so no variant always runs first.
            order = ready[r % len(ready) :] + ready[: r % len(ready)] if ready else []
            for v, app, environ, n in order:
                gc.collect()
                gc.disable()
                try:
                    rows[v.name].samples.append(
                        _sample(app, environ, n, v.copy_environ)
                    )
                finally:
                    if gc_was_enabled:
                        gc.enable()
    finally:
        if gc_was_enabled:
            gc.enable()
    elapsed = time.perf_counter() - started
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
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "secheaders_wsgi": str(Path(secheaders_wsgi.__file__).parent),
        "samples": samples,
        "number": number,
        "seconds": round(elapsed, 1),
        "rows": [
            {k: v for k, v in vars(row).items() if k != "samples"}
            for row in rows.values()
        ],
        "targets": targets(rows),
    }


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


def targets(rows: dict[str, Row]) -> list[dict[str, Any]]:
    """The issue's targets that this run can judge: (what, value, goal, met)."""

    def over(name: str) -> float | None:
        row = rows.get(name)
        return row.overhead_ns if row else None

    def ratio(a: str, b: str) -> float | None:
        x, y = over(a), over(b)
        return x / y if x is not None and y else None

    found = []

    def add(
        what: str, value: float | None, goal: str, ok: Callable[[float], bool]
    ) -> None:
        if value is not None:
            found.append(
                {
                    "target": what,
                    "value": round(value, 2),
                    "goal": goal,
                    "met": ok(value),
                }
            )
        else:
            found.append({"target": what, "value": None, "goal": goal, "met": None})

    add(
        "defaults overhead / limit overhead",
        ratio("SecureHeaders defaults", LIMIT),
        "<= 1.25",
        lambda v: v <= 1.25,
    )
    add(
        "secured + 2 cookies overhead / its limit",
        ratio("SecureHeaders secured + 2 cookies", "limit: secured + 2 cookies"),
        "<= 1.25",
        lambda v: v <= 1.25,
    )
    add(
        "nonce overhead / limit nonce overhead",
        ratio("SecureHeaders nonce used", "limit: nonce used"),
        "<= 1.3",
        lambda v: v <= 1.3,
    )
    add(
        "Flask-Talisman overhead / SecureHeaders defaults overhead",
        ratio("Flask + Flask-Talisman", "SecureHeaders defaults"),
        ">= 10",
        lambda v: v >= 10,
    )
    add(
        "Flask-Talisman overhead / Flask + SecureHeaders overhead",
        ratio("Flask + Flask-Talisman", "Flask + SecureHeaders"),
        ">= 10",
        lambda v: v >= 10,
    )
    add(
        "40 directives overhead / defaults overhead",
        ratio("SecureHeaders 40-directive policy", "SecureHeaders defaults"),
        "flat (0.9 - 1.1)",
        lambda v: 0.9 <= v <= 1.1,
    )
    add(
        f"{RULES:,} per-path rules overhead / 1 rule overhead",
        ratio(
            f"SecureHeaders {RULES:,} per-path rules", "SecureHeaders 1 per-path rule"
        ),
        "flat (0.9 - 1.1)",
        lambda v: 0.9 <= v <= 1.1,
    )
    return found


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="a few seconds, for smoke tests"
    )
    parser.add_argument(
        "--json", action="store_true", help="print JSON instead of a table"
    )
    parser.add_argument("--samples", type=int, help="rounds per variant (default 30)")
    parser.add_argument("--number", type=int, help="calls per sample (default 2000)")
    parser.add_argument(
        "-k", dest="match", help="only variants whose name contains this"
    )
    args = parser.parse_args(argv)
    only = None
    if args.match:
        # Keep what the selected variants are measured against, transitively.
        known = {v.name: v for v in variants()}
        keep = {name for name in known if args.match.lower() in name.lower()}
        while True:
            more = {v.group for v in map(known.get, keep) if v} | {
                v.limit for v in map(known.get, keep) if v and v.limit
            }
            if more <= keep:
                break
            keep |= more

        def only(v: Variant) -> bool:  # noqa: E306
            return v.name in keep

    result = run(quick=args.quick, samples=args.samples, number=args.number, only=only)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"# {result['date']} | {result['machine']}")
    print(
        f"# {result['samples']} interleaved samples x {result['number']} calls "
        f"(frameworks / 5); medians; {result['seconds']} s"
    )
    print(table(result))
    print()
    print(targets_text(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
