"""Soak: threads mixing named overrides, CSP changes and omitted headers on one
SecureHeaders; what one request asks for never shows in another's headers."""

from __future__ import annotations

import re
from typing import Any

from secheaders_wsgi import (
    SecureHeaders,
    csp_nonce,
    drop_headers,
    replace_csp,
    update_csp,
    use_override,
)
from tests.integration.soak_support import all_finished, masked, response_of
from tests.support import environ_for

THREADS = 8
REQUESTS = 3_000
CONFIG = {
    "csp_unsafe_inline": False,
    "csp_unsafe_eval": True,
    "csp_report_only_header": {"default-src": "'self'"},
    "csp_report_uri": "/csp",
    "paths": [
        {"prefix": "/embed/", "csp_frame_ancestors": ["https://partner.example"]},
        {"prefix": "/api/", "csp_header": False},
    ],
    "overrides": {
        "framed": {"csp_frame_ancestors": ["'self'", "https://a.example"]},
        "quiet": {"referrer_policy": "no-referrer", "x_frame_options": False},
        "locked": {"replace": True, "csp_header": {"default-src": "'self'"}},
    },
}
PATHS = ["/", "/embed/x", "/api/y"]
# What a view does, by name; the query string picks one.
ACTIONS: dict[str, Any] = {
    "none": lambda e: None,
    "framed": lambda e: use_override(e, "framed"),
    "stack": lambda e: (use_override(e, "locked"), use_override(e, "quiet")),
    "update": lambda e: update_csp(e, {"img-src": "https://cdn.example"}),
    "replace": lambda e: replace_csp(e, {"img-src": None, "form-action": "'none'"}),
    "trial": lambda e: update_csp(
        e, {"img-src": "https://t.example"}, report_only=True
    ),
    "omit": lambda e: drop_headers(e, "X-Frame-Options", "Referrer-Policy"),
    "all": lambda e: (
        use_override(e, "framed"),
        update_csp(e, {"script-src": "https://js.example"}),
        drop_headers(e, "X-Content-Type-Options"),
    ),
}
_NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    action, _, nonce = environ["QUERY_STRING"].partition("+")
    ACTIONS[action](environ)
    body = csp_nonce(environ).encode() if nonce else b"-"
    start_response("200 OK", [("Content-Type", "text/html")])
    return [body]


def call(
    middleware: SecureHeaders, path: str, action: str, nonce: bool
) -> tuple[list[tuple[str, str]], bytes]:
    query = f"{action}+nonce" if nonce else action
    environ = environ_for(path, QUERY_STRING=query)
    return response_of(middleware, environ)


def test_overrides_in_one_request_never_leak_into_another() -> None:
    middleware = SecureHeaders(app, CONFIG)
    cases = [
        (path, action, nonce)
        for path in PATHS
        for action in ACTIONS
        for nonce in (False, True)
    ]
    expected = {}
    for case in cases:
        headers, body = call(middleware, *case)
        expected[case] = masked(headers, body) if case[2] else headers
    # The cases differ from each other: a leak would show.
    assert len({tuple(v) for v in expected.values()}) > len(cases) // 2

    wrong: list[Any] = []

    def worker(index: int) -> None:
        for i in range(REQUESTS):
            case = cases[(i * 11 + index) % len(cases)]
            headers, body = call(middleware, *case)
            if case[2]:
                for name, value in headers:
                    found = _NONCE.findall(value)
                    if found and found != [body.decode()] * len(found):
                        wrong.append(("nonce mismatch", case, name, value))
                headers = masked(headers, body)
            if headers != expected[case]:
                wrong.append((case, headers))

    assert all_finished(THREADS, worker, timeout=300)
    assert wrong == []
