"""secheaders_wsgi.testing: the check users run on their own pages.

The same pages, good and broken, served by each kind of app a user tests
(plain WSGI through WebTest, Flask's test client, Starlette's TestClient,
Django's Client and AsyncClient through the Django middleware), each through
the real middleware: a broken page fails with the message that names it, a
good one passes. Then what decides the expected headers (path rules,
overrides, the scheme, sampling, the middleware's own config), on one client
each: that logic reads only the headers, the body, the path and the scheme.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any

import django
import httpx
import pytest
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient, Client
from django.test.utils import override_settings
from django.urls import path as django_path
from flask import Flask, request
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from webtest import TestApp

from secheaders_wsgi import SecureHeaders, csp_nonce, drop_headers
from secheaders_wsgi.asgi import SecureHeaders as AsgiSecureHeaders
from secheaders_wsgi.flask import init_app
from secheaders_wsgi.testing import assert_secure_headers, header_problems
from tests.asgi_bridge import run_async

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_project.settings")
django.setup()

CONFIG = {"preset": "strict", "server_secured": True}
HSTS = "max-age=63072000; includeSubDomains"

Render = tuple[str, list[tuple[str, str]]]


def render(name: str, nonce: Callable[[], str], drop: Callable[[str], None]) -> Render:
    """Page ``name``: its HTML and the app's own headers; the same for every app."""
    if name == "good":
        return f'<script nonce="{nonce()}">ok()</script>', []
    if name == "plain":
        return "<p>no script</p>", []
    if name == "stale":  # a cached fragment kept an older response's nonce
        html = f'<script nonce="{nonce()}">a()</script><script nonce="old">b()'
        return html + "</script>", []
    if name == "empty":  # a template variable that rendered as nothing
        return '<script nonce="">ok()</script>', []
    if name == "unsafe":  # the app's own policy wins over the config's
        return "<p>x</p>", [("Content-Security-Policy", "script-src 'unsafe-inline'")]
    if name == "no-hsts":
        drop("Strict-Transport-Security")
        return "<p>x</p>", []
    raise AssertionError(name)


BROKEN = [
    pytest.param(
        "stale",
        r"<script nonce=\"old\"> \(line 1\): the response's policy has 'nonce-",
        id="nonce-not-the-responses",
    ),
    pytest.param(
        "empty", r"<script nonce=\"\"> \(line 1\): its nonce is empty", id="empty-nonce"
    ),
    pytest.param(
        "unsafe",
        r"Content-Security-Policy: script-src has 'unsafe-inline', which the config does not allow there \(its script-src: 'self' 'strict-dynamic'\)",
        id="unsafe-inline",
    ),
    pytest.param(
        "no-hsts",
        f"Strict-Transport-Security is missing from an https response; the config sends '{HSTS}'",
        id="no-hsts",
    ),
]


# -- The apps, one per kind of client; each returns the client's response.


def _wsgi_page(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    html, own = render(
        environ["PATH_INFO"].strip("/"),
        lambda: csp_nonce(environ),
        lambda name: drop_headers(environ, name),
    )
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), *own])
    return [html.encode()]


def _webtest(name: str) -> Any:
    return TestApp(SecureHeaders(_wsgi_page, CONFIG)).get(f"/{name}")


def _flask(name: str) -> Any:
    app = Flask(__name__)

    @app.get("/<name>")
    def view(name: str) -> Any:
        html, own = render(
            name,
            lambda: csp_nonce(request.environ),
            lambda header: drop_headers(request.environ, header),
        )
        return html, own

    init_app(app, CONFIG)
    return app.test_client().get(f"/{name}")


async def _starlette_page(request: Request) -> HTMLResponse:
    html, own = render(
        request.path_params["name"],
        lambda: csp_nonce(request.scope),
        lambda header: drop_headers(request.scope, header),
    )
    return HTMLResponse(html, headers=dict(own))


STARLETTE = Starlette(routes=[Route("/{name}", _starlette_page)])


def _httpx(app: Any, target: str, **options: Any) -> httpx.Response:
    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver"
        ) as client:
            return await client.get(target, **options)

    return run_async(get())


def _starlette(name: str) -> Any:
    return _httpx(AsgiSecureHeaders(STARLETTE, CONFIG), f"/{name}")


def _test_client(app: Any) -> Any:
    """Starlette's TestClient, on httpx (Starlette 1.x asks for httpx2 instead)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the deprecation, once, at import
        from starlette.testclient import TestClient
    return TestClient(app)


def _starlette_testclient(name: str) -> Any:
    with _test_client(AsgiSecureHeaders(STARLETTE, CONFIG)) as client:
        return client.get(f"/{name}")


def _django_view(request: HttpRequest, name: str) -> HttpResponse:
    html, own = render(
        name,
        lambda: str(request.csp_nonce),  # type: ignore[attr-defined]
        lambda header: drop_headers(request.META, header),
    )
    response = HttpResponse(html)
    for header, value in own:
        response[header] = value
    return response


urlpatterns = [django_path("<str:name>", _django_view)]
DJANGO = {
    "ROOT_URLCONF": __name__,
    "MIDDLEWARE": ["secheaders_wsgi.django.SecureHeadersMiddleware"],
    "SECHEADERS": CONFIG,
}


def _django(name: str) -> Any:
    with override_settings(**DJANGO):
        return Client().get(f"/{name}")


def _django_async(name: str) -> Any:
    with override_settings(**DJANGO):
        return run_async(AsyncClient().get(f"/{name}"))


CLIENTS = [
    pytest.param(_webtest, id="webtest"),
    pytest.param(_flask, id="flask-test-client"),
    pytest.param(_starlette, id="httpx-asgi"),
    pytest.param(_starlette_testclient, id="starlette-testclient"),
    pytest.param(_django, id="django-client"),
    pytest.param(_django_async, id="django-asyncclient"),
]


@pytest.mark.parametrize("get", CLIENTS)
@pytest.mark.parametrize("name", ["good", "plain"])
def test_a_good_page_passes(get: Callable[[str], Any], name: str) -> None:
    response = get(name)

    assert header_problems(response, CONFIG) == []
    assert_secure_headers(response, CONFIG)


@pytest.mark.parametrize("get", CLIENTS)
@pytest.mark.parametrize(("name", "message"), BROKEN)
def test_a_broken_page_fails_naming_the_problem(
    get: Callable[[str], Any], name: str, message: str
) -> None:
    response = get(name)

    with pytest.raises(AssertionError, match=message) as failure:
        assert_secure_headers(response, CONFIG)
    assert str(failure.value).startswith(
        f"1 problem with the security headers of /{name} (https, the top level):\n- "
    )


@pytest.mark.parametrize("get", CLIENTS)
def test_a_header_the_view_leaves_out_on_purpose_can_be_named(
    get: Callable[[str], Any],
) -> None:
    response = get("no-hsts")

    assert_secure_headers(response, CONFIG, dropped=["Strict-Transport-Security"])


def test_every_problem_is_listed_at_once() -> None:
    def page(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        drop_headers(environ, "Strict-Transport-Security", "X-Frame-Options")
        own = ("Content-Security-Policy", "script-src 'unsafe-eval'")
        start_response("200 OK", [("Content-Type", "text/html"), own])
        return [b'<style nonce="x"></style>']

    response = TestApp(SecureHeaders(page, CONFIG)).get("/")

    problems = header_problems(response, CONFIG)
    assert [problem.split(" ", 1)[0] for problem in problems] == [
        "Content-Security-Policy:",
        "<style",
        "Strict-Transport-Security",
        "X-Frame-Options",
    ]


def test_a_request_factory_request_handed_to_the_middleware() -> None:
    # docs/testing.md: the response keeps no request, so the path is given.
    from django.test import RequestFactory

    from secheaders_wsgi.django import SecureHeadersMiddleware

    with override_settings(**DJANGO):
        middleware = SecureHeadersMiddleware(
            lambda request: _django_view(request, request.path.strip("/"))
        )
        response = middleware(RequestFactory().get("/stale"))

        with pytest.raises(TypeError, match="pass path="):
            assert_secure_headers(response, CONFIG)
        with pytest.raises(AssertionError, match='<script nonce="old">'):
            assert_secure_headers(response, CONFIG, path="/stale")
        assert (
            header_problems(
                middleware(RequestFactory().get("/good")), CONFIG, path="/good"
            )
            == []
        )


def test_an_app_that_is_not_wrapped_gets_one_message_saying_so() -> None:
    response = TestApp(_wsgi_page).get("/plain")

    with pytest.raises(AssertionError) as failure:
        assert_secure_headers(response, CONFIG)
    (problem,) = str(failure.value).splitlines()[1:]
    assert problem.startswith(
        "- none of the headers the config sends are on the response "
        "(Content-Security-Policy, X-Content-Type-Options,"
    )
    assert "init_app(app, config)" in problem


# -- What the check holds a response to.


def _rule_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/html")])
    return [b"<p>legacy</p>"]


def test_the_paths_rule_of_the_response_counts() -> None:
    config = {
        **CONFIG,
        "paths": [
            {
                "prefix": "/legacy/",
                "csp_header": {"style-src": "'self' 'unsafe-inline'"},
            }
        ],
    }
    response = TestApp(SecureHeaders(_rule_app, config)).get("/legacy/page")

    assert "'unsafe-inline'" in response.headers["Content-Security-Policy"]
    assert_secure_headers(response, config)
    # The same response held to the top level's policy: the rule made the
    # difference, not a check that lets 'unsafe-inline' through.
    with pytest.raises(AssertionError, match=r"of /elsewhere \(https, the top level\)"):
        assert_secure_headers(response, config, path="/elsewhere")


def test_a_named_override_the_view_used_counts() -> None:
    config = {
        **CONFIG,
        "overrides": {"embed": {"csp_frame_ancestors": ["https://partner.example"]}},
    }

    def embed(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        from secheaders_wsgi import use_override

        use_override(environ, "embed")
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<p>framed</p>"]

    response = TestApp(SecureHeaders(embed, config)).get("/")

    # X-Frame-Options cannot name a partner: the override sends none.
    assert "X-Frame-Options" not in response.headers
    with pytest.raises(AssertionError, match="X-Frame-Options is missing"):
        assert_secure_headers(response, config)
    assert_secure_headers(response, config, overrides=["embed"])


def test_an_unknown_override_name_is_refused() -> None:
    response = _webtest("good")

    with pytest.raises(ValueError, match="'embd' is not a named override"):
        assert_secure_headers(response, CONFIG, overrides=["embd"])


# No server_secured: HSTS only on requests that come over https.
STRICT_ANYWHERE = {"preset": "strict", "hsts_header": HSTS}


def test_hsts_is_required_on_https_only() -> None:
    app = TestApp(SecureHeaders(_wsgi_page, STRICT_ANYWHERE))

    over_http = app.get("/plain")
    over_https = app.get("/plain", extra_environ={"wsgi.url_scheme": "https"})

    assert "Strict-Transport-Security" not in over_http.headers
    assert_secure_headers(over_http, STRICT_ANYWHERE)
    assert over_https.headers["Strict-Transport-Security"] == HSTS
    assert_secure_headers(over_https, STRICT_ANYWHERE)
    with pytest.raises(AssertionError, match="Strict-Transport-Security is missing"):
        assert_secure_headers(over_http, STRICT_ANYWHERE, https=True)


PROXIED = {"preset": "strict", "trusted_proxies": 1, "hsts_header": HSTS}


@pytest.mark.parametrize(
    ("forwarded", "https"), [("https", True), ("http", False), ("https, http", False)]
)
def test_an_asgi_response_is_https_as_the_trusted_proxy_said(
    forwarded: str, https: bool
) -> None:
    # httpx keeps no scope: the check reads X-Forwarded-Proto as the
    # middleware did, the last value for one trusted proxy.
    app = AsgiSecureHeaders(STARLETTE, PROXIED)
    sent = _httpx(app, "/plain", headers={"X-Forwarded-Proto": forwarded})
    dropped = _httpx(app, "/no-hsts", headers={"X-Forwarded-Proto": forwarded})

    assert ("strict-transport-security" in sent.headers) is https
    assert_secure_headers(sent, PROXIED)
    assert bool(header_problems(dropped, PROXIED)) is https


def test_djangos_secure_proxy_ssl_header_alone_is_caught() -> None:
    # Django believes the proxy; the middleware, without trusted_proxies, does not.
    settings = {
        **DJANGO,
        "SECHEADERS": STRICT_ANYWHERE,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
    }
    with override_settings(**settings):
        response = Client().get("/plain", headers={"X-Forwarded-Proto": "https"})

        assert response.wsgi_request.is_secure()
        with pytest.raises(AssertionError, match="only after our middleware ran"):
            assert_secure_headers(response, STRICT_ANYWHERE)


def test_a_sampled_report_header_is_not_required() -> None:
    config = {
        **CONFIG,
        "csp_report_uri": "https://reports.example/csp",
        "csp_report_sample_rate": 0.5,
    }
    app = TestApp(SecureHeaders(_wsgi_page, config))

    responses = [app.get("/plain") for _ in range(40)]

    carried = {"Reporting-Endpoints" in r.headers for r in responses}
    assert carried == {True, False}  # both kinds were checked (2**-39 to miss)
    for response in responses:
        assert_secure_headers(response, config)


def test_the_middleware_itself_gives_the_apps_framework_pages() -> None:
    # ReDoc's page needs 'unsafe-inline' in style-src; its path is the app's
    # redoc_url, which only the middleware (built with the app) knows.
    from fastapi import FastAPI

    api = FastAPI(redoc_url="/reference")
    config = {"preset": "strict", "framework_pages": ["fastapi_redoc"]}
    app = AsgiSecureHeaders(api, config)
    response = _httpx(app, "/reference")

    assert_secure_headers(response, app)
    with pytest.raises(AssertionError, match="style-src has 'unsafe-inline'"):
        assert_secure_headers(response, config)  # a plain FastAPI(): /redoc


def test_a_response_that_does_not_tell_its_request_needs_the_path() -> None:
    response = httpx.Response(
        200,
        headers={"Content-Type": "text/plain"},
        text="x",
    )

    with pytest.raises(TypeError, match="pass path= \\(and https=\\)"):
        assert_secure_headers(response, CONFIG)
    with pytest.raises(AssertionError, match="none of the headers"):
        assert_secure_headers(response, CONFIG, path="/", https=True)


def test_the_django_fragment_of_the_docs_is_the_examples_tests() -> None:
    from tests import doc_snippets
    from tests.support import ROOT

    page = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
    (fragment,) = [
        block
        for block in doc_snippets.blocks(page)
        if "examples/django_production/tests.py" in block.first_line
    ]
    tests = ROOT / "examples" / "django_production" / "tests.py"

    assert fragment.code.split("\n", 1)[1] in tests.read_text(encoding="utf-8")


def test_a_response_it_cannot_read_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="cannot read the headers of a dict"):
        assert_secure_headers({"Content-Security-Policy": "x"}, CONFIG)
