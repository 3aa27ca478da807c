"""The ASGI request plumbing: a scope seen as a WSGI environ, and back.

The WSGI side's per-request helpers (``secure_scheme``, ``trusted_proxies``,
the redirect and the report receiver) read and write a WSGI environ. Rather
than write each a second time for ASGI, the adapter hands them an environ made
from the scope, then copies what they changed back into the scope: one set of
rules, one set of tests, both adapters.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import TYPE_CHECKING, Any

from ..request.reply import Reply
from ..request.scheme import secure_scheme

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = [
    "ASGIApp",
    "Message",
    "Receive",
    "Scope",
    "Send",
    "environ_of",
    "pep3333_path",
    "read_body",
    "request_path",
    "respond",
    "secure",
    "send_reply",
    "update_from",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def request_path(scope: Scope) -> str:
    """``scope["path"]`` within ``root_path``: what WSGI calls ``PATH_INFO``.

    ASGI's ``path`` includes the ``root_path`` the app is mounted at; a server
    that sends a ``path`` outside it is taken at its word.
    """
    path: str = scope.get("path", "")
    root: str = scope.get("root_path", "")
    if root and path.startswith(root):
        return path[len(root) :]
    return path


def pep3333_path(scope: Scope) -> str:
    """:func:`request_path` as PEP 3333 spells ``PATH_INFO``, its bytes as latin-1.

    Path rules and the report path are matched in that spelling on both sides.
    """
    path = request_path(scope)
    return path if path.isascii() else _latin(path)


def _latin(text: str) -> str:
    """An ASGI (UTF-8 decoded) path as PEP 3333 spells it: the bytes, latin-1."""
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


def _unlatin(text: str) -> str:
    return text.encode("latin-1").decode("utf-8", "surrogateescape")


def environ_of(scope: Scope) -> dict[str, Any]:
    """A WSGI environ with what the scope says (no body: ``wsgi.input`` is empty).

    Repeated request headers are joined as a WSGI server joins them.
    """
    root: str = scope.get("root_path", "")
    server = scope.get("server") or ("localhost", 80)
    client = scope.get("client")
    environ: dict[str, Any] = {
        "REQUEST_METHOD": scope.get("method", "GET"),
        "SCRIPT_NAME": _latin(root),
        "PATH_INFO": pep3333_path(scope),
        "QUERY_STRING": bytes(scope.get("query_string", b"")).decode("latin-1"),
        "SERVER_NAME": str(server[0]),
        "SERVER_PORT": str(server[1] if server[1] is not None else ""),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "wsgi.url_scheme": (
            "https" if scope.get("scheme") in ("https", "wss") else "http"
        ),
        "wsgi.input": io.BytesIO(),
    }
    if client:
        environ["REMOTE_ADDR"] = str(client[0])
        environ["REMOTE_PORT"] = str(client[1])
    for raw_name, raw_value in scope.get("headers", ()):
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        if name not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = "HTTP_" + name
        if name in environ:
            value = environ[name] + ("; " if name == "HTTP_COOKIE" else ",") + value
        environ[name] = value
    return environ


def update_from(scope: Scope, environ: dict[str, Any]) -> None:
    """Copy into ``scope`` what a WSGI helper changed in ``environ_of(scope)``.

    Scheme (``ws``/``wss`` for a websocket), server, client, ``root_path``
    (``path`` keeps it as its prefix) and the ``Host`` header.
    """
    before = environ_of(scope)
    scheme = environ.get("wsgi.url_scheme", "http")
    if scheme != before["wsgi.url_scheme"]:
        if scope.get("type") == "websocket":
            scheme = {"https": "wss", "http": "ws"}.get(scheme, scheme)
        scope["scheme"] = scheme
    name, port = environ.get("SERVER_NAME"), str(environ.get("SERVER_PORT", ""))
    if (name, port) != (before["SERVER_NAME"], before["SERVER_PORT"]):
        old = scope.get("server") or (None, None)
        scope["server"] = (name, int(port) if port.isdigit() else old[1])
    addr = environ.get("REMOTE_ADDR")
    if addr is not None and addr != before.get("REMOTE_ADDR"):
        old = scope.get("client") or (None, 0)
        scope["client"] = (addr, old[1])
    # Headers the helper dropped (a forwarded value it would not trust): the
    # app does not see them either.
    dropped = {
        key[5:].lower().replace("_", "-").encode("latin-1")
        for key in before
        if key.startswith("HTTP_") and key not in environ
    }
    host = environ.get("HTTP_HOST")
    if host is not None and host != before.get("HTTP_HOST"):
        dropped.add(b"host")
    if dropped:
        scope["headers"] = [
            (n, v) for n, v in scope.get("headers", ()) if n.lower() not in dropped
        ]
    if host is not None and host != before.get("HTTP_HOST"):
        scope["headers"].append((b"host", host.encode("latin-1")))
    script = environ.get("SCRIPT_NAME", "")
    if script != before["SCRIPT_NAME"]:
        root = _unlatin(script)
        scope["path"] = root + request_path(scope)
        scope["root_path"] = root


def secure(scope: Scope) -> None:
    """``server_secured``: the scheme is ``https`` (``wss``), by ``secure_scheme``.

    Only port 80 needs more (Host and server become https's default port),
    so only then is the scope put through the WSGI helper.
    """
    scope["scheme"] = "wss" if scope.get("type") == "websocket" else "https"
    server = scope.get("server")
    if server is not None and server[1] == 80:
        _secure_slowly(scope)
        return
    for name, value in scope.get("headers", ()):
        if name == b"host" or name.lower() == b"host":
            if value.endswith(b":80"):
                _secure_slowly(scope)
            return


def _secure_slowly(scope: Scope) -> None:
    environ = environ_of(scope)
    secure_scheme(environ)
    update_from(scope, environ)


async def read_body(receive: Receive, wanted: int) -> bytes | None:
    """At most ``wanted`` bytes of the request body; ``None``: the client left."""
    chunks: list[bytes] = []
    got = 0
    while got < wanted:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        got += len(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)[:wanted]


async def respond(app: WSGIApplication, environ: dict[str, Any], send: Send) -> None:
    """Answer with a WSGI responder of ours (the redirect, the report receiver)."""
    started: list[Any] = []

    def start_response(status: str, headers: list[tuple[str, str]], *_: Any) -> Any:
        started[:] = [status, headers]
        return _no_write

    result: Iterable[bytes] = app(environ, start_response)
    body = b"".join(result)
    status, headers = started
    await send(
        {
            "type": "http.response.start",
            "status": int(status.split(" ", 1)[0]),
            "headers": [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in headers
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def send_reply(reply: Reply, send: Send) -> None:
    """Answer with a :class:`Reply` of ours: its names lower-case, as ASGI asks."""
    await send(
        {
            "type": "http.response.start",
            "status": reply.code,
            "headers": [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in reply.headers
            ],
        }
    )
    await send({"type": "http.response.body", "body": reply.body})


def _no_write(data: bytes) -> None:  # pragma: no cover - ours never write()
    raise AssertionError("the responders return their body")
