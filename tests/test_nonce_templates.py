"""The documented template recipes: Jinja (Flask) and Django templates."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template_string, request
from webtest import TestApp

from secheaders_wsgi import SecureHeaders, csp_nonce
from tests.support import csp_of


def test_flask_jinja_context_processor_recipe() -> None:
    app = Flask(__name__)
    app.wsgi_app = SecureHeaders(app.wsgi_app, {"preset": "strict"})  # type: ignore[method-assign]

    @app.context_processor
    def nonce() -> dict[str, Any]:
        return {"csp_nonce": lambda: csp_nonce(request.environ)}

    @app.route("/")
    def page() -> str:
        return render_template_string('<script nonce="{{ csp_nonce() }}"></script>')

    @app.route("/plain")
    def plain() -> str:
        return render_template_string("<p>no script</p>")

    client = TestApp(app)
    response = client.get("/")
    value = response.text.split('"')[1]
    script = csp_of(response.headers["Content-Security-Policy"])["script-src"]
    assert script == ["'self'", "'strict-dynamic'", f"'nonce-{value}'"]
    assert "nonce-" not in client.get("/plain").headers["Content-Security-Policy"]


def test_django_template_calls_the_nonce_only_when_used() -> None:
    from django.template import Context, Engine

    engine = Engine()
    environ: dict[str, Any] = {}

    def app(env: dict[str, Any], start_response: Any) -> list[bytes]:
        environ.update(env)
        # what the documented context processor puts in the context
        context = Context({"csp_nonce": env["secheaders.csp_nonce"]})
        template = env["PATH_INFO"] == "/" and '<script nonce="{{ csp_nonce }}">'
        body = engine.from_string(template or "<p>no script</p>").render(context)
        start_response("200 OK", [("Content-Type", "text/html")])
        return [body.encode()]

    client = TestApp(SecureHeaders(app, {"csp_unsafe_inline": False}))
    response = client.get("/")
    value = response.text.split('"')[1]
    assert value == environ["secheaders.csp_nonce"]()
    assert f"'nonce-{value}'" in response.headers["Content-Security-Policy"]
    assert "nonce-" not in client.get("/plain").headers["Content-Security-Policy"]
