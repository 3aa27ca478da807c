"""The ASGI apps the ASGI benchmarks run, and the hand-written ASGI limit.

:func:`keeps_promises` is the cheapest ASGI middleware we could write by hand
that keeps the promises the ASGI ``SecureHeaders`` makes for the configs the
benchmark runs: the caller's scope is not changed (a copy carries the keys),
an app-set header wins (names compared without case, as bytes), HSTS only over
https, ``secheaders.*`` keys in the scope, the lazy nonce (made on first use,
refused once ``http.response.start`` is out, carried in the CSP with
``cache-control: private``), ``remove_headers`` and, with ``server_secured``,
the https scheme (port 80 becomes 443) and Secure cookies. It knows its config
when it is written; that is its only advantage.

It sends exactly the header values SecureHeaders sends: :func:`limits.record`
reads them off SecureHeaders' own responses.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from harness import APP_HEADERS, BODY, COOKIES, NONCE_KEY
from limits import UNSAFE_EVAL_KEY, Recorded, Side, secure_cookie

Scope = dict[str, Any]
Message = dict[str, Any]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]
RawHeader = tuple[bytes, bytes]

RAW_APP_HEADERS = [(n.lower().encode(), v.encode()) for n, v in APP_HEADERS]
RAW_COOKIES = [(n.lower().encode(), v.encode()) for n, v in COOKIES]
START = {"type": "http.response.start", "status": 200}
BODY_MESSAGE = {"type": "http.response.body", "body": BODY}


async def bare(scope: Scope, receive: Any, send: Any) -> None:
    await send({**START, "headers": list(RAW_APP_HEADERS)})
    await send(BODY_MESSAGE)


async def cookies(scope: Scope, receive: Any, send: Any) -> None:
    await send({**START, "headers": [*RAW_APP_HEADERS, *RAW_COOKIES]})
    await send(BODY_MESSAGE)


async def nonce(scope: Scope, receive: Any, send: Any) -> None:
    scope[NONCE_KEY]()  # what a template does, before the headers leave
    await send({**START, "headers": list(RAW_APP_HEADERS)})
    await send(BODY_MESSAGE)


def _raw(headers: Any) -> tuple[RawHeader, ...]:
    return tuple((n.lower().encode("latin-1"), v.encode("latin-1")) for n, v in headers)


class _RawSide:
    def __init__(self, side: Side) -> None:
        self.headers = _raw(side.headers)
        self.named = tuple(
            (n.encode(), (n.encode(), v.encode())) for n, (_, v) in side.named
        )
        self.nonced = (
            None
            if side.nonced is None
            else tuple(
                (low.encode(), tuple(p.encode() for p in parts))
                for _, low, parts in side.nonced
            )
        )
        self.carriers = frozenset(c.encode() for c in side.carriers)
        self.with_nonce = tuple(
            (low.encode(), (low.encode(), v.encode()))
            for low, (_, v) in side.with_nonce
        )
        self.watch = frozenset(n.encode() for n in side.watch)
        # With a nonce, the app's names that need more than appending.
        self.nonce_watch = self.watch | {low for low, _ in self.with_nonce}


def _merged(
    side: _RawSide,
    remove: frozenset[bytes],
    secured: bool,
    app_headers: Any,
    made: str | None,
) -> list[Any]:
    kept = []
    for name, value in app_headers:
        low = name.lower()
        if low in remove:
            continue
        if secured and low == b"set-cookie":
            value = secure_cookie(value.decode("latin-1")).encode("latin-1")
        kept.append((name, value))
    present = {name.lower() for name, _ in kept}
    if made is None or side.nonced is None:
        return kept + [h for low, h in side.named if low not in present]
    token = made.encode()
    out = kept + [
        (low, token.join(parts)) for low, parts in side.nonced if low not in present
    ]
    if not side.carriers <= present:
        out += [h for low, h in side.with_nonce if low not in present]
    return out


class KeepsPromises:
    """The cheapest ASGI middleware that keeps SecureHeaders' promises for ``ours``.

    A class with ``__call__``, the shape ASGI middleware takes (Starlette's
    "pure ASGI middleware") and the one SecureHeaders has (``isinstance``,
    ``.config``); as a closure it would save the instance call, about 90 ns.
    """

    def __init__(self, app: ASGIApp, ours: Recorded) -> None:
        self.app = app
        self.http, self.https = _RawSide(ours.http), _RawSide(ours.https)
        self.unsafe_eval, self.secured = ours.unsafe_eval, ours.secured
        self.remove = frozenset(n.encode() for n in ours.remove)

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secured = self.secured
        scope = dict(scope)
        if secured:
            scope["scheme"] = "https"
            server = scope.get("server")
            if server is not None and server[1] == 80:
                scope["server"] = (server[0], 443)
            for name, value in scope.get("headers", ()):
                if name == b"host" and value.endswith(b":80"):
                    scope["headers"] = [
                        (n, v[:-3] if n == b"host" else v) for n, v in scope["headers"]
                    ]
                    break
        side = self.https if scope.get("scheme") == "https" else self.http
        scope[UNSAFE_EVAL_KEY] = self.unsafe_eval
        made: str | None = None
        sent = False

        def make() -> str:
            nonlocal made
            if made is None:
                if sent:
                    raise RuntimeError("the CSP nonce was asked for after the start")
                made = secrets.token_urlsafe(18)
            return made

        if NONCE_KEY in scope:  # a second middleware on this request
            raise RuntimeError("two middlewares handle this request: keep one")
        scope[NONCE_KEY] = make
        remove = self.remove

        async def send_secured(message: Message) -> None:
            nonlocal sent
            if not sent and message["type"] == "http.response.start":
                sent = True
                app_headers = message.get("headers", ())
                watch = side.watch if made is None else side.nonce_watch
                for name, _ in app_headers:
                    if name.lower() in watch:
                        break
                else:
                    if made is None or side.nonced is None:
                        ours = [*app_headers, *side.headers]
                    else:
                        token = made.encode()
                        ours = [
                            *app_headers,
                            *[(low, token.join(parts)) for low, parts in side.nonced],
                            *[h for _, h in side.with_nonce],
                        ]
                    await send({**message, "headers": ours})
                    return
                merged = _merged(side, remove, secured, app_headers, made)
                message = {**message, "headers": merged}
            await send(message)

        await self.app(scope, receive, send_secured)


def keeps_promises(app: ASGIApp, ours: Recorded) -> ASGIApp:
    """The promise-keeping limit around ``app``, for the config ``ours`` records."""
    return KeepsPromises(app, ours)
