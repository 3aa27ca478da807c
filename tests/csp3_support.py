"""Helpers shared by the issue-3 tests (nonces, reporting, receiver, presets).

The WSGI environ, the counting input and the CSP parser come from helpers.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from helpers import CountingInput, csp_of, environ_for
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


__all__ = [
    "CountingInput",
    "Recorder",
    "all_headers",
    "csp_of",
    "environ_for",
    "page_app",
    "served",
]
