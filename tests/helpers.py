"""Small WSGI apps and parsers shared by the tests."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from webtest import TestApp

from secheaders_wsgi import SecureHeaders

Headers = list[tuple[str, str]]


def make_app(
    headers: Headers | None = None, status: str = "200 OK", body: bytes = b"<p>hi</p>"
) -> Callable[..., Iterable[bytes]]:
    """A trivial WSGI app that sends ``headers`` and records the environ it saw."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        app.seen = environ  # type: ignore[attr-defined]
        start_response(status, list(headers or [("Content-Type", "text/html")]))
        return [body]

    return app


def served(config: Any = None, **kwargs: Any) -> TestApp:
    return TestApp(SecureHeaders(make_app(**kwargs), config))


def csp_of(value: str) -> dict[str, list[str]]:
    """Parse a CSP header into {directive: sources}, refusing duplicate directives."""
    parsed: dict[str, list[str]] = {}
    for part in value.split(";"):
        words = part.split()
        if not words:
            continue
        assert words[0] not in parsed, f"duplicate directive {words[0]}"
        parsed[words[0]] = words[1:]
    return parsed


class CountingInput(io.RawIOBase):
    """A wsgi.input that records how many bytes were read from it."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        chunk = self._data.read(size)
        self.bytes_read += len(chunk)
        return chunk


def environ_for(
    path: str = "/", method: str = "GET", body: bytes = b"", **extra: Any
) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": CountingInput(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    environ.update(extra)
    return environ
