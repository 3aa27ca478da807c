"""``SecureHeaders`` for ASGI: the WSGI middleware's plan, ASGI plumbing.

The config, its validation, the header values, the nonce template, the cookie
rewrite, the path rules and the redirect are the WSGI side's own
(:class:`~secheaders_wsgi.plan.Plan`); so are the per-response state (the
lazy nonce, ``use_override``, ``csp_update``, ... in one
:class:`~secheaders_wsgi.request.response.ResponseState`, here in the scope)
and the merge (``_changed`` / ``_merged``, on latin-1 text). What is ASGI
here: the ``http.response.start`` message is rewritten instead of a
``start_response`` call, and the usual responses are merged in bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..config import ConfigSource, load_config
from ..middleware import _changed
from ..plan import Plan, Side
from ..policy import Header
from ..reports import ReportReceiver
from ..request.cookies import CookieRewrite
from ..request.nonce import ENVIRON_KEY
from ..request.reply import Reply
from ..request.response import STATE_KEY, UNSAFE_EVAL_KEY, ResponseState
from ..request.site import Site
from ..wiring import REENTERED, reentered, refuse_misuse
from .scope import (
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    environ_of,
    pep3333_path,
    read_body,
    respond,
    secure,
    send_reply,
    update_from,
)

__all__ = ["SecureHeaders"]

RawHeader = tuple[bytes, bytes]


@dataclass(frozen=True, slots=True)
class _Bytes:
    """A :class:`Side` with its headers and watched names as ASGI bytes."""

    side: Side
    #: Ours with lower-case names, as ASGI asks (HTTP/2 refuses others).
    lowered: tuple[Header, ...]
    headers: tuple[RawHeader, ...]
    watch: frozenset[bytes]
    #: With the nonce made, the app's names that need more than appending:
    #: ``watch`` and every name we may add (Cache-Control too).
    nonce_watch: frozenset[bytes]
    #: :attr:`Side.nonce_template` in bytes; ``None``: the nonce changes nothing.
    nonce_pieces: tuple[tuple[bytes, tuple[bytes, ...]], ...] | None
    nonce_cache_control: tuple[RawHeader, ...]
    #: The Set-Cookie rewrite, when a cookie is the only thing an app header
    #: can need besides appending ours (set-cookie is not in remove_headers).
    cookies: CookieRewrite | None

    @classmethod
    def of(cls, side: Side) -> _Bytes:
        lowered = _lowered(side.headers)
        watch = frozenset(name.encode("latin-1") for name in side.watch)
        template = side.nonce_template
        return cls(
            side=side,
            lowered=lowered,
            headers=_encoded(lowered),
            watch=watch,
            nonce_watch=watch | {name.encode("latin-1") for name in side.names},
            nonce_pieces=None
            if template is None
            else tuple(
                (
                    name.lower().encode("latin-1"),
                    tuple(piece.encode("latin-1") for piece in pieces),
                )
                for name, pieces in template.template
            ),
            nonce_cache_control=_encoded(_lowered(side.nonce_cache_control)),
            cookies=None if "set-cookie" in side.remove else side.cookies,
        )

    def nonced(self, nonce: str) -> list[RawHeader]:
        """Ours with ``nonce``, for an app that set none of the names we watch.

        What :meth:`Side.nonced` gives then: none of the nonce's carriers is
        the app's, so the Cache-Control goes with them.
        """
        pieces = self.nonce_pieces
        if pieces is None:
            return list(self.headers)
        token = nonce.encode("ascii")
        return [
            *[(name, token.join(parts)) for name, parts in pieces],
            *self.nonce_cache_control,
        ]


@dataclass(frozen=True, slots=True)
class _Plan:
    """A :class:`Plan` and its two sides in bytes."""

    plan: Plan
    http: _Bytes
    https: _Bytes
    secured: bool
    unsafe_eval: bool

    @classmethod
    def of(cls, plan: Plan) -> _Plan:
        return cls(
            plan=plan,
            http=_Bytes.of(plan.http),
            https=_Bytes.of(plan.https),
            secured=plan.secured,
            unsafe_eval=plan.unsafe_eval,
        )


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
    ``csp_update``, ``csp_replace`` and ``omit_headers``, given the scope.

    ``websocket`` scopes only get the scheme (``server_secured``,
    ``trusted_proxies``); ``lifespan`` and other scopes pass straight through,
    and every message after ``http.response.start`` is forwarded untouched.
    """

    def __init__(self, app: ASGIApp, config: ConfigSource = None) -> None:
        if not callable(app):
            raise TypeError(f"app must be an ASGI callable, not {type(app).__name__}")
        refuse_misuse(app, asgi=True)
        self.app = app
        self.config = load_config(config)
        site = Site.build(self.config, _Plan.of)
        self._plan = site.plan
        self._state = site.state
        self._paths = site.paths
        self._proxies = site.proxies
        self._report_path = site.report_path
        self._receiver = site.receiver
        self._plain = site.plain
        self._websocket = self._proxies is not None or self.config.server_secured

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind != "http":
            if kind == "websocket" and self._websocket:
                scope = dict(scope)
                self._scheme(scope)
            await self.app(scope, receive, send)
            return
        routed = self._plan
        # One object per request holds the nonce and what the view asks for
        # (use_override, csp_update, ...): the WSGI side's, in the scope.
        state = self._state()
        # ASGI: copy the scope before changing it, or the change leaks upstream.
        scope = {
            **scope,
            STATE_KEY: state,
            ENVIRON_KEY: state,
            UNSAFE_EVAL_KEY: routed.unsafe_eval,
        }
        if self._plain:
            if routed.secured:
                secure(scope)
        else:
            routed, answered = await self._route(scope, receive, send)
            if answered:
                return  # the app is not called
            if routed is not self._plan:
                state.plan = routed.plan
                scope[UNSAFE_EVAL_KEY] = routed.unsafe_eval
        if scope.get("scheme") == "https":
            state.https = True
            side = routed.https
        else:
            side = routed.http
        ours = side.headers

        async def send_secured(message: Message) -> None:
            # The type first: most messages are bodies, and pass on one test.
            if message["type"] == "http.response.start" and not state.sent:
                state.sent = True  # from here on a first nonce or a change raises
                app_headers = message.get("headers", ())
                if not state.changed:
                    # The usual response, inline: no nonce, no change, and no
                    # app header one we watch (ours, removed, a cookie to
                    # rewrite), so ours are appended. Everything else: _headers().
                    watch = side.watch
                    for name, _ in app_headers:
                        if name.lower() in watch:
                            break
                    else:
                        await send({**message, "headers": [*app_headers, *ours]})
                        return
                message = {**message, "headers": _headers(side, app_headers, state)}
            await send(message)

        try:
            await self.app(scope, receive, send_secured)
        except RecursionError as exc:
            # As under WSGI: `quart_app.asgi_app = SecureHeaders(quart_app)`
            # calls itself; free until it happens.
            if reentered(self, exc):
                raise TypeError(REENTERED) from None
            raise

    def _scheme(self, scope: Scope) -> None:
        if self._proxies is not None:
            environ = environ_of(scope)
            self._proxies(environ)
            update_from(scope, environ)
        if self.config.server_secured:
            secure(scope)

    async def _route(
        self, scope: Scope, receive: Receive, send: Send
    ) -> tuple[_Plan, bool]:
        """Trusted proxies, the report receiver, path rules and the redirect.

        Returns the plan for this request and whether the receiver or the
        redirect answered it (then the app is not called).
        """
        if self._proxies is not None:
            environ = environ_of(scope)
            self._proxies(environ)
            update_from(scope, environ)
        routed = self._plan
        path = pep3333_path(scope)
        if self._receiver is not None and path == self._report_path:
            await _receive_report(self._receiver, scope, receive, send)
            return routed, True  # never the app's
        if self._paths is not None:
            routed = self._paths.longest(path) or routed
        if routed.plan.secured:
            secure(scope)
        redirect = routed.plan.http.redirect
        if (
            redirect is not None
            and scope.get("scheme") != "https"
            and redirect.applies({"PATH_INFO": path})
        ):
            await respond(redirect, environ_of(scope), send)
            return routed, True
        return routed, False


def _headers(
    side: _Bytes, app_headers: Iterable[Any], state: ResponseState
) -> list[Any]:
    """The app's headers with ours merged in, as the WSGI side merges them."""
    if not state.asked:
        # Only a nonce, or an app header we watch: in bytes when no app header
        # needs more than appending (a cookie rewrite aside).
        made = state.made
        watch = side.watch if made is None else side.nonce_watch
        cookies = False
        for name, _ in app_headers:
            low = name.lower()
            if low in watch:
                if low != b"set-cookie" or side.cookies is None:
                    break
                cookies = True
        else:
            if cookies:
                app_headers = _cookies_rewritten(app_headers, side.cookies)
            if made is None:
                return [*app_headers, *side.headers]
            return [*app_headers, *side.nonced(made)]
    # The rest (overrides, CSP changes, omissions, app headers of ours) by the
    # WSGI side's own merge, on latin-1 text: every byte maps to one character.
    text = _decoded(app_headers)
    apps = {name for name, _ in text}
    merged = _changed(state, side.side, text)
    # The app's names as it spelt them; ours lower-case, as ASGI asks.
    return [
        (
            (name if name in apps else name.lower()).encode("latin-1"),
            value.encode("latin-1"),
        )
        for name, value in merged
    ]


def _cookies_rewritten(
    headers: Iterable[Any], rewrite: CookieRewrite | None
) -> list[Any]:
    """The app's headers, each Set-Cookie through ``rewrite`` (as ``_merged``)."""
    assert rewrite is not None
    return [
        (name, rewrite(value.decode("latin-1")).encode("latin-1"))
        if name.lower() == b"set-cookie"
        else (name, value)
        for name, value in headers
    ]


def _decoded(headers: Iterable[Any]) -> list[tuple[str, str]]:
    # latin-1 maps every byte to one character and back: nothing is lost.
    return [(name.decode("latin-1"), text.decode("latin-1")) for name, text in headers]


def _lowered(headers: Iterable[Header]) -> tuple[Header, ...]:
    return tuple((name.lower(), value) for name, value in headers)


def _encoded(headers: Iterable[Header]) -> tuple[RawHeader, ...]:
    # An app's own names pass through as they were: decoded from bytes, they
    # encode back unchanged.
    return tuple(
        (name.encode("latin-1"), value.encode("latin-1")) for name, value in headers
    )


async def _receive_report(
    receiver: ReportReceiver, scope: Scope, receive: Receive, send: Send
) -> None:
    """The report receiver, the body read from ``receive`` within its bound.

    Never 411: an ASGI server ends a body it was not told the length of
    (chunked), so reading cannot wait for bytes that never come.
    """
    environ = environ_of(scope)
    wanted = receiver.wanted(
        environ["REQUEST_METHOD"],
        environ.get("CONTENT_TYPE"),
        environ.get("CONTENT_LENGTH"),
        True,
    )
    if not isinstance(wanted, Reply):
        body = await read_body(receive, wanted)
        wanted = receiver.accept(body, user_agent=environ.get("HTTP_USER_AGENT"))
    await send_reply(wanted, send)
