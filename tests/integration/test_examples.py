"""Each example app, through WebTest: headers, Secure cookies, https URLs."""

from __future__ import annotations

import importlib
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from webtest import TestApp

from secheaders_wsgi import SecureHeaders, SecurityWarning, load_config
from secheaders_wsgi.policy import headers
from secheaders_wsgi.response import ResponseState
from secheaders_wsgi.testing import assert_secure_headers
from tests.support import csp_of, in_a_server_thread

CONFIG = "examples/security.yaml"

# The server says plain http, as behind a proxy that terminates TLS and passes
# the browser's Host header on (WebTest's default, "localhost:80", names a port
# no browser sends for https).
HTTP = {"wsgi.url_scheme": "http", "HTTP_HOST": "example.com"}

EXAMPLES = [
    pytest.param("plain_wsgi", id="plain-wsgi"),
    pytest.param("flask_app", id="flask"),
    pytest.param("django_project.wsgi", id="django"),
    pytest.param("falcon_app", id="falcon"),
    pytest.param("bottle_app", id="bottle"),
    pytest.param("pyramid_app", id="pyramid"),
]


def _make_app(module: str) -> Callable[..., SecureHeaders]:
    return importlib.import_module(f"examples.{module}").make_app  # type: ignore[no-any-return]


def _get(module: str, config: Any = CONFIG) -> Any:
    return TestApp(_make_app(module)(config), extra_environ=HTTP).get("/")


def _secure_count(cookie: str) -> int:
    return [part.strip().lower() for part in cookie.split(";")[1:]].count("secure")


@pytest.mark.parametrize("module", EXAMPLES)
def test_example_module_app_is_wrapped_from_the_shared_yaml(module: str) -> None:
    namespace = vars(importlib.import_module(f"examples.{module}"))
    app = namespace.get("app", namespace.get("application"))
    # init_app wraps the Flask app's wsgi_app; `app` stays the Flask object.
    middleware = getattr(app, "wsgi_app", app)

    assert isinstance(middleware, SecureHeaders)
    assert middleware.config == load_config(CONFIG)


@pytest.mark.parametrize("module", EXAMPLES)
def test_example_sends_the_shared_yaml_headers(module: str) -> None:
    response = _get(module)

    expected = headers(load_config(CONFIG), https=True, nonce=_nonce(response.text))
    assert [(name, response.headers[name]) for name, _ in expected] == list(expected)


def _nonce(page: str) -> str:
    (nonce,) = re.findall(r'<script nonce="([^"]*)">', page)
    return str(nonce)


@pytest.mark.parametrize("module", EXAMPLES)
def test_example_template_nonce_is_in_the_policy(module: str) -> None:
    first, second = _get(module), _get(module)

    nonce = _nonce(first.text)
    assert (
        f"script-src 'self' https://cdn.example.com 'nonce-{nonce}';"
        in (first.headers["Content-Security-Policy"])
    )
    assert _nonce(second.text) != nonce
    # A shared cache must not replay the nonce to everyone.
    assert first.headers["Cache-Control"] == "private"


@pytest.mark.parametrize("module", EXAMPLES)
def test_example_page_passes_the_testing_helper(module: str) -> None:
    # What a user's own suite would run (docs/testing.md).
    assert_secure_headers(_get(module), CONFIG)


@pytest.mark.parametrize("module", EXAMPLES)
def test_example_nonce_stays_out_while_unsafe_inline_is_on(module: str) -> None:
    with pytest.warns(SecurityWarning, match="takes no nonce"):
        response = _get(module, {"server_secured": True})

    assert _nonce(response.text)
    assert "nonce-" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("module", EXAMPLES)
def test_example_cookies_are_secure_once(module: str) -> None:
    cookies = _get(module).headers.getall("Set-Cookie")

    assert cookies, "the example sets a cookie"
    assert [_secure_count(cookie) for cookie in cookies] == [1] * len(cookies)


@pytest.mark.parametrize("module", EXAMPLES)
def test_example_builds_https_urls_behind_an_http_server(module: str) -> None:
    response = _get(module)

    assert response.html.find(id="self")["href"] == "https://example.com/"


@pytest.mark.parametrize("module", EXAMPLES)
def test_example_unsecured_keeps_http_and_plain_cookies(module: str) -> None:
    # The control: without server_secured nothing says https, so the tests
    # above measure the middleware, not the framework. The example's template
    # asks for a nonce the default policy ('unsafe-inline') cannot use.
    with pytest.warns(SecurityWarning, match="takes no nonce"):
        response = _get(module, {})

    assert response.html.find(id="self")["href"] == "http://example.com/"
    cookies = response.headers.getall("Set-Cookie")
    assert cookies and all(_secure_count(cookie) == 0 for cookie in cookies)
    assert "Strict-Transport-Security" not in response.headers


def _flask_alone(environ: dict[str, Any], start_response: Any) -> Any:
    # The Flask app without SecureHeaders: the wsgi_app that init_app wrapped.
    # Its template needs a nonce, so this stands in for the middleware's.
    from examples.flask_app import app

    environ["secheaders.csp_nonce"] = _StandIn()
    return app.wsgi_app.app(environ, start_response)  # type: ignore[attr-defined]


class _StandIn(ResponseState):
    def nonce(self) -> str:
        return "stand-in"


@pytest.mark.parametrize(
    ("wrapped", "scheme"),
    [
        pytest.param(False, "http", id="flask-alone"),
        pytest.param(True, "https", id="flask-wrapped"),
    ],
)
def test_flask_url_for_external_follows_the_middleware(
    wrapped: bool, scheme: str
) -> None:
    # A raw WSGI call: Flask's own test client would fake the scheme.
    from examples.flask_app import app

    wsgi_app = app if wrapped else _flask_alone
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


def test_shared_yaml_is_strict() -> None:
    config = load_config(CONFIG)

    assert config.server_secured
    assert not config.csp_unsafe_inline and not config.csp_unsafe_eval
    assert dict(headers(config, https=True))["Strict-Transport-Security"] == (
        "max-age=31556926; includeSubDomains"
    )


# The Flask and Django examples use the framework helpers (secheaders_wsgi.flask,
# secheaders_wsgi.django): a named override and a csp_update on one view each.
HELPERS = [
    pytest.param("flask_app", id="flask"),
    pytest.param("django_project.wsgi", id="django"),
]
PARTNER = "https://partner.example"
IMAGE_CDN = "https://images.example.org"


def _client(module: str) -> TestApp:
    # The Django gallery is an async view: see in_a_server_thread.
    app = in_a_server_thread(_make_app(module)(CONFIG))
    return TestApp(app, extra_environ=HTTP)


@pytest.mark.parametrize("module", HELPERS)
def test_example_embed_page_takes_the_named_override(module: str) -> None:
    client = _client(module)

    embed, index = client.get("/embed"), client.get("/")

    assert embed.html.find(id="embed")
    assert (
        PARTNER in csp_of(embed.headers["Content-Security-Policy"])["frame-ancestors"]
    )
    assert "X-Frame-Options" not in embed.headers
    assert csp_of(index.headers["Content-Security-Policy"])["frame-ancestors"] == [
        "'none'"
    ]
    assert index.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("module", HELPERS)
def test_example_gallery_alone_may_load_the_cdn_image(module: str) -> None:
    client = _client(module)

    gallery, index = client.get("/gallery"), client.get("/")

    assert gallery.html.find(id="photo")["src"] == f"{IMAGE_CDN}/photo.png"
    gallery_csp = csp_of(gallery.headers["Content-Security-Policy"])
    index_csp = csp_of(index.headers["Content-Security-Policy"])
    assert gallery_csp["img-src"] == [*index_csp["img-src"], IMAGE_CDN]
    assert IMAGE_CDN not in index.headers["Content-Security-Policy"]


@pytest.mark.parametrize("module", HELPERS)
def test_example_decorated_pages_pass_the_testing_helper(module: str) -> None:
    client = _client(module)

    # The embed page's override sends no X-Frame-Options: named, it counts.
    assert_secure_headers(client.get("/embed"), CONFIG, overrides=["embed"])
    with pytest.raises(AssertionError, match="X-Frame-Options is missing"):
        assert_secure_headers(client.get("/embed"), CONFIG)
    assert_secure_headers(client.get("/gallery"), CONFIG)
