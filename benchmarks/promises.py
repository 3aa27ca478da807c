"""What a middleware must do to count as a limit: SecureHeaders' promises, checked.

:func:`broken_promises` runs a middleware maker over small apps and configs and
names every promise it breaks. The promise-keeping limit must come out clean
before it is timed (a limit that skips work would flatter nobody but itself),
SecureHeaders too, and the append-only reference must not.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

from harness import (
    APP_HEADERS,
    BODY,
    NONCE_KEY,
    Header,
    WSGIApp,
    base_environ,
    one_response,
    trivial_app,
)
from limits import UNSAFE_EVAL_KEY, record

from secheaders_wsgi import SecurityWarning, load_config

#: Builds the middleware for one config around any app.
Maker = Callable[[WSGIApp, Any], WSGIApp]

#: The configs the promises are checked under: what the benchmark times, and
#: an HSTS header without server_secured so "HSTS only over https" can fail.
CONFIGS: tuple[Any, ...] = (
    None,
    {"hsts_header": "max-age=60"},
    {"csp_unsafe_inline": False},
    {"server_secured": True},
)
HSTS = "strict-transport-security"


def _names(response: Iterable[Header]) -> list[str]:
    return [name.lower() for name, _ in response]


def _app(
    extra: Iterable[Header] = (),
    nonce: str = "",
    seen: dict[str, Any] | None = None,
) -> WSGIApp:
    """An app that sets ``extra`` and asks for the nonce before/after the headers."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if seen is not None:
            seen.update(environ)
        if "before" in nonce:
            seen_nonce = environ[NONCE_KEY]()
            if seen is not None:
                seen["nonce"] = seen_nonce
        start_response("200 OK", [*APP_HEADERS, *extra])
        if "after" in nonce and seen is not None:
            try:
                seen["late"] = environ[NONCE_KEY]()
            except RuntimeError as exc:
                seen["late"] = exc
        return [BODY]

    return app


def _between(app: WSGIApp) -> WSGIApp:
    """Another middleware's layer: hides ``app`` from a check at construction."""

    def layer(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return app(environ, start_response)

    return layer


def _call(middleware: WSGIApp, **environ: Any) -> list[Header]:
    return one_response(middleware, base_environ(**environ))[1]


def broken_promises(make: Maker, *, stacked: bool = True) -> list[str]:
    """Every promise ``make`` breaks, as ``"<config>: <promise>"``; [] if none."""
    broken: list[str] = []
    with warnings.catch_warnings():
        # A nonce asked for under a policy that takes none warns, rightly:
        # the promises hold all the same, and that is what is checked here.
        warnings.simplefilter("ignore", SecurityWarning)
        for config in CONFIGS:
            for promise in _check(make, config):
                broken.append(f"{config}: {promise}")
    if stacked:
        broken += stacking_refused(make)
    return broken


def stacking_refused(make: Maker) -> list[str]:
    """A second middleware on one request (another layer between) is refused:
    the inner one's config would otherwise be lost without a word.

    ``stacked=False`` above: a maker that crosses the tests' ASGI bridge, which
    builds a new scope per layer; tests/test_stacking.py stacks ASGI itself.
    """
    try:
        _call(make(_between(make(trivial_app, None)), None))
    except (RuntimeError, TypeError):
        return []
    return ["a second middleware on one request is refused"]


def _check(make: Maker, config: Any) -> list[str]:
    broken: list[str] = []
    ours = record(config)
    loaded = load_config(config)
    own_names = [name.lower() for name, _ in ours.http.headers]

    # Ours are added once each, after the app's, which are kept as they were.
    response = _call(make(trivial_app, config))
    if response[: len(APP_HEADERS)] != APP_HEADERS or any(
        _names(response).count(name) != 1 for name in own_names
    ):
        broken.append("our headers added once after the app's")

    # An app-set header wins, names compared without case.
    for name in own_names:
        app_value = "app's own"
        response = _call(make(_app([(name.upper(), app_value)]), config))
        values = [v for n, v in response if n.lower() == name]
        if values != [app_value]:
            broken.append(f"an app-set header wins ({name} sent {len(values)} times)")

    # HSTS only over https; with server_secured every request is https.
    over_http = _call(make(trivial_app, config))
    over_https = _call(make(trivial_app, config), **{"wsgi.url_scheme": "https"})
    if HSTS in _names(over_http) and not loaded.server_secured:
        broken.append("HSTS only over https")
    if (HSTS in _names(ours.https.headers)) != (HSTS in _names(over_https)):
        broken.append("HSTS over https as configured")

    # The environ keys, on every request.
    seen: dict[str, Any] = {}
    _call(make(_app(seen=seen), config))
    if seen.get(UNSAFE_EVAL_KEY) is not loaded.csp_unsafe_eval:
        broken.append(f"environ[{UNSAFE_EVAL_KEY!r}]")
    if not callable(seen.get(NONCE_KEY)):
        broken.append(f"environ[{NONCE_KEY!r}]")
        return broken  # the nonce promises cannot be checked without it

    broken += _check_nonce(make, config, ours.http.nonced is not None)

    # remove_headers: the app's X-Powered-By is dropped.
    if loaded.remove_headers:
        gone = loaded.remove_headers[0]
        response = _call(make(_app([(gone.lower(), "x")]), config))
        if gone.lower() in _names(response):
            broken.append(f"remove_headers drops {gone}")

    if loaded.server_secured:
        broken += _check_secured(make, config)
    return broken


def _check_nonce(make: Maker, config: Any, nonced: bool) -> list[str]:
    broken: list[str] = []
    response = _call(make(trivial_app, config))
    if any("'nonce-" in v for _, v in response) or "cache-control" in _names(response):
        broken.append("no nonce and no Cache-Control unless the app asked")
    seen: dict[str, Any] = {}
    response = _call(make(_app(nonce="before after", seen=seen), config))
    csp = dict(response).get("Content-Security-Policy", "")
    if nonced and (
        f"'nonce-{seen['nonce']}'" not in csp
        or ("Cache-Control", "private") not in response
    ):
        broken.append("the nonce asked for is in the CSP, with Cache-Control")
    if seen["late"] != seen["nonce"]:
        broken.append("a nonce made before the headers keeps its value")
    late: dict[str, Any] = {}
    _call(make(_app(nonce="after", seen=late), config))
    if not isinstance(late["late"], RuntimeError):
        broken.append("a first nonce after the headers is refused")
    other: dict[str, Any] = {}
    _call(make(_app(nonce="before", seen=other), config))
    if other["nonce"] == seen["nonce"]:
        broken.append("a new nonce per request")
    app_csp = ("content-security-policy", "default-src 'none'")
    response = _call(make(_app([app_csp], nonce="before"), config))
    if "cache-control" in _names(response) or app_csp not in response:
        broken.append("an app-set CSP wins over the nonced one, no Cache-Control")
    return broken


def _check_secured(make: Maker, config: Any) -> list[str]:
    broken: list[str] = []
    seen: dict[str, Any] = {}
    host = {"HTTP_HOST": "example.com:80", "SERVER_PORT": "80"}
    _call(make(_app(seen=seen), config), **host)
    if (seen["wsgi.url_scheme"], seen["HTTP_HOST"], seen["SERVER_PORT"]) != (
        "https",
        "example.com",
        "443",
    ):
        broken.append("server_secured: the app sees https on port 443")
    cookies = [
        ("Set-Cookie", "id=insecure; Path=/"),
        ("Set-Cookie", "a=1; Secure"),
        ("Set-Cookie", "b=2;"),
    ]
    response = _call(make(_app(cookies), config))
    got = [v for n, v in response if n.lower() == "set-cookie"]
    if got != ["id=insecure; Path=/; Secure", "a=1; Secure", "b=2; Secure"]:
        broken.append(f"server_secured: every cookie kept and Secure once ({got})")
    return broken


def pass_through(make: Maker) -> list[str]:
    """PEP 3333 pass-through: the app's iterable, write() and exc_info survive."""
    broken: list[str] = []
    body = [BODY]
    got: dict[str, Any] = {}

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        got["write"] = start_response("500 Oops", list(APP_HEADERS), ("exc",))
        return body

    def start_response(status: str, headers: list[Header], *exc_info: Any) -> Any:
        got["status"], got["exc_info"] = status, exc_info
        return write

    def write(data: bytes) -> None:
        pass

    for config in CONFIGS:
        result = make(app, config)(base_environ(), start_response)
        if result is not body:
            broken.append(f"{config}: the app's iterable itself")
        if got["write"] is not write or got["status"] != "500 Oops":
            broken.append(f"{config}: status and write() pass through")
        if got["exc_info"] != (("exc",),):
            broken.append(f"{config}: exc_info passed positionally")
    return broken
