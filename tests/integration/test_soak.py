"""Soak: 8 threads x 5,000 requests on one SecureHeaders, mixing every per-request path."""

from __future__ import annotations

import re
from typing import Any

from secheaders_wsgi import SecureHeaders, csp_nonce
from tests.integration.soak_support import all_finished, masked, response_of
from tests.support import environ_for

THREADS = 8
REQUESTS = 5_000
CONFIG = {
    "csp_unsafe_inline": False,
    "cookie_samesite": "Lax",
    "paths": [
        {"prefix": "/secure/", "server_secured": True},
        {"prefix": "/embed/", "csp_frame_ancestors": ["https://partner.example"]},
        {"prefix": "/api/", "csp_header": False},
    ],
}
PATHS = ["/", "/secure/a", "/embed/b", "/api/c"]
_NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]+)'")


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    use_nonce = environ["QUERY_STRING"] == "nonce"
    body = csp_nonce(environ).encode() if use_nonce else b"-"
    start_response("200 OK", [("Content-Type", "text/html"), ("Set-Cookie", "s=1")])
    return [body]


def call(
    middleware: SecureHeaders, path: str, nonce: bool, scheme: str
) -> tuple[list[tuple[str, str]], bytes]:
    environ = environ_for(
        path,
        SERVER_NAME="example.com",
        HTTP_HOST="example.com",
        QUERY_STRING="nonce" if nonce else "",
        **{"wsgi.url_scheme": scheme},
    )
    return response_of(middleware, environ)


def test_threads_get_the_right_headers_and_never_share_a_nonce() -> None:
    middleware = SecureHeaders(app, CONFIG)
    cases = [
        (path, nonce, scheme)
        for path in PATHS
        for nonce in (False, True)
        for scheme in ("http", "https")
    ]
    # What each case must look like, from a single-threaded run (nonce masked).
    expected = {}
    for case in cases:
        headers, body = call(middleware, *case)
        expected[case] = masked(headers, body) if case[1] else headers
    assert len({tuple(v) for v in expected.values()}) > len(PATHS)  # cases differ
    nonced = [
        c
        for c, h in expected.items()
        if "'nonce-N'" in dict(h).get("Content-Security-Policy", "")
    ]
    assert len(nonced) == 6  # every nonce case but /api/, which has no CSP

    wrong: list[Any] = []
    nonces: list[list[str]] = [[] for _ in range(THREADS)]

    def worker(index: int) -> None:
        for i in range(REQUESTS):
            case = cases[(i * 7 + index) % len(cases)]
            headers, body = call(middleware, *case)
            if case[1]:
                csp = dict(headers).get("Content-Security-Policy", "")
                in_header = _NONCE.findall(csp)
                if in_header and in_header != [body.decode()] * len(in_header):
                    wrong.append(("nonce mismatch", case, csp, body))
                nonces[index].append(body.decode())
                headers = masked(headers, body)
            if headers != expected[case]:
                wrong.append((case, headers))

    assert all_finished(THREADS, worker, timeout=120)
    assert wrong == []
    made = [n for per_thread in nonces for n in per_thread]
    assert len(made) == THREADS * REQUESTS // 2
    assert len(set(made)) == len(made), "a nonce was reused"
