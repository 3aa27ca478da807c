"""The ASGI translation: a scope as the core's view of a request, and back.

The core reads a request through :class:`ScopeRequest` (the path as PEP 3333
spells ``PATH_INFO``, so path rules match alike under both adapters; a header
by its exact name) and writes its :class:`~secheaders_wsgi.request.scheme.Fix`
back into the scope; :func:`send_reply` and :func:`read_body` carry its
answers and the report body.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from ..reply import Reply
from ..request.scheme import Fix

__all__ = [
    "ASGIApp",
    "Message",
    "Receive",
    "Scope",
    "ScopeRequest",
    "Send",
    "pep3333_path",
    "read_body",
    "send_reply",
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
    """:func:`request_path` as PEP 3333 spells ``PATH_INFO``, its bytes as latin-1."""
    path = request_path(scope)
    return path if path.isascii() else _latin(path)


def _latin(text: str) -> str:
    """An ASGI (UTF-8 decoded) path as PEP 3333 spells it: the bytes, latin-1."""
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


def _unlatin(text: str) -> str:
    return text.encode("latin-1").decode("utf-8", "surrogateescape")


class ScopeRequest:
    """The core's view of an ASGI request; its rewrites go into ``scope``.

    The scope must be the adapter's own copy: a change must not leak upstream.
    """

    __slots__ = ("scope",)

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def path(self) -> str:
        return pep3333_path(self.scope)

    def method(self) -> str:
        return str(self.scope.get("method", "GET"))

    def scheme(self) -> str:
        return "https" if self.scope.get("scheme") in ("https", "wss") else "http"

    def header(self, name: str) -> str | None:
        # By the exact name, case aside: never by a name folded from another
        # spelling (x_forwarded_proto is not x-forwarded-proto), whatever a
        # proxy in front passes on. Repeated ones are joined, as WSGI servers do.
        wanted = _NAMES.get(name) or _name(name)
        found: bytes | None = None
        for key, value in self.scope.get("headers", ()):
            if key == wanted or key.lower() == wanted:
                found = value if found is None else found + b"," + value
        return None if found is None else found.decode("latin-1")

    def server_port(self) -> str | None:
        server = self.scope.get("server")
        if not server or server[1] is None:
            return None
        return str(server[1])

    def target(self) -> tuple[str, str]:
        scope = self.scope
        root = _latin(str(scope.get("root_path", "")))
        query = scope.get("query_string", b"")
        # Servers send bytes; Django's AsyncClient, text (urlencoded ASCII).
        return root, query if isinstance(query, str) else bytes(query).decode("latin-1")

    def rewrite(self, fix: Fix) -> None:
        scope = self.scope
        if fix.scheme is not None:
            websocket = scope.get("type") == "websocket"
            scope["scheme"] = (
                {"https": "wss", "http": "ws"}[fix.scheme] if websocket else fix.scheme
            )
        if fix.server_name is not None or fix.server_port is not None:
            name, port = scope.get("server") or (None, None)
            if fix.server_name is not None:
                name = fix.server_name
            if fix.server_port is not None:
                port = int(fix.server_port)
            scope["server"] = (name, port)
        if fix.dropped or fix.host is not None:
            dropped = {_NAMES.get(name) or _name(name) for name in fix.dropped}
            if fix.host is not None:
                dropped.add(b"host")
            headers = [
                (key, value)
                for key, value in scope.get("headers", ())
                if key.lower() not in dropped
            ]
            if fix.host is not None:
                headers.append((b"host", fix.host.encode("latin-1")))
            scope["headers"] = headers
        if fix.prefix is not None:
            path = request_path(scope)
            root = _unlatin(fix.prefix)
            scope["root_path"] = root
            scope["path"] = root + path


# The names the core asks for, as ASGI spells them: lower-case bytes.
_NAMES: dict[str, bytes] = {}


def _name(name: str) -> bytes:
    # The core asks for a handful of names: each is encoded once, then kept.
    encoded = _NAMES[name] = name.encode("latin-1")
    return encoded


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
