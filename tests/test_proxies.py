"""trusted_proxies: X-Forwarded-* is believed for exactly the last N hops."""

from __future__ import annotations

import pytest
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
    # werkzeug's ProxyFix did it, not parsing of our own: it keeps the originals.
    assert seen["werkzeug.proxy_fix.orig"]["wsgi.url_scheme"] == "http"


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
