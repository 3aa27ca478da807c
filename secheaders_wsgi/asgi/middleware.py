"""``SecureHeaders`` for ASGI: the core's decisions, in ASGI messages.

The config, its validation, the plans, the per-response state and the merge
are the core's (:mod:`secheaders_wsgi.response`), the ones the WSGI adapter
calls. What is ASGI here: the scope is copied and seen through
:class:`~.scope.ScopeRequest`, a reply of the core's is sent as two messages,
the report body is read from ``receive``, and ``http.response.start`` gets
the merged headers (lower-case bytes, as ASGI asks).
"""

from __future__ import annotations

from typing import cast

from ..config import ConfigSource, load_config
from ..plan import Plan
from ..reply import Reply
from ..reports import ReportReceiver
from ..response import Core
from ..wiring import built_here, refuse_misuse
from .scope import (
    ASGIApp,
    Message,
    Receive,
    Scope,
    ScopeRequest,
    Send,
    pep3333_path,
    read_body,
    send_reply,
)

__all__ = ["SecureHeaders"]


class SecureHeaders:
    """ASGI 3 middleware that adds security headers to every http response::

        app = SecureHeaders(app, {"server_secured": True})
        app = SecureHeaders(app, "security.yaml")

    The same config, the same start-up checks and the same headers as the
    WSGI :class:`secheaders_wsgi.SecureHeaders`. A header the app sets itself
    (name compared without case) wins; every ``set-cookie`` is kept, hardened.

    Every http scope carries ``secheaders.csp_nonce``: get the nonce with
    ``csp_nonce(scope)`` (or ``csp_nonce(request.scope)``) before the response
    starts. A view changes its own response with ``use_override``,
    ``update_csp``, ``replace_csp`` and ``drop_headers``, given the scope.

    ``websocket`` scopes get the scheme (``server_secured``,
    ``trusted_proxies``) and the ``cross_origin`` check (another origin's page
    may not open one: closed before it is accepted, which servers answer
    with 403); ``lifespan`` and other scopes pass straight through,
    and every message after ``http.response.start`` is forwarded untouched.
    """

    secheaders_adapter = "asgi"

    def __init__(self, app: ASGIApp, config: ConfigSource = None) -> None:
        if not callable(app):
            raise TypeError(f"app must be an ASGI callable, not {type(app).__name__}")
        self.label = built_here("ASGI", config)
        refuse_misuse(app, "asgi", self.label)
        self.app = app
        self.config = load_config(config, app=app)
        self._core = Core(self.config, self.label, raw=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http":
            if kind == "websocket" and self._core.checks_websockets:
                scope = dict(scope)
                if not self._core.websocket(ScopeRequest(scope)):
                    # Closed before it is accepted: the server answers 403.
                    await receive()  # websocket.connect
                    await send({"type": "websocket.close", "code": 1008})
                    return
            await self.app(scope, receive, send)
            return
        core = self._core
        # ASGI: copy the scope before changing it, or the change leaks upstream.
        scope = dict(scope)
        if core.plain:  # most sites: nothing to route, nothing to draw
            state = core.begin(scope, scope.get("scheme") == "https")
        else:
            plan = core.quick(
                pep3333_path(scope)
                if core.quick_reads_path
                else scope.get("method", "")
            )
            if plan is None:
                routed = core.route(ScopeRequest(scope))
                if type(routed) is not Plan:  # the app is not called
                    if isinstance(routed, ReportReceiver):
                        routed = await _receive(routed, scope, receive)
                    await send_reply(cast(Reply, routed), send)
                    return
                plan = routed
            state = core.begin(scope, scope.get("scheme") == "https", plan)
        state.server = None  # the merged headers come back

        async def send_secured(message: Message) -> None:
            # The type first: most messages are bodies, and pass on one test.
            if message["type"] == "http.response.start":
                headers = message.get("headers", ())
                if headers.__class__ is not list and headers.__class__ is not tuple:
                    headers = list(headers)  # any iterable, read once
                message = {**message, "headers": state.start_response(None, headers)}
            await send(message)

        await self.app(scope, receive, send_secured)


async def _receive(receiver: ReportReceiver, scope: Scope, receive: Receive) -> Reply:
    """The report receiver, the body read from ``receive`` within its bound.

    Never 411: an ASGI server ends a body it was not told the length of
    (chunked), so reading cannot wait for bytes that never come.
    """
    request = ScopeRequest(scope)
    wanted = receiver.wanted(
        request.method(),
        request.header("content-type"),
        request.header("content-length"),
        True,
    )
    if isinstance(wanted, Reply):
        return wanted
    body = await read_body(receive, wanted)
    return receiver.accept(body, user_agent=request.header("user-agent"))
