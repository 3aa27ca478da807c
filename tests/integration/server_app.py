"""The app the server tests run under gunicorn and waitress.

``/`` a page with a cookie, ``/stream`` a generator that calls start_response
lazily, ``/file`` the file named by ``$SERVER_APP_FILE`` through the server's
``wsgi.file_wrapper``. Wrapped in SecureHeaders from the examples' YAML.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from secheaders_wsgi import SecureHeaders

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

CHUNKS = 50


def stream(start_response: StartResponse) -> Iterator[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    for i in range(CHUNKS):
        yield b"chunk %d\n" % i


def inner(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    path = environ["PATH_INFO"]
    if path == "/stream":
        return stream(start_response)
    if path == "/file":
        name = os.environ["SERVER_APP_FILE"]
        size = os.path.getsize(name)
        # Not a with block: the server closes it through the wrapper's close().
        file = open(name, "rb")
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/octet-stream"),
                ("Content-Length", str(size)),
                # Tells the test the server offered a file_wrapper at all.
                ("X-File-Wrapper", str("wsgi.file_wrapper" in environ)),
            ],
        )
        return environ["wsgi.file_wrapper"](file, 64 * 1024)  # type: ignore[no-any-return]
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Set-Cookie", "session=abc; Path=/; HttpOnly"),
            ("Set-Cookie", "theme=dark; Path=/; Secure"),
        ],
    )
    return [b"<!doctype html><title>served</title><p>hello</p>\n"]


app = SecureHeaders(
    inner,
    os.path.join(os.path.dirname(__file__), "..", "..", "examples", "security.yaml"),
)
