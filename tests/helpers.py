"""Small WSGI apps and parsers shared by the tests."""

from __future__ import annotations

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
