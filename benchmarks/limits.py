"""The hand-written references SecureHeaders is measured against: the limits.

``keeps_promises`` is the cheapest middleware we could write by hand that keeps
every promise SecureHeaders makes for the configs the benchmark runs: an
app-set header wins (names compared without case), HSTS only over https, the
``secheaders.*`` environ keys on every request, the lazy nonce (made on first
use, refused once the headers are out, carried in the CSP with
``Cache-Control: private``), ``remove_headers`` and, with ``server_secured``,
the https scheme and Secure cookies. It knows its config when it is written,
so it carries none of the routing SecureHeaders must test for; that is its only
advantage, and the ratio to it is what the table calls *x limit*.

``append_only`` appends the same precomputed list and does nothing else: it
breaks the promises (two CSP headers beside an app's own, no environ keys), so
it is a reference row, the cost of sending the bytes at all, and no target.

Both send exactly the header values SecureHeaders sends: :func:`record` reads
them off SecureHeaders' own responses, through its public API only.
:mod:`promises` checks that a limit keeps the promises before it is timed.
"""

from __future__ import annotations

import secrets
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness import (
    APP_HEADERS,
    NONCE_KEY,
    Header,
    WSGIApp,
    base_environ,
    one_response,
    trivial_app,
)

from secheaders_wsgi import SecureHeaders, SecurityWarning, load_config

UNSAFE_EVAL_KEY = "secheaders.csp_unsafe_eval"


@dataclass(frozen=True)
class Side:
    """What SecureHeaders adds to an http or an https response, precomputed."""

    #: Ours when no nonce was asked for.
    headers: tuple[Header, ...]
    #: The same as (lower-case name, header), to filter by the app's names.
    named: tuple[tuple[str, Header], ...]
    #: Ours when the app used the nonce: (name, lower-case name, value split
    #: where the nonce goes); ``None``: the nonce changes nothing.
    nonced: tuple[tuple[str, str, tuple[str, ...]], ...] | None
    #: Lower-case names of the nonced headers that carry the nonce.
    carriers: frozenset[str]
    #: Sent only beside a nonced header of ours (``Cache-Control: private``).
    with_nonce: tuple[tuple[str, Header], ...]
    #: App header names that need more than appending ours.
    watch: frozenset[str]


@dataclass(frozen=True)
class Recorded:
    """What SecureHeaders does for one config, read off its responses."""

    http: Side
    https: Side
    unsafe_eval: bool
    remove: frozenset[str]
    secured: bool


def _ours(app: WSGIApp, https: bool) -> list[Header]:
    environ = base_environ(**({"wsgi.url_scheme": "https"} if https else {}))
    _, response = one_response(app, environ)
    assert response[: len(APP_HEADERS)] == APP_HEADERS, response
    return response[len(APP_HEADERS) :]


def _side(config: Any, https: bool, remove: frozenset[str], secured: bool) -> Side:
    plain = _ours(SecureHeaders(trivial_app, config), https)
    seen: list[str] = []

    def nonce_app(environ: dict[str, Any], start_response: Any) -> Any:
        seen.append(environ[NONCE_KEY]())
        return trivial_app(environ, start_response)

    with warnings.catch_warnings():
        # Under a policy that takes no nonce, asking for one warns: here it
        # only shows that the headers stay as they are.
        warnings.simplefilter("ignore", SecurityWarning)
        nonced = _ours(SecureHeaders(nonce_app, config), https)
    names = {n.lower() for n, _ in plain}
    split = tuple(
        (n, n.lower(), tuple(v.split(seen[0]))) for n, v in nonced if n.lower() in names
    )
    carriers = frozenset(low for _, low, parts in split if len(parts) > 1)
    return Side(
        headers=tuple(plain),
        named=tuple((n.lower(), (n, v)) for n, v in plain),
        nonced=split if carriers else None,
        carriers=carriers,
        with_nonce=tuple(
            (n.lower(), (n, v)) for n, v in nonced if n.lower() not in names
        ),
        watch=frozenset(names | remove | ({"set-cookie"} if secured else set())),
    )


def record(config: Any = None) -> Recorded:
    """The headers, nonce template and environ values SecureHeaders uses."""
    loaded = load_config(config)
    remove = frozenset(name.lower() for name in loaded.remove_headers)
    secured = loaded.server_secured
    unsupported = [
        key
        for key in ("paths", "force_https", "trusted_proxies", "csp_report_path")
        if getattr(loaded, key)
    ] + [key for key in ("cookie_samesite", "cookie_httponly") if getattr(loaded, key)]
    if unsupported:
        raise ValueError(f"the limits do not implement {unsupported}")
    return Recorded(
        http=_side(config, False, remove, secured),
        https=_side(config, True, remove, secured),
        unsafe_eval=loaded.csp_unsafe_eval,
        remove=remove,
        secured=secured,
    )


def append_only(app: WSGIApp, extra: list[Header]) -> WSGIApp:
    """Append a precomputed list; no case-insensitive check, no environ keys."""
    ours = list(extra)

    def middleware(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        def _start_response(
            status: str, app_headers: list[Header], exc_info: Any = None
        ) -> Any:
            return start_response(status, app_headers + ours, exc_info)

        return app(environ, _start_response)

    return middleware


def secure_cookie(value: str) -> str:
    """Add the Secure attribute where a Set-Cookie value lacks it."""
    lowered = value.lower()
    # "secure" in the name or value ("id=insecure") is not the attribute.
    if "secure" in lowered and "secure" in {
        a.split("=", 1)[0].strip() for a in lowered.split(";")[1:]
    }:
        return value
    base = value.rstrip(" \t")
    return base + (" Secure" if base.endswith(";") else "; Secure")


def _merged(
    side: Side,
    remove: frozenset[str],
    secured: bool,
    app_headers: list[Header],
    nonce: str | None,
) -> list[Header]:
    """The app's headers (removed ones out, cookies secured), then ours not set."""
    kept: list[Header] = []
    for name, value in app_headers:
        low = name.lower()
        if low in remove:
            continue
        if secured and low == "set-cookie":
            value = secure_cookie(value)
        kept.append((name, value))
    present = {name.lower() for name, _ in kept}
    if nonce is None or side.nonced is None:
        return kept + [h for low, h in side.named if low not in present]
    ours = [
        (name, nonce.join(parts))
        for name, low, parts in side.nonced
        if low not in present
    ]
    # Cache-Control: private goes only beside our nonced CSP, never an app's.
    if not side.carriers <= present:
        ours += [h for low, h in side.with_nonce if low not in present]
    return kept + ours


class KeepsPromises:
    """The cheapest middleware that keeps SecureHeaders' promises for ``ours``.

    A class with ``__call__``, the shape WSGI middleware has (werkzeug's
    ProxyFix, WhiteNoise) and SecureHeaders must have (``isinstance``,
    ``.app``, ``.config``): as a closure it would save the instance call,
    about 50 ns, which no middleware class can. asgi_limits.py's is one too.
    Each request gets one :class:`_Response`, whose bound method is the
    ``start_response`` the app calls: cheaper than two closures and their
    cells (about 150 ns), the way SecureHeaders does it too.
    """

    def __init__(self, app: WSGIApp, ours: Recorded) -> None:
        self.app = app
        self.http, self.https = ours.http, ours.https
        self.unsafe_eval, self.remove = ours.unsafe_eval, ours.remove
        self.secured = ours.secured

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Any:
        if self.secured:
            environ["wsgi.url_scheme"] = "https"
            host = environ.get("HTTP_HOST")
            if host is not None and host.endswith(":80"):
                environ["HTTP_HOST"] = host[:-3]
            if environ.get("SERVER_PORT") == "80":
                environ["SERVER_PORT"] = "443"
        response = _Response()
        response.owner = self
        response.side = (
            self.https if environ.get("wsgi.url_scheme") == "https" else self.http
        )
        response.server = start_response
        response.made = None
        response.sent = False
        environ[UNSAFE_EVAL_KEY] = self.unsafe_eval
        if NONCE_KEY in environ:  # a second middleware on this request
            raise RuntimeError("two middlewares handle this request: keep one")
        environ[NONCE_KEY] = response  # called, it is the nonce
        return self.app(environ, response.start_response)


class _Response:
    """One request's response: the lazy nonce and the app's start_response."""

    owner: KeepsPromises
    side: Side
    server: Callable[..., Any]
    made: str | None
    sent: bool

    def __call__(self) -> str:
        made = self.made
        if made is None:
            if self.sent:
                raise RuntimeError("the CSP nonce was asked for after the headers")
            # As the package: 144 bits, base64url without padding.
            made = self.made = secrets.token_urlsafe(18)
        return made

    def start_response(
        self, status: str, app_headers: list[Header], exc_info: Any = None
    ) -> Any:
        self.sent = True
        side, made = self.side, self.made
        if made is None:
            watch = side.watch
            for name, _ in app_headers:
                if name.lower() in watch:
                    break
            else:
                return self.server(status, [*app_headers, *side.headers], exc_info)
        owner = self.owner
        merged = _merged(side, owner.remove, owner.secured, app_headers, made)
        return self.server(status, merged, exc_info)


class WithClosures(KeepsPromises):
    """The limit as it was written until 2026-12-08 (issue 20 set its goals
    against it): the nonce and ``start_response`` two closures made per
    request. Kept as a reference row, for configs without ``server_secured``.
    """

    def __init__(self, app: WSGIApp, ours: Recorded) -> None:
        if ours.secured:
            raise ValueError("WithClosures is the reference for plain http configs")
        super().__init__(app, ours)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Any:
        side = self.https if environ.get("wsgi.url_scheme") == "https" else self.http
        environ[UNSAFE_EVAL_KEY] = self.unsafe_eval
        remove = self.remove
        made: str | None = None
        sent = False

        def nonce() -> str:
            nonlocal made
            if made is None:
                if sent:
                    raise RuntimeError("the CSP nonce was asked for after the headers")
                made = secrets.token_urlsafe(18)
            return made

        if NONCE_KEY in environ:  # a second middleware on this request
            raise RuntimeError("two middlewares handle this request: keep one")
        environ[NONCE_KEY] = nonce

        def _start_response(
            status: str, app_headers: list[Header], exc_info: Any = None
        ) -> Any:
            nonlocal sent
            sent = True
            if made is None:
                watch = side.watch
                for name, _ in app_headers:
                    if name.lower() in watch:
                        break
                else:
                    return start_response(
                        status, [*app_headers, *side.headers], exc_info
                    )
            merged = _merged(side, remove, False, app_headers, made)
            return start_response(status, merged, exc_info)

        return self.app(environ, _start_response)


def keeps_promises(app: WSGIApp, ours: Recorded) -> WSGIApp:
    """The promise-keeping limit around ``app``, for the config ``ours`` records."""
    return KeepsPromises(app, ours)
