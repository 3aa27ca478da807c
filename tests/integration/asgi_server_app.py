"""The ASGI app the server tests run under uvicorn and hypercorn: ``/`` a page
with two cookies, ``/stream`` a body in many messages. Wrapped in the ASGI
SecureHeaders from the examples' YAML."""

from __future__ import annotations

import os
from typing import Any

from secheaders_wsgi.asgi import SecureHeaders

CHUNKS = 50


async def inner(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        if scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["path"] == "/stream":
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        for i in range(CHUNKS):
            body = b"chunk %d\n" % i
            await send({"type": "http.response.body", "body": body, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
        return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"set-cookie", b"session=abc; Path=/; HttpOnly"),
                (b"set-cookie", b"theme=dark; Path=/; Secure"),
                (b"x-scheme", scope["scheme"].encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": b"<p>hello</p>\n"})


app = SecureHeaders(
    inner,
    os.path.join(os.path.dirname(__file__), "..", "..", "examples", "security.yaml"),
)
