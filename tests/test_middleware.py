"""What the middleware does to a response: merging (fast and slow path), app headers
winning, remove_headers, cookies, the https scheme."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask, url_for
from webtest import TestApp

from secheaders_wsgi import SecureHeaders, SecurityWarning, load_config
from tests.support import (
    Headers,
    RecordingApp,
    RecordingStartResponse,
    environ_for,
    served,
    values,
)


@pytest.mark.parametrize(
    "name",
    ["Content-Security-Policy", "content-security-policy", "CONTENT-SECURITY-POLICY"],
)
def test_app_set_header_wins_whatever_its_case(name: str) -> None:
    app = served(headers=[("Content-Type", "text/html"), (name, "default-src 'none'")])
    response = app.get("/")
    sent = [v for n, v in response.headerlist if n.lower() == "content-security-policy"]
    assert sent == ["default-src 'none'"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_app_set_hsts_and_referrer_win_and_are_sent_once() -> None:
    headers = [
        ("Referrer-Policy", "no-referrer"),
        ("strict-transport-security", "max-age=5"),
    ]
    response = served({"server_secured": True}, headers=headers).get("/")
    pairs = [(n.lower(), v) for n, v in response.headerlist]
    assert pairs.count(("referrer-policy", "no-referrer")) == 1
    assert [v for n, v in pairs if n == "referrer-policy"] == ["no-referrer"]
    assert [v for n, v in pairs if n == "strict-transport-security"] == ["max-age=5"]


COOKIES = [
    ("Set-Cookie", "session=abc; Path=/; HttpOnly"),
    ("Set-Cookie", "theme=dark"),
    ("set-cookie", "already=1; secure; Path=/"),
    ("Set-Cookie", "spaced=2;  SECURE  ;Path=/x"),
    ("Set-Cookie", 'quoted="a;b"; Max-Age=60'),
]


def test_every_set_cookie_is_kept_unchanged_when_not_secured() -> None:
    response = served(headers=[("Content-Type", "text/html"), *COOKIES]).get("/")
    assert [
        (n, v) for n, v in response.headerlist if n.lower() == "set-cookie"
    ] == COOKIES


def test_server_secured_adds_secure_once_to_every_cookie() -> None:
    response = served({"server_secured": True}, headers=COOKIES).get("/")
    cookies = [(n, v) for n, v in response.headerlist if n.lower() == "set-cookie"]
    assert cookies == [
        ("Set-Cookie", "session=abc; Path=/; HttpOnly; Secure"),
        ("Set-Cookie", "theme=dark; Secure"),
        ("set-cookie", "already=1; secure; Path=/"),
        ("Set-Cookie", "spaced=2;  SECURE  ;Path=/x"),
        ("Set-Cookie", 'quoted="a;b"; Max-Age=60; Secure'),
    ]


def test_cookie_whose_value_says_secure_still_gets_the_attribute() -> None:
    response = served(
        {"server_secured": True}, headers=[("Set-Cookie", "secure=1")]
    ).get("/")
    assert response.headers["Set-Cookie"] == "secure=1; Secure"


def test_server_secured_makes_the_app_see_https() -> None:
    inner = RecordingApp()
    TestApp(SecureHeaders(inner, {"server_secured": True})).get(
        "/", extra_environ={"wsgi.url_scheme": "http"}
    )
    assert inner.seen["wsgi.url_scheme"] == "https"


def test_without_server_secured_the_scheme_is_left_alone() -> None:
    inner = RecordingApp()
    TestApp(SecureHeaders(inner)).get("/", extra_environ={"wsgi.url_scheme": "http"})
    assert inner.seen["wsgi.url_scheme"] == "http"


def _flask_app() -> Flask:
    flask = Flask(__name__)

    @flask.route("/")
    def index() -> str:
        return url_for("index", _external=True)

    return flask


def _raw_call(app: Any) -> bytes:
    """Call a WSGI app by hand with an http environ, as a plain-http server would."""
    environ = environ_for(SERVER_NAME="example.com", HTTP_HOST="example.com")
    result = app(environ, lambda status, headers, exc_info=None: None)
    try:
        return b"".join(result)
    finally:
        result.close()


def test_flask_url_for_external_says_https_when_secured() -> None:
    flask = _flask_app()
    assert _raw_call(flask) == b"http://example.com/"
    assert (
        _raw_call(SecureHeaders(flask, {"server_secured": True}))
        == b"https://example.com/"
    )


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        pytest.param("example.com", "80", b"https://example.com/", id="host-no-port"),
        pytest.param(
            "example.com:80", "80", b"https://example.com/", id="host-port-80"
        ),
        pytest.param(None, "80", b"https://example.com/", id="no-host"),
        pytest.param(
            "example.com:8443", "8443", b"https://example.com:8443/", id="other-port"
        ),
    ],
)
def test_secured_urls_drop_plain_https_default_port(
    host: str | None, port: str, url: bytes
) -> None:
    environ = environ_for(SERVER_NAME="example.com", SERVER_PORT=port)
    if host is not None:
        environ["HTTP_HOST"] = host
    app = SecureHeaders(_flask_app(), {"server_secured": True})
    result = app(environ, lambda status, headers, exc_info=None: None)
    try:
        assert b"".join(result) == url
    finally:
        result.close()  # type: ignore[attr-defined]


def test_requests_never_rebuild_the_headers(monkeypatch: pytest.MonkeyPatch) -> None:
    # The contract: computed once at construction, per rule too; a request
    # (http, https, a rule's path, with or without a nonce) only copies.
    from secheaders_wsgi import csp_nonce, plan, policy

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ["QUERY_STRING"] == "nonce":
            csp_nonce(environ)
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b""]

    config = {
        "csp_unsafe_inline": False,
        "hsts_header": "max-age=60",
        "csp_report_path": "/_/csp",
        "paths": [{"prefix": "/embed/", "csp_frame_ancestors": ["'self'"]}],
    }
    wrapped = TestApp(SecureHeaders(app, config))

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("headers were computed during a request")

    for module in (plan, policy):
        monkeypatch.setattr(module, "headers", forbidden)
    monkeypatch.setattr(plan.Plan, "build", forbidden)
    monkeypatch.setattr(plan.Side, "build", forbidden)
    for path in ("/", "/embed/x"):
        for query in ("", "nonce"):
            for scheme in ("http", "https"):
                response = wrapped.get(
                    path, query, extra_environ={"wsgi.url_scheme": scheme}
                )
                assert "Content-Security-Policy" in response.headers
                assert ("Strict-Transport-Security" in response.headers) is (
                    scheme == "https"
                )


# The merge has a fast path (append ours) when no app header is one of ours or
# a cookie to secure, and a slow path otherwise; these pin what both must keep.


def _respond(app_headers: Headers, config: Any = None) -> Headers:
    def app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", app_headers)  # the app's own list, to see it unmutated
        return [b""]

    server = RecordingStartResponse()
    SecureHeaders(app, config)({"wsgi.url_scheme": "http"}, server)
    return server.headers


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
def test_app_set_referrer_policy_wins_whatever_its_case(name: str) -> None:
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


# remove_headers and per-response app overrides


def test_x_powered_by_removed_by_default() -> None:
    app = served(headers=[("Content-Type", "text/html"), ("x-powered-by", "PHP/5")])
    response = app.get("/")
    assert values(response, "X-Powered-By") == []
    assert values(response, "Content-Type") == ["text/html"]


def test_remove_headers_custom_list_keeps_everything_else() -> None:
    app_headers = [
        ("Content-Type", "text/html"),
        ("X-Powered-By", "PHP/5"),
        ("X-AspNet-Version", "4.0"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
    ]
    app = served({"remove_headers": ["x-aspnet-version"]}, headers=app_headers)
    response = app.get("/")
    assert values(response, "X-AspNet-Version") == []
    assert values(response, "X-Powered-By") == ["PHP/5"]  # [] replaces the default
    assert values(response, "Set-Cookie") == ["a=1", "b=2"]


def test_remove_headers_empty_list_removes_nothing() -> None:
    app = served({"remove_headers": []}, headers=[("X-Powered-By", "PHP/5")])
    assert values(app.get("/"), "X-Powered-By") == ["PHP/5"]


def test_removing_our_own_header_name_makes_ours_win_over_the_apps() -> None:
    app_headers = [("Content-Type", "text/html"), ("Referrer-Policy", "unsafe-url")]
    app = served({"remove_headers": ["Referrer-Policy"]}, headers=app_headers)
    assert values(app.get("/"), "Referrer-Policy") == [
        "strict-origin-when-cross-origin"
    ]


def test_removing_server_warns_it_is_out_of_reach() -> None:
    with pytest.warns(SecurityWarning, match=r"remove_headers\[0\]: 'Server'.*WSGI"):
        load_config({"remove_headers": ["Server"]})


@pytest.mark.parametrize(
    "name", ["Permissions-Policy", "x-frame-options", "CROSS-ORIGIN-OPENER-POLICY"]
)
def test_app_set_header_wins_per_response(name: str) -> None:
    config = {
        "permissions_policy": {"camera": []},
        "csp_frame_ancestors": False,
        "cross_origin_opener_policy": "same-origin",
    }
    app_headers = [("Content-Type", "text/html"), (name, "app-value")]
    app = served(config, headers=app_headers)
    response = app.get("/")
    assert values(response, name) == ["app-value"]
    others = {
        "permissions-policy": "camera=()",
        "x-frame-options": "DENY",
        "cross-origin-opener-policy": "same-origin",
    }
    del others[name.lower()]
    for other, value in others.items():
        assert values(response, other) == [value]
