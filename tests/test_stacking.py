"""Two SecureHeaders on one request are refused, whatever stands between them.

Issue 19: ``SecureHeaders(ProxyFix(SecureHeaders(app)), {"preset": "strict"})``,
``init_app`` plus an outer ``SecureHeaders`` and FastAPI's ``add_middleware``
plus an outer wrap were accepted, and the inner one's default policy won (the
outer one takes the inner one's headers for the app's own), so the strict
config did nothing. Where the stack is visible (a middleware keeps its app in
an attribute) it is refused when the outer one is built; else on the first
request, by the state the outer one left in the environ or scope. Either way
the error names both and says to keep one.

The stacks are built explicitly for each adapter (``WsgiSecureHeaders``,
``AsgiSecureHeaders``): the contract's bridge rebuilds the environ between
layers, which no stack can show through. What runs through the bridge on both
adapters uses ``served`` and ``SecureHeaders``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import pytest
from asgiref.wsgi import WsgiToAsgi
from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from webtest import TestApp
from werkzeug.middleware.proxy_fix import ProxyFix

from secheaders_wsgi import SecureHeaders
from secheaders_wsgi import SecureHeaders as WsgiSecureHeaders
from secheaders_wsgi.asgi import SecureHeaders as AsgiSecureHeaders
from secheaders_wsgi.flask import init_app
from tests.support import (
    RecordingApp,
    RecordingStartResponse,
    asgi_served,
    csp_of,
    environ_for,
    http_scope,
)
from tests.test_wiring import flask_app

STRICT = {"preset": "strict"}
HERE = r"built at test_stacking\.py:\d+"
DEFAULTS = "with the defaults"
BOTH_AND_KEEP_ONE = "keep one SecureHeaders around the whole app"


def assert_names_both(message: str, inner: str, outer: str) -> None:
    """``message`` names the inner and the outer one and says to keep one."""
    assert re.search(inner, message), message
    assert re.search(outer, message), message
    assert BOTH_AND_KEEP_ONE in message
    assert "the inner one's headers would win" in message


def hiding(app: Any) -> Any:
    """A WSGI middleware that keeps its app in a closure: no stack to see."""

    def call(environ: dict[str, Any], start_response: Any) -> Any:
        return app(environ, start_response)

    return call


def hiding_asgi(app: Any) -> Any:
    async def call(scope: Any, receive: Any, send: Any) -> None:
        await app(scope, receive, send)

    return call


class Passing:
    """An ASGI middleware that keeps its app as ``.app``, as most do."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


def first_request_wsgi(app: Any) -> BaseException:
    with pytest.raises(RuntimeError) as raised:
        b"".join(app(environ_for("/"), RecordingStartResponse()))
    return raised.value


def first_request_asgi(app: Any) -> BaseException:
    with pytest.raises(RuntimeError) as raised:
        asgi_served(app, http_scope())
    return raised.value


# Visible when the outer one is built.


def flask_with_init_app() -> Any:
    app = flask_app()
    init_app(app)
    return app


async def never_called(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("refused before any request")


# (what builds the stack, the inner one's adapter, the outer one's)
VISIBLE = [
    pytest.param(
        lambda: WsgiSecureHeaders(ProxyFix(WsgiSecureHeaders(RecordingApp())), STRICT),
        "WSGI",
        "WSGI",
        id="ProxyFix-between",
    ),
    pytest.param(
        lambda: WsgiSecureHeaders(flask_with_init_app(), STRICT),
        "WSGI",
        "WSGI",
        id="init_app-then-an-outer-wrap",
    ),
    pytest.param(
        lambda: AsgiSecureHeaders(Passing(AsgiSecureHeaders(never_called)), STRICT),
        "ASGI",
        "ASGI",
        id="ASGI-middleware-between",
    ),
    # WsgiToAsgi builds a new environ from the scope: no state crosses it, so
    # only this look, when the outer one is built, finds the inner one.
    pytest.param(
        lambda: AsgiSecureHeaders(WsgiToAsgi(flask_with_init_app()), STRICT),
        "WSGI",
        "ASGI",
        id="init_app-under-WsgiToAsgi",
    ),
]


@pytest.mark.parametrize(("build", "inner", "outer"), VISIBLE)
def test_a_stack_in_view_is_refused_when_the_outer_one_is_built(
    build: Callable[[], object], inner: str, outer: str
) -> None:
    with pytest.raises(TypeError) as raised:
        build()
    assert_names_both(
        str(raised.value),
        rf"\(SecureHeaders \({inner}\) {HERE} {DEFAULTS}\): wrap it once",
        rf"SecureHeaders \({outer}\) {HERE} with a dict config would wrap it again",
    )


# Hidden until the first request.


def test_a_middleware_that_hides_its_app_is_caught_on_the_first_request() -> None:
    app = RecordingApp()
    outer = WsgiSecureHeaders(hiding(WsgiSecureHeaders(app)), STRICT)
    error = first_request_wsgi(outer)
    assert_names_both(
        str(error),
        rf"SecureHeaders \(WSGI\) {HERE} {DEFAULTS} \(inner\)",
        rf"SecureHeaders \(WSGI\) {HERE} with a dict config \(outer\)",
    )
    assert app.calls == []  # refused before the app ran


def test_an_outer_wrap_then_init_app_is_caught_on_the_first_request() -> None:
    app = flask_app()
    outer = WsgiSecureHeaders(app, STRICT)  # nothing below it yet
    init_app(app)
    assert_names_both(
        str(first_request_wsgi(outer)),
        rf"SecureHeaders \(WSGI\) {HERE} {DEFAULTS} \(inner\)",
        rf"SecureHeaders \(WSGI\) {HERE} with a dict config \(outer\)",
    )


def test_fastapi_add_middleware_plus_an_outer_wrap_is_caught_on_the_first_request() -> (
    None
):
    api = FastAPI()

    @api.get("/")
    async def index() -> dict[str, str]:
        return {"hello": "world"}

    api.add_middleware(AsgiSecureHeaders, {"server_secured": True})
    outer = AsgiSecureHeaders(api, STRICT)
    # Starlette builds its middleware on the first request: the inner one is
    # made there, by Starlette's code.
    assert_names_both(
        str(first_request_asgi(outer)),
        r"SecureHeaders \(ASGI\) built at \S+ with a dict config \(inner\)",
        rf"SecureHeaders \(ASGI\) {HERE} with a dict config \(outer\)",
    )


def test_starlette_add_middleware_plus_an_outer_wrap_is_caught_too() -> None:
    async def page(request: Any) -> PlainTextResponse:
        return PlainTextResponse("hi")

    app = Starlette(routes=[Route("/", page)])
    app.add_middleware(AsgiSecureHeaders)
    assert_names_both(
        str(first_request_asgi(AsgiSecureHeaders(app, STRICT))),
        r"\(inner\)",
        rf"SecureHeaders \(ASGI\) {HERE} with a dict config \(outer\)",
    )


def test_an_asgi_middleware_that_hides_its_app_is_caught_on_the_first_request() -> None:
    inner = AsgiSecureHeaders(hiding_asgi(lambda *a: None))
    outer = AsgiSecureHeaders(hiding_asgi(inner), STRICT)
    assert_names_both(
        str(first_request_asgi(outer)),
        rf"SecureHeaders \(ASGI\) {HERE} {DEFAULTS} \(inner\)",
        rf"SecureHeaders \(ASGI\) {HERE} with a dict config \(outer\)",
    )


def test_djangos_middleware_under_the_asgi_wrapper_is_caught_on_the_first_request(
    caplog: pytest.LogCaptureFixture,
) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_project.settings")
    import django
    from django.core.handlers.asgi import ASGIHandler
    from django.test.utils import override_settings

    django.setup()
    middleware = ["secheaders_wsgi.django.SecureHeadersMiddleware"]
    with override_settings(MIDDLEWARE=middleware, SECHEADERS={}):
        outer = AsgiSecureHeaders(ASGIHandler(), STRICT)
        # Django turns the error into its 500 and logs it with the traceback.
        sent = asgi_served(outer, http_scope())
    assert sent[0]["status"] == 500
    (error,) = [r.exc_info[1] for r in caplog.records if r.exc_info]
    assert isinstance(error, RuntimeError)
    assert_names_both(
        str(error),
        r"SecureHeaders \(Django\) built at \S+ with a dict config \(inner\)",
        rf"SecureHeaders \(ASGI\) {HERE} with a dict config \(outer\)",
    )


# Keep one: the fix the errors give works, on both adapters.


def test_one_secure_headers_around_proxyfix_sends_the_strict_policy() -> None:
    response = TestApp(SecureHeaders(ProxyFix(RecordingApp()), STRICT)).get("/")
    assert csp_of(response.headers["Content-Security-Policy"])["default-src"] == [
        "'none'"
    ]
    assert response.headers["Cross-Origin-Embedder-Policy"] == "require-corp"


def test_a_middleware_that_hides_its_app_is_fine_around_one() -> None:
    response = TestApp(SecureHeaders(hiding(RecordingApp()), STRICT)).get("/")
    assert response.status_int == 200
    assert "'strict-dynamic'" in response.headers["Content-Security-Policy"]
