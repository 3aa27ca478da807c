"""PEP 3333 for redirects, 400s, path rules, cookie rewrites and proxies."""

from __future__ import annotations

import warnings
from typing import Any
from wsgiref.validate import validator

import pytest
from webtest import TestApp
from werkzeug.middleware.lint import LintMiddleware

from secheaders_wsgi import SecureHeaders
from tests.support import RecordingApp

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
