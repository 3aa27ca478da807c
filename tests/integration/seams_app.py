"""The apps the seams tests serve: ``wsgi`` (gunicorn, waitress, wsgiref) and
``asgi`` (uvicorn, hypercorn), each wrapped in its SecureHeaders with
:data:`CONFIG`: one trusted proxy, the https redirect, the report receiver and
the cross-origin check, everything that reads a request header.

Each answers with what it saw as JSON (scheme, hosts, server, prefix, path),
so a test can tell what reached the app; a layer outside the middleware marks
every response that went through it (``X-Through``), so a test tells the
server's own refusals (a malformed header) from the middleware's answers. Under ASGI, ``/iter/<kind>`` starts
the response with its headers as that kind of iterable (``generator``,
``tuple``, ``map``, ``lists``: pairs as lists), its own policy among them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from secheaders_wsgi import SecureHeaders
from secheaders_wsgi.asgi import SecureHeaders as AsgiSecureHeaders

CONFIG: dict[str, Any] = {
    "trusted_proxies": 1,
    "force_https": True,
    "csp_report_path": "/_/csp-reports",
    "cross_origin": {"mode": "isolation"},
}
#: A report the receiver takes (204).
REPORT_BODY = json.dumps(
    {"csp-report": {"document-uri": "https://good.example/", "blocked-uri": "inline"}}
).encode()
#: The app's own headers under /iter/: its policy must win over ours.
APP_HEADERS = [
    (b"content-type", b"text/html; charset=utf-8"),
    (b"content-security-policy", b"default-src 'none'"),
    (b"x-app", b"iterable"),
]
ITERABLES: dict[str, Any] = {
    "generator": lambda: (pair for pair in APP_HEADERS),
    "tuple": lambda: tuple(APP_HEADERS),
    "map": lambda: map(tuple, APP_HEADERS),
    "lists": lambda: iter([list(pair) for pair in APP_HEADERS]),
}


def echo(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    seen = {
        "scheme": environ["wsgi.url_scheme"],
        "hosts": [environ.get("HTTP_HOST")],
        "server": [environ.get("SERVER_NAME"), environ.get("SERVER_PORT")],
        "prefix": environ.get("SCRIPT_NAME", ""),
        "path": environ.get("PATH_INFO", ""),
    }
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(seen).encode()]


async def echo_asgi(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            await send({"type": "lifespan.startup.complete"})
        await send({"type": "lifespan.shutdown.complete"})
        return
    kind = scope["path"].removeprefix("/iter/")
    if kind in ITERABLES:
        start = {"type": "http.response.start", "status": 200}
        await send({**start, "headers": ITERABLES[kind]()})
        await send({"type": "http.response.body", "body": b"<p>own policy</p>"})
        return
    seen = {
        "scheme": scope["scheme"],
        "hosts": [v.decode("latin-1") for k, v in scope["headers"] if k == b"host"],
        "server": list(scope.get("server") or ()),
        "prefix": scope.get("root_path", ""),
        "path": scope["path"],
    }
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": json.dumps(seen).encode()})


def marked(app: Any) -> Any:
    def through(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        def start(status: str, headers: list[Any], exc_info: Any = None) -> Any:
            return start_response(status, [*headers, ("X-Through", "1")], exc_info)

        return app(environ, start)  # type: ignore[no-any-return]

    return through


def marked_asgi(app: Any) -> Any:
    async def through(scope: Any, receive: Any, send: Any) -> None:
        async def start(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [*message["headers"], (b"x-through", b"1")]
                message = {**message, "headers": headers}
            await send(message)

        await app(scope, receive, start)

    return through


wsgi = marked(SecureHeaders(echo, CONFIG))
asgi = marked_asgi(AsgiSecureHeaders(echo_asgi, CONFIG))
