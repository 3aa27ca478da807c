"""force_https: 301/308 to the https URL, host checks, exemptions, HSTS over https."""

from __future__ import annotations

from typing import Any

import pytest

from secheaders_wsgi import SecureHeaders
from secheaders_wsgi.policy import DEFAULT_HSTS
from tests.support import HTTPS, RecordingApp, served, values


@pytest.mark.parametrize(
    ("method", "status"),
    [
        pytest.param("GET", 301, id="GET"),
        pytest.param("HEAD", 301, id="HEAD"),
        pytest.param("POST", 308, id="POST"),
        pytest.param("PUT", 308, id="PUT"),
        pytest.param("DELETE", 308, id="DELETE"),
        pytest.param("PATCH", 308, id="PATCH"),
        pytest.param("OPTIONS", 308, id="OPTIONS"),
    ],
)
def test_plain_http_is_redirected_and_app_never_called(
    method: str, status: int
) -> None:
    recorder = RecordingApp()
    app = served({"force_https": True}, app=recorder)
    response = app.request(
        "/shop/cart?item=3&x=%2F", method=method, headers={"Host": "example.com"}
    )
    assert response.status_int == status
    assert response.headers["Location"] == "https://example.com/shop/cart?item=3&x=%2F"
    assert recorder.calls == []


def test_redirect_status_lines_and_empty_body() -> None:
    app = served({"force_https": True})
    assert app.get("/", status=301).status == "301 Moved Permanently"
    response = app.post("/", status=308)
    assert response.status == "308 Permanent Redirect"
    assert response.body == b""
    assert response.headers["Content-Length"] == "0"


def test_https_request_reaches_the_app() -> None:
    recorder = RecordingApp()
    app = served({"force_https": True}, app=recorder)
    response = app.get("/x", extra_environ=HTTPS)
    assert response.status_int == 200
    assert len(recorder.calls) == 1


@pytest.mark.parametrize(
    ("environ", "location"),
    [
        pytest.param(
            {"HTTP_HOST": "Example.COM:8080"},
            "https://example.com/a",
            id="port-dropped-host-lowercased",
        ),
        pytest.param(
            {"HTTP_HOST": "example.com."}, "https://example.com/a", id="trailing-dot"
        ),
        pytest.param({"HTTP_HOST": "[::1]:8000"}, "https://[::1]/a", id="ipv6-literal"),
        pytest.param(
            {"SCRIPT_NAME": "/app", "HTTP_HOST": "example.com"},
            "https://example.com/app/a",
            id="script-name-kept",
        ),
    ],
)
def test_location(environ: dict[str, str], location: str) -> None:
    app = served({"force_https": True})
    response = app.get("/a", extra_environ=environ, status=301)
    assert response.headers["Location"] == location


def test_path_is_requoted_and_query_kept_as_sent() -> None:
    app = served({"force_https": True})
    # PATH_INFO arrives decoded: a space and a literal "%" must be quoted again.
    environ = {"HTTP_HOST": "example.com", "PATH_INFO": "/a b/100%/caf\xc3\xa9"}
    response = app.get("/", extra_environ=environ, status=301)
    assert response.headers["Location"] == "https://example.com/a%20b/100%25/caf%C3%A9"
    response = app.get("/s?q=a+b&r=%20", extra_environ={"HTTP_HOST": "example.com"})
    assert response.headers["Location"] == "https://example.com/s?q=a+b&r=%20"


def test_raw_query_bytes_go_out_as_the_same_bytes() -> None:
    # PEP 3333: a raw UTF-8 byte in the query arrives as latin-1 text.
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "HTTP_HOST": "example.com",
        "PATH_INFO": "/s",
        "QUERY_STRING": "q=caf\xc3\xa9 x",
        "wsgi.url_scheme": "http",
    }
    seen: list[Any] = []
    app = SecureHeaders(RecordingApp(), {"force_https": True})
    app(environ, lambda status, headers, exc_info=None: seen.append(headers))
    assert dict(seen[0])["Location"] == "https://example.com/s?q=caf%C3%A9%20x"


@pytest.mark.parametrize(
    "host",
    [
        pytest.param("evil.example", id="foreign"),
        pytest.param("example.com.evil.example", id="suffix-trick"),
        pytest.param("notexample.com", id="no-dot-before-wildcard-base"),
    ],
)
def test_host_outside_allowed_hosts_gets_400_never_a_redirect(host: str) -> None:
    config = {"force_https": True, "allowed_hosts": ["example.com", "*.example.com"]}
    recorder = RecordingApp()
    app = served(config, app=recorder)
    response = app.get("/a", headers={"Host": host}, status=400)
    assert "Location" not in response.headers
    assert response.body == b"Bad Request: this host is not served here\n"
    assert recorder.calls == []


@pytest.mark.parametrize(
    ("host", "location"),
    [
        pytest.param("example.com", "https://example.com/a", id="exact"),
        pytest.param("EXAMPLE.com:80", "https://example.com/a", id="case-and-port"),
        pytest.param("www.example.com", "https://www.example.com/a", id="wildcard"),
        pytest.param("a.b.example.com", "https://a.b.example.com/a", id="deep"),
    ],
)
def test_host_inside_allowed_hosts_is_redirected(host: str, location: str) -> None:
    config = {"force_https": True, "allowed_hosts": ["example.com", "*.example.com"]}
    app = served(config)
    response = app.get("/a", headers={"Host": host}, status=301)
    assert response.headers["Location"] == location


@pytest.mark.parametrize(
    "host",
    [
        pytest.param("exa mple.com", id="space"),
        pytest.param("example.com/evil", id="slash"),
        pytest.param("user@example.com", id="userinfo"),
        pytest.param("example.com:80:80", id="two-ports"),
    ],
)
def test_malformed_host_gets_400_even_without_allowed_hosts(host: str) -> None:
    recorder = RecordingApp()
    app = served({"force_https": True}, app=recorder)
    response = app.get("/a", extra_environ={"HTTP_HOST": host}, status=400)
    assert "Location" not in response.headers
    assert recorder.calls == []


def test_head_400_has_no_body() -> None:
    app = served({"force_https": True, "allowed_hosts": ["example.com"]})
    response = app.head("/a", headers={"Host": "evil.example"}, status=400)
    assert response.body == b""


def test_redirect_carries_the_http_headers_but_no_hsts() -> None:
    app = served({"force_https": True, "permissions_policy": {"camera": []}})
    response = app.get("/", status=301)
    assert values(response, "Permissions-Policy") == ["camera=()"]
    assert values(response, "Strict-Transport-Security") == []


@pytest.mark.parametrize(
    ("path", "exempt"),
    [
        pytest.param("/healthz", True, id="exact"),
        pytest.param("/healthz/", True, id="trailing-slash"),
        pytest.param("/healthz/deep", True, id="below"),
        pytest.param("/healthzz", False, id="not-a-segment-boundary"),
        pytest.param("/status/ping", True, id="prefix-with-slash"),
        pytest.param("/status", True, id="prefix-itself"),
        pytest.param("/", False, id="root"),
        pytest.param("/other/healthz", False, id="not-at-start"),
    ],
)
def test_exempt_paths_are_served_over_http(path: str, exempt: bool) -> None:
    config = {"force_https": True, "force_https_exempt": ["/healthz", "/status/"]}
    recorder = RecordingApp()
    app = served(config, app=recorder)
    response = app.get(path, expect_errors=True)
    assert response.status_int == (200 if exempt else 301)
    assert len(recorder.calls) == (1 if exempt else 0)


def test_exempt_response_is_http_no_hsts_no_secure_cookie() -> None:
    config = {"force_https": True, "force_https_exempt": ["/healthz"]}
    app = served(config, headers=[("Set-Cookie", "a=1")])
    response = app.get("/healthz")
    assert values(response, "Strict-Transport-Security") == []
    assert values(response, "Set-Cookie") == ["a=1"]


# -- HSTS only on https (RFC 6797 section 7.2)


@pytest.mark.parametrize(
    ("config", "environ", "expected"),
    [
        pytest.param({"force_https": True}, HTTPS, [DEFAULT_HSTS], id="force-https"),
        pytest.param(
            {"force_https": True, "hsts_header": "max-age=60"},
            HTTPS,
            ["max-age=60"],
            id="force-https-own-value",
        ),
        pytest.param(
            {"force_https": True, "hsts_header": False}, HTTPS, [], id="force-https-off"
        ),
        pytest.param({"hsts_header": "max-age=60"}, {}, [], id="never-over-http"),
        pytest.param(
            {"hsts_header": "max-age=60"}, HTTPS, ["max-age=60"], id="over-https"
        ),
        pytest.param(
            {"server_secured": True}, {}, [DEFAULT_HSTS], id="secured-is-https"
        ),
        pytest.param({}, HTTPS, [], id="default-none"),
    ],
)
def test_hsts_only_on_https_responses(
    config: dict[str, Any], environ: dict[str, str], expected: list[str]
) -> None:
    app = served(config)
    assert values(app.get("/", extra_environ=environ), "Strict-Transport-Security") == (
        expected
    )


def test_force_https_makes_cookies_secure_on_https_responses() -> None:
    app = served({"force_https": True}, headers=[("Set-Cookie", "a=1")])
    response = app.get("/", extra_environ=HTTPS)
    assert values(response, "Set-Cookie") == ["a=1; Secure"]


# force_https_permanent and redirect_host


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "PUT", "DELETE"])
def test_temporary_redirect_is_307_for_every_method(method: str) -> None:
    recorder = RecordingApp()
    app = served({"force_https": True, "force_https_permanent": False}, app=recorder)
    response = app.request(
        "/a?b=1", method=method, headers={"Host": "example.com"}, status=307
    )
    assert response.status == "307 Temporary Redirect"
    assert response.headers["Location"] == "https://example.com/a?b=1"
    assert recorder.calls == []


@pytest.mark.parametrize(
    ("redirect_host", "location"),
    [
        ("www.example.com", "https://www.example.com/a?b=1"),
        ("secure.example.com:8443", "https://secure.example.com:8443/a?b=1"),
        ("[::1]:8443", "https://[::1]:8443/a?b=1"),
    ],
)
def test_redirect_host_replaces_the_requests_host(
    redirect_host: str, location: str
) -> None:
    app = served({"force_https": True, "redirect_host": redirect_host})
    response = app.get("/a?b=1", headers={"Host": "example.com:8080"}, status=301)
    assert response.headers["Location"] == location


def test_redirect_host_still_refuses_hosts_outside_allowed_hosts() -> None:
    config = {
        "force_https": True,
        "redirect_host": "www.example.com",
        "allowed_hosts": ["example.com", "www.example.com"],
    }
    app = served(config)
    assert app.get("/", headers={"Host": "evil.example"}, status=400)
    ok = app.get("/", headers={"Host": "example.com"}, status=301)
    assert ok.headers["Location"] == "https://www.example.com/"


def test_redirect_host_still_refuses_a_malformed_host() -> None:
    app = served({"force_https": True, "redirect_host": "www.example.com"})
    app.get("/", headers={"Host": "a b"}, status=400)


def test_redirect_keys_in_a_rule() -> None:
    config = {
        "force_https": True,
        "paths": [
            {
                "prefix": "/beta/",
                "force_https_permanent": False,
                "redirect_host": "beta.example.com",
            }
        ],
    }
    app = served(config)
    top = app.get("/x", headers={"Host": "example.com"}, status=301)
    assert top.headers["Location"] == "https://example.com/x"
    beta = app.get("/beta/x", headers={"Host": "example.com"}, status=307)
    assert beta.headers["Location"] == "https://beta.example.com/beta/x"
