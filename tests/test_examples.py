"""Each example app, through WebTest: headers, Secure cookies, https URLs."""

from __future__ import annotations

import importlib
import io
from collections.abc import Callable
from typing import Any

import pytest
from webtest import TestApp

from secheaders_wsgi import load_config
from secheaders_wsgi.policy import headers

CONFIG = "examples/security.yaml"

# The server says plain http, as behind a proxy that terminates TLS and passes
# the browser's Host header on (WebTest's default, "localhost:80", names a port
# no browser sends for https).
HTTP = {"wsgi.url_scheme": "http", "HTTP_HOST": "example.com"}


def _example(module: str, attribute: str = "app") -> Callable[..., Any]:
    return getattr(importlib.import_module(f"examples.{module}"), attribute)  # type: ignore[no-any-return]


EXAMPLES = [
    pytest.param("plain_wsgi", "app", id="plain-wsgi"),
    pytest.param("flask_app", "app", id="flask"),
    pytest.param("django_project.wsgi", "application", id="django"),
]


@pytest.mark.parametrize(("module", "attribute"), EXAMPLES)
def test_example_sends_the_shared_yaml_headers(module: str, attribute: str) -> None:
    response = TestApp(_example(module, attribute), extra_environ=HTTP).get("/")

    expected = headers(load_config(CONFIG), https=True)
    assert [(name, response.headers[name]) for name, _ in expected] == list(expected)


@pytest.mark.parametrize(("module", "attribute"), EXAMPLES)
def test_example_cookies_are_secure_once(module: str, attribute: str) -> None:
    response = TestApp(_example(module, attribute), extra_environ=HTTP).get("/")

    cookies = response.headers.getall("Set-Cookie")
    assert cookies, "the example sets a cookie"
    for cookie in cookies:
        attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
        assert attributes.count("secure") == 1, cookie


@pytest.mark.parametrize(("module", "attribute"), EXAMPLES)
def test_example_builds_https_urls_behind_an_http_server(
    module: str, attribute: str
) -> None:
    response = TestApp(_example(module, attribute), extra_environ=HTTP).get("/")

    assert response.html.find(id="self")["href"] == "https://example.com/"


@pytest.mark.parametrize(
    ("app", "scheme"),
    [
        pytest.param("flask_app", "http", id="flask-alone"),
        pytest.param("app", "https", id="flask-wrapped"),
    ],
)
def test_flask_url_for_external_follows_the_middleware(app: str, scheme: str) -> None:
    # A raw WSGI call: Flask's own test client would fake the scheme.
    wsgi_app = _example("flask_app", app)
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "HTTP_HOST": "example.com",
        "SERVER_NAME": "example.com",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    seen: list[str] = []

    def start_response(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
        seen.append(status)
        return lambda data: None

    body = b"".join(wsgi_app(environ, start_response))

    assert seen == ["200 OK"]
    assert f'href="{scheme}://example.com/"'.encode() in body


def test_shared_yaml_is_strict_and_warns_nothing() -> None:
    config = load_config(CONFIG)

    assert config.server_secured
    assert not config.csp_unsafe_inline and not config.csp_unsafe_eval
    assert dict(headers(config, https=True))["Strict-Transport-Security"] == (
        "max-age=31556926; includeSubDomains"
    )
