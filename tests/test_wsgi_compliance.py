"""PEP 3333: the middleware passes everything the app does through untouched, on every
response it makes or changes itself (redirects, 400s, path rules, cookie rewrites, proxies)."""

from __future__ import annotations

import io
import sys
import warnings
from collections.abc import Iterator
from typing import Any
from wsgiref.validate import validator

import pytest
from webtest import TestApp
from werkzeug.middleware.lint import LintMiddleware

from secheaders_wsgi import SecureHeaders
from tests.support import RecordingApp, RecordingStartResponse, environ_for


class ClosingBody:
    """An iterable with close(), len() and a marker, like a file wrapper."""

    def __init__(self) -> None:
        self.closed = 0

    def __iter__(self) -> Iterator[bytes]:
        yield b"body"

    def __len__(self) -> int:
        return 1

    def close(self) -> None:
        self.closed += 1


def test_the_apps_iterable_is_returned_as_is_and_closed_once_by_the_server() -> None:
    body = ClosingBody()

    def app(env: Any, start_response: Any) -> ClosingBody:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return body

    result = SecureHeaders(app)(environ_for(), RecordingStartResponse())
    assert result is body
    assert list(result) == [b"body"]
    result.close()  # what the server does
    assert body.closed == 1


def test_close_reaches_the_body_through_webtest() -> None:
    body = ClosingBody()

    def app(env: Any, start_response: Any) -> ClosingBody:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return body

    TestApp(SecureHeaders(app)).get("/")
    assert body.closed == 1


def test_file_wrapper_survives() -> None:
    class FileWrapper:
        def __init__(self, file: Any, block_size: int = 8192) -> None:
            self.file = file

        def __iter__(self) -> Iterator[bytes]:
            return iter(lambda: self.file.read(4), b"")

    def app(env: Any, start_response: Any) -> Any:
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return env["wsgi.file_wrapper"](io.BytesIO(b"0123456789"))

    result = SecureHeaders(app)(
        environ_for(**{"wsgi.file_wrapper": FileWrapper}), RecordingStartResponse()
    )
    assert isinstance(result, FileWrapper)


def test_the_write_callable_is_returned_and_writes_reach_the_server() -> None:
    def app(env: Any, start_response: Any) -> list[bytes]:
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"written ")
        return [b"returned"]

    server = RecordingStartResponse()
    body = SecureHeaders(app)(environ_for(), server)
    assert server.written == [b"written "]
    assert list(body) == [b"returned"]


def test_exc_info_is_forwarded_positionally() -> None:
    def app(env: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            start_response(
                "500 Internal Server Error",
                [("Content-Type", "text/plain")],
                sys.exc_info(),
            )
        return [b"error"]

    seen: list[Any] = []

    def start_response(status: str, headers: Any, *args: Any) -> Any:
        seen.append((status, args))
        return lambda data: None

    SecureHeaders(app)(environ_for(), start_response)
    assert [status for status, _ in seen] == ["200 OK", "500 Internal Server Error"]
    assert seen[0][1] == (None,)
    assert seen[1][1][0][0] is RuntimeError


def test_exc_info_after_headers_were_sent_reraises_through_the_middleware() -> None:
    def app(env: Any, start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"partial"
        try:
            raise RuntimeError("late")
        except RuntimeError:
            start_response("500 Internal Server Error", [], sys.exc_info())

    server = RecordingStartResponse()
    body = SecureHeaders(app)(environ_for(), server)
    with pytest.raises(RuntimeError, match="late"):
        list(body)


def test_an_app_that_starts_the_response_lazily_still_gets_our_headers() -> None:
    def app(env: Any, start_response: Any) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"lazy"

    server = RecordingStartResponse()
    body = SecureHeaders(app)(environ_for(), server)
    assert server.calls == []
    assert list(body) == [b"lazy"]
    names = [name for name, _ in server.calls[0][1]]
    assert "Content-Security-Policy" in names


def test_the_apps_header_list_is_never_mutated() -> None:
    theirs = [("Content-Type", "text/plain"), ("Set-Cookie", "a=1")]
    snapshot = list(theirs)

    def app(env: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", theirs)
        return [b""]

    server = RecordingStartResponse()
    SecureHeaders(app, {"server_secured": True})(environ_for(), server)
    assert theirs == snapshot
    assert server.calls[0][1] is not theirs


def test_status_and_body_pass_through_unchanged() -> None:
    app = TestApp(
        SecureHeaders(RecordingApp(status="418 I'm a teapot", body=b"\x00\xffbin"))
    )
    response = app.get("/", status=418)
    assert response.status == "418 I'm a teapot"
    assert response.body == b"\x00\xffbin"


def test_headers_are_native_latin1_strings() -> None:
    server = RecordingStartResponse()
    config = {"server_secured": True, "csp_safe_src": ["'self'", "cdn.example.com"]}
    SecureHeaders(RecordingApp(), config)(environ_for(), server)
    for name, value in server.calls[0][1]:
        assert type(name) is str and type(value) is str
        name.encode("latin-1")
        value.encode("latin-1")


@pytest.mark.parametrize(
    "config", [None, {"server_secured": True}], ids=["plain", "secured"]
)
def test_validator_on_both_sides_raises_and_warns_nothing(config: Any) -> None:
    inner = validator(
        RecordingApp(headers=[("Content-Type", "text/html"), ("Set-Cookie", "a=1")])
    )
    app = validator(SecureHeaders(inner, config))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        response = TestApp(app).get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_werkzeug_lint_raises_and_warns_nothing() -> None:
    app = LintMiddleware(
        SecureHeaders(LintMiddleware(RecordingApp()), {"server_secured": True})
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        response = TestApp(app).get("/")
        response = TestApp(app).head("/")
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize(
    ("method", "status", "body"),
    [
        pytest.param("HEAD", "200 OK", b"", id="head"),
        pytest.param("GET", "204 No Content", b"", id="204"),
        pytest.param("GET", "304 Not Modified", b"", id="304"),
    ],
)
def test_head_204_304_are_untouched_apart_from_our_headers(
    method: str, status: str, body: bytes
) -> None:
    theirs = [("ETag", '"v1"')]
    if method == "HEAD":
        theirs.append(("Content-Type", "text/html"))
    inner = RecordingApp(headers=theirs, status=status, body=body)
    server = RecordingStartResponse()
    result = SecureHeaders(validator(inner))(environ_for(method=method), server)
    assert b"".join(result) == body
    result.close()  # type: ignore[attr-defined]
    sent_status, sent, _ = server.calls[0]
    assert sent_status == status
    assert sent[: len(theirs)] == theirs
    assert [name for name, _ in sent[len(theirs) :]] == [
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "X-XSS-Protection",
        "Referrer-Policy",
    ]


# Responses the middleware makes or rewrites itself


CONFIG = {
    "force_https": True,
    "force_https_exempt": ["/healthz"],
    "allowed_hosts": ["example.com"],
    "trusted_proxies": 1,
    "cookie_samesite": "Lax",
    "cookie_httponly": True,
    "permissions_policy": {"camera": []},
    "paths": [{"prefix": "/api", "csp_header": False}],
}

APP_HEADERS = [
    ("Content-Type", "text/plain"),
    ("Set-Cookie", "a=1"),
    ("X-Powered-By", "x"),
]


@pytest.mark.parametrize("lint", ["wsgiref", "werkzeug"])
@pytest.mark.parametrize(
    ("method", "path", "headers", "status"),
    [
        pytest.param("GET", "/a?b=c", {"Host": "example.com"}, 301, id="redirect-get"),
        pytest.param("HEAD", "/a", {"Host": "example.com"}, 301, id="redirect-head"),
        pytest.param("POST", "/a", {"Host": "example.com"}, 308, id="redirect-post"),
        pytest.param("GET", "/a", {"Host": "evil.example"}, 400, id="foreign-host"),
        pytest.param("GET", "/healthz", {"Host": "example.com"}, 200, id="exempt"),
        pytest.param(
            "GET",
            "/api/x",
            {"Host": "example.com", "X-Forwarded-Proto": "https"},
            200,
            id="rule-over-proxy-https",
        ),
    ],
)
def test_validators_on_both_sides(
    method: str, path: str, headers: dict[str, str], status: int, lint: str
) -> None:
    wrap: Any = validator if lint == "wsgiref" else LintMiddleware
    inner = RecordingApp(APP_HEADERS)
    app = TestApp(wrap(SecureHeaders(wrap(inner), CONFIG)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        response = app.request(path, method=method, headers=headers, expect_errors=True)
    assert response.status_int == status
    for name, value in response.headerlist:
        assert isinstance(name, str) and isinstance(value, str)
        value.encode("latin-1")
