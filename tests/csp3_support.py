"""Helpers shared by the issue-3 tests (nonces, reporting, receiver, presets).

Kept out of conftest.py so that it merges beside the core tests' conftest.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from typing import Any

from webtest import TestApp

from secheaders_wsgi import SecureHeaders, csp_nonce

Headers = list[tuple[str, str]]
WSGIApp = Callable[..., Iterable[bytes]]


def page_app(use_nonce: bool = True, headers: Headers | None = None) -> WSGIApp:
    """An HTML page that puts the nonce in its body when ``use_nonce``."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        app.calls.append(environ)  # type: ignore[attr-defined]
        body = csp_nonce(environ).encode() if use_nonce else b"<p>hi</p>"
        start_response("200 OK", list(headers or [("Content-Type", "text/html")]))
        return [body]

    app.calls = []  # type: ignore[attr-defined]
    return app


def served(config: Any = None, **kwargs: Any) -> TestApp:
    return TestApp(SecureHeaders(page_app(**kwargs), config))


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


def all_headers(response: Any, name: str) -> list[str]:
    return [v for k, v in response.headerlist if k.lower() == name.lower()]


class Recorder:
    """A start_response that keeps what it was given."""

    def __init__(self) -> None:
        self.status: str | None = None
        self.headers: Headers = []

    def __call__(
        self, status: str, headers: Headers, exc_info: Any = None
    ) -> Callable[[bytes], None]:
        self.status, self.headers = status, headers
        return lambda data: None

    def get(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


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
