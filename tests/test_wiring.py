"""Wiring mistakes are named at once (construction, or the first request),
never a RecursionError or a doubled header set. Django's MIDDLEWARE and
``flask run`` are in tests/integration/test_wiring.py."""

from __future__ import annotations

import sys
from typing import Any

import flask
import pytest
from webtest import TestApp

from secheaders_wsgi import SecureHeaders
from tests.support import RecordingApp, RecordingStartResponse, environ_for


def flask_app() -> flask.Flask:
    app = flask.Flask(__name__)

    @app.route("/")
    def index() -> str:
        return "hi"

    return app


def test_secure_headers_around_secure_headers_is_refused() -> None:
    inner = SecureHeaders(RecordingApp())
    with pytest.raises(
        TypeError,
        match=r"wrapped in SecureHeaders already \(SecureHeaders \(WSGI\) built at "
        r"test_wiring.py:\d+ with the defaults\): wrap it once",
    ):
        SecureHeaders(inner, {"server_secured": True})


def test_wrapping_a_flask_app_whose_wsgi_app_is_wrapped_already_is_refused() -> None:
    app = flask_app()
    app.wsgi_app = SecureHeaders(app.wsgi_app)  # type: ignore[method-assign]
    with pytest.raises(TypeError, match="wrapped in SecureHeaders already"):
        SecureHeaders(app)


def test_the_middleware_around_the_flask_object_it_replaces_fails_clearly() -> None:
    app = flask_app()
    app.wsgi_app = SecureHeaders(app)  # type: ignore[method-assign]
    with pytest.raises(TypeError) as raised:
        app(environ_for("/"), RecordingStartResponse())
    message = str(raised.value)
    assert message.startswith("SecureHeaders calls itself")
    assert "flask_app.wsgi_app = SecureHeaders(flask_app.wsgi_app, config)" in message
    # Caught on the first re-entry, not after a thousand frames of recursion.
    assert raised.value.__context__ is None
    # And again on the next request: nothing was left half-done.
    with pytest.raises(TypeError, match="SecureHeaders calls itself"):
        app(environ_for("/"), RecordingStartResponse())


def test_the_re_entry_check_survives_a_low_recursion_limit() -> None:
    app = flask_app()
    app.wsgi_app = SecureHeaders(app)  # type: ignore[method-assign]
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        with pytest.raises(TypeError, match="SecureHeaders calls itself"):
            app(environ_for("/"), RecordingStartResponse())
    finally:
        sys.setrecursionlimit(limit)


def test_an_app_that_recurses_by_itself_keeps_its_recursion_error() -> None:
    def deep(environ: Any, start_response: Any) -> Any:
        return deep(environ, start_response)

    with pytest.raises(RecursionError):
        SecureHeaders(deep)(environ_for("/"), RecordingStartResponse())


def test_the_right_flask_wiring_serves_headers() -> None:
    app = flask_app()
    app.wsgi_app = SecureHeaders(app.wsgi_app)  # type: ignore[method-assign]
    response = TestApp(app).get("/")
    assert response.text == "hi"
    assert "Content-Security-Policy" in response.headers
