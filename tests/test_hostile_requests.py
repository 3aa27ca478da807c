"""Every request-time input is hostile: nothing raises, redirects off-site or injects."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from secheaders_wsgi import SecureHeaders, csp_nonce
from tests.support import environ_for

BASE = {
    "force_https": True,
    "allowed_hosts": ["example.com", "*.example.com"],
    "force_https_exempt": ["/healthz"],
    "csp_unsafe_inline": False,
    "csp_report_path": "/_/csp-reports",
    "cookie_samesite": "Lax",
    "paths": [
        {"prefix": "/embed/", "csp_frame_ancestors": ["https://partner.example"]},
        {"prefix": "/api/", "csp_header": False},
    ],
}
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    nonce = csp_nonce(environ)
    start_response(
        "200 OK",
        [("Content-Type", "text/html"), ("Set-Cookie", "sid=1; Path=/")],
    )
    return [f"<script nonce='{nonce}'></script>".encode()]


PLAIN = BASE
BEHIND_PROXY = {**BASE, "trusted_proxies": 1}


def request(
    config: dict[str, Any], scheme: str = "http", **environ: Any
) -> tuple[str, list[tuple[str, str]], bytes]:
    # Built here, not at import: the [asgi] run builds the ASGI adapter.
    middleware = SecureHeaders(app, config)
    site = {"SERVER_NAME": "example.com", "HTTP_HOST": "example.com"}
    env = environ_for(**{**site, "wsgi.url_scheme": scheme, **environ})
    sent: list[Any] = []

    def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
        sent[:] = [status, headers]
        return lambda data: None

    body = b"".join(middleware(env, start_response))
    return sent[0], sent[1], body


def check(status: str, headers: list[tuple[str, str]]) -> None:
    """No header injected, and any redirect stays on the site, over https."""
    for name, value in headers:
        assert type(name) is str and type(value) is str
        assert not _UNSAFE.search(name), name
        assert not _UNSAFE.search(value), (name, value)
        value.encode("latin-1")
    locations = [v for n, v in headers if n == "Location"]
    if status.startswith("30"):
        [location] = locations
        url = urlsplit(location)
        assert url.scheme == "https"
        # No userinfo, no port, no second host: the netloc is one allowed name.
        assert url.netloc == url.hostname
        assert url.netloc == "example.com" or url.netloc.endswith(".example.com")
        assert len(url.netloc) <= 253
        assert url.path.startswith("/")
    else:
        assert locations == []
        assert status[:3] in {"200", "400"}


HOSTS = [
    "evil.example",
    "example.com.evil.example",
    "example.com@evil.example",
    "evil.example#example.com",
    "evil.example?example.com",
    "example.com/evil.example",
    "example.com\\evil.example",
    "example.com\r\nX-Injected: 1",
    "example.com\x00",
    "example.com:80:80",
    "example.com:evil",
    "ex ample.com",
    "",
    ".",
    "[::1]",
    "[::1]:443",
    "caf\xe9.example.com",
    "\u2603.example.com",
    "EXAMPLE.COM",
    "example.com.",
    "*.example.com",
    "a" * 10_000 + ".example.com",
]


@pytest.mark.parametrize("host", HOSTS, ids=repr)
def test_hostile_host_is_400_or_a_redirect_to_the_site(host: str) -> None:
    status, headers, _ = request(PLAIN, HTTP_HOST=host)
    check(status, headers)


@pytest.mark.parametrize("host", HOSTS, ids=repr)
def test_hostile_forwarded_host_is_checked_like_host(host: str) -> None:
    status, headers, _ = request(BEHIND_PROXY, HTTP_X_FORWARDED_HOST=host)
    check(status, headers)


@pytest.mark.parametrize(
    "forwarded",
    [
        {"HTTP_X_FORWARDED_PROTO": "https\r\nX-Injected: 1"},
        {"HTTP_X_FORWARDED_PROTO": "javascript"},
        {"HTTP_X_FORWARDED_PROTO": "HTTPS"},
        {"HTTP_X_FORWARDED_PROTO": "http, https, https"},
        {"HTTP_X_FORWARDED_PROTO": "," * 5000},
        {"HTTP_X_FORWARDED_PORT": "not-a-port"},
        {"HTTP_X_FORWARDED_PORT": "99999999999999999999"},
        {"HTTP_X_FORWARDED_PREFIX": "//evil.example"},
        {"HTTP_X_FORWARDED_PREFIX": "/\r\nLocation: https://evil.example"},
        {"HTTP_X_FORWARDED_PREFIX": "https://evil.example"},
        {"HTTP_X_FORWARDED_PREFIX": ".evil.example"},
        {"HTTP_X_FORWARDED_PREFIX": "@evil.example"},
        {"HTTP_X_FORWARDED_HOST": "example.com, evil.example"},
        {"HTTP_X_FORWARDED_FOR": "1.2.3.4\r\n"},
    ],
    ids=repr,
)
@pytest.mark.parametrize("config", [PLAIN, BEHIND_PROXY], ids=["direct", "proxy"])
def test_hostile_forwarded_headers(
    config: dict[str, Any], forwarded: dict[str, str]
) -> None:
    status, headers, _ = request(config, **forwarded)
    check(status, headers)


def test_a_direct_client_cannot_skip_the_redirect_with_forwarded_proto() -> None:
    status, headers, body = request(PLAIN, HTTP_X_FORWARDED_PROTO="https")
    assert status.startswith("301")
    assert body == b""


PATHS = [
    "//evil.example/x",
    "///evil.example",
    "/\\evil.example",
    "/\r\nLocation: https://evil.example",
    "/%0d%0aSet-Cookie:%20x=1",
    "/\xff\xfe\x00",  # non-UTF-8 bytes, decoded as latin-1 per PEP 3333
    "/caf\xc3\xa9",  # UTF-8 bytes as latin-1
    "/\u2603",  # a server that decoded UTF-8 instead
    "/../../etc/passwd",
    "/embed/../admin",
    "/embed/%2e%2e/admin",
    "/" + "a" * 100_000,
    "/" + "x/" * 10_000,
    "",
    "no-leading-slash",
    ".evil.example/x",
    "@evil.example",
    ":443@evil.example",
    "/_/csp-reports/../x",
    "/healthz/../admin",
]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: repr(p[:40]))
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_hostile_path_never_raises_or_escapes(path: str, scheme: str) -> None:
    status, headers, _ = request(PLAIN, scheme, PATH_INFO=path)
    check(status, headers)


@pytest.mark.parametrize(
    "query",
    [
        "a=\r\nb",
        "%0d%0aX-Injected:%201",
        "\xff\xfe",
        "\u2603",
        "x=" + "%" * 10_000,
        "#frag",
    ],
    ids=repr,
)
def test_hostile_query_string_is_kept_inside_the_location(query: str) -> None:
    status, headers, _ = request(PLAIN, QUERY_STRING=query)
    check(status, headers)
    assert status.startswith("301")


@pytest.mark.parametrize(
    "method", ["POST", "get", "PROPFIND", "\r\nX: 1", "", "G" * 10_000], ids=repr
)
def test_hostile_method_gets_a_clean_redirect(method: str) -> None:
    status, headers, _ = request(PLAIN, REQUEST_METHOD=method)
    check(status, headers)


def test_https_requests_with_hostile_input_reach_the_app_and_get_a_nonce() -> None:
    status, headers, body = request(
        PLAIN, "https", PATH_INFO="/embed/\xff", HTTP_HOST="evil.example\r\n"
    )
    check(status, headers)
    nonce = re.search(rb"nonce='([^']+)'", body)
    assert nonce is not None
    csp = dict(headers)["Content-Security-Policy"]
    assert f"'nonce-{nonce.group(1).decode()}'" in csp
    assert "frame-ancestors https://partner.example" in csp
