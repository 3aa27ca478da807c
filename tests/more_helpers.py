"""Small WSGI apps and shortcuts for the issue-4 tests (headers, redirect, paths)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from webtest import TestApp

from secheaders_wsgi import SecureHeaders

Headers = list[tuple[str, str]]

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-eval' 'unsafe-inline'; manifest-src 'self'; "
    "connect-src http: ws:; img-src * data: blob:; media-src * data: blob:; "
    "frame-src * data: blob:; object-src * data: blob:"
)


class Recorder:
    """A WSGI app that sends ``headers`` and records every environ it is called with."""

    def __init__(self, headers: Headers | None = None, status: str = "200 OK") -> None:
        self.headers = (
            headers if headers is not None else [("Content-Type", "text/html")]
        )
        self.status = status
        self.calls: list[dict[str, Any]] = []

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        self.calls.append(dict(environ))
        start_response(self.status, list(self.headers))
        return [b"ok"]

    @property
    def seen(self) -> dict[str, Any]:
        return self.calls[-1]


def served(
    config: Any = None, headers: Headers | None = None
) -> tuple[TestApp, Recorder]:
    app = Recorder(headers)
    return TestApp(SecureHeaders(app, config)), app


def values(response: Any, name: str) -> list[str]:
    """Every value of header ``name`` (compared without case), in order."""
    return [v for k, v in response.headerlist if k.lower() == name.lower()]


HTTPS = {"wsgi.url_scheme": "https"}
