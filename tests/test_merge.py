"""The header merge on the request path: fast path and slow path agree.

The middleware appends its headers without building a set when no app header
is one of its own or a cookie to secure; these pin what must not change when
it takes either path.
"""

from __future__ import annotations

from typing import Any

import pytest

from secheaders_wsgi import SecureHeaders

Header = tuple[str, str]


def _respond(app_headers: list[Header], config: Any = None) -> list[Header]:
    got: list[list[Header]] = []

    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", app_headers)
        return [b""]

    def start_response(status: str, headers: list[Header], exc: Any = None) -> Any:
        got.append(headers)

    start: Any = start_response  # a no-op stand-in for the server's
    SecureHeaders(app, config)({"wsgi.url_scheme": "http"}, start)
    return got[0]


def test_fast_path_appends_ours_after_the_apps() -> None:
    out = _respond([("Content-Type", "text/html")])
    assert out[0] == ("Content-Type", "text/html")
    assert [n for n, _ in out[1:]] == [
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "X-XSS-Protection",
        "Referrer-Policy",
    ]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Referrer-Policy", id="same-case"),
        pytest.param("referrer-policy", id="lower"),
        pytest.param("REFERRER-POLICY", id="upper"),
    ],
)
def test_app_set_header_wins_whatever_its_case(name: str) -> None:
    out = _respond([(name, "no-referrer")])
    assert [v for n, v in out if n.lower() == "referrer-policy"] == ["no-referrer"]


@pytest.mark.parametrize(
    ("cookie", "expected"),
    [
        pytest.param("a=1", "a=1; Secure", id="plain"),
        pytest.param("a=1; Secure", "a=1; Secure", id="has-secure"),
        pytest.param("a=1;secure", "a=1;secure", id="has-secure-no-space"),
        pytest.param("secure_id=1; Path=/", "secure_id=1; Path=/; Secure", id="name"),
        pytest.param("a=secure", "a=secure; Secure", id="value"),
        pytest.param("a=1; Securely", "a=1; Securely; Secure", id="lookalike"),
    ],
)
def test_secured_cookies_get_secure_once(cookie: str, expected: str) -> None:
    out = _respond([("Set-Cookie", cookie)], {"server_secured": True})
    assert [v for n, v in out if n == "Set-Cookie"] == [expected]


def test_every_cookie_is_kept_and_the_apps_list_is_not_mutated() -> None:
    app_headers = [("Set-Cookie", "a=1"), ("set-cookie", "b=2"), ("X-A", "1")]
    before = list(app_headers)
    out = _respond(app_headers, {"server_secured": True})
    assert app_headers == before
    assert [v for n, v in out if n.lower() == "set-cookie"] == [
        "a=1; Secure",
        "b=2; Secure",
    ]


def test_cookies_are_left_alone_when_not_secured() -> None:
    out = _respond([("Set-Cookie", "a=1")])
    assert ("Set-Cookie", "a=1") in out
