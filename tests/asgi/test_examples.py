"""Each ASGI example app in-process, through httpx.ASGITransport: the shared YAML's
headers, the template's nonce in the policy, Secure cookies, https URLs."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from secheaders_wsgi import SecurityWarning, load_config
from secheaders_wsgi.asgi import SecureHeaders
from secheaders_wsgi.policy import headers
from secheaders_wsgi.testing import assert_secure_headers
from tests.asgi_bridge import run_async

CONFIG = "examples/security.yaml"

EXAMPLES = [
    pytest.param("starlette_app", id="starlette"),
    pytest.param("fastapi_app", id="fastapi"),
    pytest.param("django_project.asgi", id="django-asgi"),
    pytest.param("quart_app", id="quart"),
]


def _get(module: str, config: Any = CONFIG) -> httpx.Response:
    """GET / over plain http, as behind a proxy that terminates TLS."""
    app = importlib.import_module(f"examples.{module}").make_app(config)

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://example.com"
        ) as client:
            return await client.get("/")

    response = run_async(get())
    assert response.status_code == 200, response.text
    return response


def _nonce(page: str) -> str:
    (nonce,) = re.findall(r'<script nonce="([^"]*)">', page)
    return str(nonce)


def _secure_count(cookie: str) -> int:
    return [part.strip().lower() for part in cookie.split(";")[1:]].count("secure")


def _href(page: str) -> str:
    (href,) = re.findall(r'<a id="self" href="([^"]*)">', page)
    return str(href)


@pytest.mark.parametrize("module", EXAMPLES)
def test_example_module_app_is_wrapped_from_the_shared_yaml(module: str) -> None:
    namespace = vars(importlib.import_module(f"examples.{module}"))
    app = namespace.get("app", namespace.get("application"))

    assert isinstance(app, SecureHeaders)
    assert app.config == load_config(CONFIG)


@pytest.mark.parametrize("module", EXAMPLES)
def test_example_sends_the_shared_yaml_headers_with_the_nonce(module: str) -> None:
    first, second = _get(module), _get(module)

    nonce = _nonce(first.text)
    expected = headers(load_config(CONFIG), https=True, nonce=nonce)
    assert [(name, first.headers[name]) for name, _ in expected] == list(expected)
    assert f"'nonce-{nonce}'" in first.headers["content-security-policy"]
    assert _nonce(second.text) != nonce
    assert first.headers["cache-control"] == "private"


@pytest.mark.parametrize("module", EXAMPLES)
def test_example_page_passes_the_testing_helper(module: str) -> None:
    # What a user's own suite would run (docs/testing.md).
    assert_secure_headers(_get(module), CONFIG)


@pytest.mark.parametrize("module", EXAMPLES)
def test_example_cookies_are_secure_once(module: str) -> None:
    cookies = _get(module).headers.get_list("set-cookie")

    assert cookies, "the example sets a cookie"
    assert [_secure_count(cookie) for cookie in cookies] == [1] * len(cookies)


@pytest.mark.parametrize("module", EXAMPLES)
def test_example_builds_https_urls_behind_an_http_server(module: str) -> None:
    assert _href(_get(module).text) == "https://example.com/"


@pytest.mark.parametrize("module", EXAMPLES)
def test_example_unsecured_keeps_http_and_plain_cookies(module: str) -> None:
    # The control: without server_secured nothing says https, so the tests
    # above measure the middleware, not the framework. The example's template
    # asks for a nonce the default policy ('unsafe-inline') cannot use.
    with pytest.warns(SecurityWarning, match="takes no nonce"):
        response = _get(module, {})

    assert _href(response.text) == "http://example.com/"
    cookies = response.headers.get_list("set-cookie")
    assert cookies and all(_secure_count(cookie) == 0 for cookie in cookies)
    assert "strict-transport-security" not in response.headers
    assert "nonce-" not in response.headers["content-security-policy"]


def test_each_asgi_example_says_how_to_run_it() -> None:
    root = Path(__file__).resolve().parent.parent.parent / "examples"
    for name in ("starlette_app", "fastapi_app", "quart_app"):
        doc = ast.get_docstring(ast.parse((root / f"{name}.py").read_text()))
        assert doc is not None and f"python examples/{name}.py" in doc, name
        assert ".[examples]" in doc, name
    asgi = (root / "django_project" / "asgi.py").read_text()
    assert "uvicorn examples.django_project.asgi:application" in asgi


def _get_path(module: str, path: str) -> httpx.Response:
    app = importlib.import_module(f"examples.{module}").make_app(CONFIG)

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://example.com"
        ) as client:
            return await client.get(path)

    return run_async(get())


def test_django_decorators_work_under_asgi() -> None:
    # secheaders_wsgi.django reads the state from request.scope under ASGI.
    embed = _get_path("django_project.asgi", "/embed")
    assert embed.status_code == 200, embed.text
    assert "https://partner.example" in embed.headers["content-security-policy"]
    assert_secure_headers(embed, CONFIG, overrides=["embed"])
    gallery = _get_path("django_project.asgi", "/gallery")
    assert gallery.status_code == 200, gallery.text
    policy = gallery.headers["content-security-policy"]
    assert "img-src" in policy and "https://images.example.org" in policy
    assert_secure_headers(gallery, CONFIG)
    home = _get_path("django_project.asgi", "/")
    assert "https://images.example.org" not in home.headers["content-security-policy"]
