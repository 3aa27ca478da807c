"""trusted_proxies: X-Forwarded-* is believed for exactly the last N hops."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from webtest import TestApp

from secheaders_wsgi import SecureHeaders
from tests.support import RecordingApp, served, values

SPOOF = {
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Port": "443",
    "X-Forwarded-Prefix": "/evil",
}


def test_zero_proxies_ignores_a_spoofed_forwarded_proto() -> None:
    config = {"force_https": True, "hsts_header": "max-age=60"}
    recorder = RecordingApp()
    app = served(config, app=recorder)
    response = app.get("/a", headers={"Host": "example.com", **SPOOF}, status=301)
    assert response.headers["Location"] == "https://example.com/a"  # still redirected
    assert values(response, "Strict-Transport-Security") == []  # no HSTS
    assert recorder.calls == []


def test_zero_proxies_leaves_the_scheme_and_host_alone() -> None:
    recorder = RecordingApp()
    app = served({"hsts_header": "max-age=60"}, app=recorder)
    response = app.get("/a", headers={"Host": "example.com", **SPOOF})
    assert values(response, "Strict-Transport-Security") == []
    assert recorder.seen["wsgi.url_scheme"] == "http"  # no scheme change
    assert recorder.seen["HTTP_HOST"] == "example.com"
    assert recorder.seen["SCRIPT_NAME"] == ""
    assert "werkzeug.proxy_fix.orig" not in recorder.seen


def test_one_proxy_takes_scheme_host_port_and_prefix() -> None:
    config = {"trusted_proxies": 1, "force_https": True}
    recorder = RecordingApp()
    app = served(config, app=recorder)
    forwarded = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "www.example.com",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Prefix": "/shop",
        "X-Forwarded-For": "203.0.113.9",
    }
    response = app.get(
        "/a",
        headers={"Host": "backend:8000", **forwarded},
        extra_environ={"REMOTE_ADDR": "10.0.0.1"},
    )
    assert response.status_int == 200  # https: not redirected
    assert values(response, "Strict-Transport-Security") != []
    seen = recorder.seen
    assert seen["wsgi.url_scheme"] == "https"
    assert seen["HTTP_HOST"] == "www.example.com:443"  # ProxyFix adds the port
    assert seen["SERVER_PORT"] == "443"
    assert seen["SCRIPT_NAME"] == "/shop"
    assert seen["REMOTE_ADDR"] == "10.0.0.1"  # X-Forwarded-For is not ours to apply


# Valid values only: werkzeug's ProxyFix takes any, ours ignores the invalid.
_proto = st.sampled_from(["http", "https"])
_name = st.from_regex(
    r"[a-z]([a-z0-9-]{0,6}[a-z0-9])?(\.[a-z]{2,4}){0,2}", fullmatch=True
)
_port = st.integers(1, 65535).map(str)
_host = st.one_of(
    _name,
    st.tuples(_name, _port).map(":".join),
    st.sampled_from(["[::1]", "[2001:db8::1]:8443", "127.0.0.1:8000"]),
)
_prefix = st.from_regex(r"(/[a-z0-9_.~-]{1,6}){1,3}", fullmatch=True)


def _hops(value: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    """A header as proxies build it: 1 to 3 values, or none at all."""
    return st.one_of(st.none(), st.lists(value, min_size=1, max_size=3).map(", ".join))


@settings(max_examples=150, deadline=None)
@given(
    hops=st.integers(1, 3),
    proto=_hops(_proto),
    host=_hops(_host),
    port=_hops(_port),
    prefix=_hops(_prefix),
    request_host=_host,
)
def test_forwarded_values_are_applied_as_werkzeug_proxy_fix_applies_them(
    hops: int,
    proto: str | None,
    host: str | None,
    port: str | None,
    prefix: str | None,
    request_host: str,
) -> None:
    from werkzeug.middleware.proxy_fix import ProxyFix

    headers = {
        name: value
        for name, value in (
            ("X-Forwarded-Proto", proto),
            ("X-Forwarded-Host", host),
            ("X-Forwarded-Port", port),
            ("X-Forwarded-Prefix", prefix),
        )
        if value is not None
    }
    recorder = RecordingApp()
    served({"trusted_proxies": hops}, app=recorder).get(
        "/a", headers={"Host": request_host, **headers}
    )
    werkzeug = RecordingApp()
    TestApp(
        ProxyFix(werkzeug, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)
    ).get("/a", headers={"Host": request_host, **headers})
    keys = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME")
    assert {k: recorder.seen.get(k) for k in keys} == {
        k: werkzeug.seen.get(k) for k in keys
    }


def test_one_proxy_believes_only_the_last_hop() -> None:
    recorder = RecordingApp()
    app = served({"trusted_proxies": 1, "force_https": True}, app=recorder)
    # The client sent "https", our one proxy appended the real "http".
    response = app.get(
        "/a",
        headers={
            "X-Forwarded-Proto": "https, http",
            "X-Forwarded-Host": "a, example.com",
        },
        status=301,
    )
    assert response.headers["Location"] == "https://example.com/a"
    assert recorder.calls == []


def test_two_proxies_take_the_second_to_last_value() -> None:
    recorder = RecordingApp()
    app = served({"trusted_proxies": 2}, app=recorder)
    app.get("/a", headers={"X-Forwarded-Proto": "spoof, https, http"})
    assert recorder.seen["wsgi.url_scheme"] == "https"


def test_trusted_proxy_redirect_uses_the_forwarded_host_checked() -> None:
    config = {
        "trusted_proxies": 1,
        "force_https": True,
        "allowed_hosts": ["example.com"],
    }
    app = served(config)
    headers = {"Host": "backend", "X-Forwarded-Host": "evil.example"}
    app.get("/a", headers=headers, status=400)


def test_flask_url_for_is_https_behind_a_trusted_proxy() -> None:
    flask = pytest.importorskip("flask")
    flask_app = flask.Flask(__name__)

    @flask_app.route("/here")
    def here() -> str:
        return flask.url_for("here", _external=True)

    app = TestApp(SecureHeaders(flask_app.wsgi_app, {"trusted_proxies": 1}))
    headers = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "www.example.com"}
    assert app.get("/here", headers=headers).text == "https://www.example.com/here"
    assert app.get("/here", headers={"Host": "x"}).text == "http://x/here"


# Forwarded values that are not what a proxy sends are ignored, never handed on.

BAD_PREFIXES = [
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\\/evil.example",
    "https://evil.example",
    "evil.example",
    "javascript:alert(1)",
    "/\t/evil.example",
    "/\n/evil.example",
    "/app\r\nSet-Cookie: x=1",
    "/app /x",
    "/app\\..\\x",
]
BAD_HOSTS = [
    "evil.example/x",
    "evil.example\\x",
    "user@evil.example",
    "evil.example:80:81",
    "evil.example:99999",
    "evil.example:http",
    "//evil.example",
    "evil .example",
    "[::1",
]
BAD_PORTS = ["99999", "-1", "80/evil", "http", "８０"]
BAD_PROTOS = ["javascript", "https://evil.example", "ftp", "HTTPS/1.1"]


def forwarded_app() -> tuple[TestApp, RecordingApp]:
    inner = RecordingApp()
    return TestApp(SecureHeaders(inner, {"trusted_proxies": 1})), inner


@pytest.mark.parametrize("prefix", BAD_PREFIXES)
def test_a_prefix_that_is_not_a_plain_path_is_ignored(prefix: str) -> None:
    app, inner = forwarded_app()
    app.get("/x", extra_environ={"HTTP_X_FORWARDED_PREFIX": prefix})
    assert inner.seen["SCRIPT_NAME"] == ""
    assert "HTTP_X_FORWARDED_PREFIX" not in inner.seen  # the app's own ProxyFix too


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_a_host_that_is_not_a_host_is_ignored(host: str) -> None:
    app, inner = forwarded_app()
    app.get("/x", extra_environ={"HTTP_X_FORWARDED_HOST": host, "HTTP_HOST": "ok"})
    assert inner.seen["HTTP_HOST"] == "ok"
    assert "HTTP_X_FORWARDED_HOST" not in inner.seen


@pytest.mark.parametrize("port", BAD_PORTS)
def test_a_port_that_is_not_a_port_is_ignored(port: str) -> None:
    app, inner = forwarded_app()
    app.get("/x", extra_environ={"HTTP_X_FORWARDED_PORT": port, "HTTP_HOST": "ok"})
    assert (inner.seen["HTTP_HOST"], inner.seen["SERVER_PORT"]) == ("ok", "80")


@pytest.mark.parametrize("proto", BAD_PROTOS)
def test_a_scheme_that_is_not_http_or_https_is_ignored(proto: str) -> None:
    app, inner = forwarded_app()
    app.get("/x", extra_environ={"HTTP_X_FORWARDED_PROTO": proto})
    assert inner.seen["wsgi.url_scheme"] == "http"


@pytest.mark.parametrize(
    ("key", "value", "environ_key", "expected"),
    [
        ("HTTP_X_FORWARDED_PREFIX", "/app", "SCRIPT_NAME", "/app"),
        ("HTTP_X_FORWARDED_PREFIX", "/caf\u00c3\u00a9/x%2F", "SCRIPT_NAME", None),
        ("HTTP_X_FORWARDED_HOST", "www.example.com:8443", "HTTP_HOST", None),
        ("HTTP_X_FORWARDED_HOST", "[2001:db8::1]:8443", "HTTP_HOST", None),
        ("HTTP_X_FORWARDED_HOST", "backend_1.internal", "HTTP_HOST", None),
        ("HTTP_X_FORWARDED_PORT", "8443", "SERVER_PORT", None),
        ("HTTP_X_FORWARDED_PROTO", "https", "wsgi.url_scheme", None),
    ],
)
def test_a_valid_forwarded_value_still_passes(
    key: str, value: str, environ_key: str, expected: str | None
) -> None:
    app, inner = forwarded_app()
    app.get("/x", extra_environ={key: value})
    assert inner.seen[environ_key] == (expected or value)


def test_only_the_trusted_hop_is_checked() -> None:
    # The client's own value comes first; the proxy's last one is the one used.
    app, inner = forwarded_app()
    app.get("/x", extra_environ={"HTTP_X_FORWARDED_PREFIX": "//evil.example, /app"})
    assert inner.seen["SCRIPT_NAME"] == "/app"


def flask_behind_proxy() -> TestApp:
    flask = pytest.importorskip("flask")
    flask_app = flask.Flask(__name__)

    @flask_app.route("/here")
    def here() -> str:
        return flask.url_for("here", _external=False)

    @flask_app.route("/go")
    def go() -> Any:
        return flask.redirect(flask.url_for("here"))

    return TestApp(SecureHeaders(flask_app.wsgi_app, {"trusted_proxies": 1}))


@pytest.mark.parametrize("prefix", BAD_PREFIXES)
def test_flask_url_for_and_redirect_never_leave_the_site(prefix: str) -> None:
    app = flask_behind_proxy()
    headers = {"HTTP_X_FORWARDED_PREFIX": prefix, "HTTP_HOST": "site.example"}
    url = app.get("/here", extra_environ=headers).text
    location = app.get("/go", extra_environ=headers, status=302).headers["Location"]
    for link in (url, location):
        assert link == "/here" or link.startswith("http://site.example/")


@pytest.mark.parametrize("host", BAD_HOSTS)
def test_flask_external_urls_keep_the_real_host(host: str) -> None:
    app = flask_behind_proxy()
    extra = {"HTTP_X_FORWARDED_HOST": host, "HTTP_HOST": "site.example"}
    location = app.get("/go", extra_environ=extra, status=302).headers["Location"]
    assert location in ("/here", "http://site.example/here")
