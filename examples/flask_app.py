"""A Flask app wrapped in SecureHeaders.

Run it: ``pip install -e '.[examples]' && python examples/flask_app.py`` (waitress)
or ``flask --app examples.flask_app run``, and open the address it prints.

The middleware replaces ``flask_app.wsgi_app``, so ``app`` stays the Flask
object: ``flask run``, the test client and any server see the headers. (Wrapping
the Flask object itself, ``app = SecureHeaders(flask_app)``, works for servers,
but ``flask run`` would find the unwrapped Flask object and serve no headers.)

Flask builds absolute URLs from ``wsgi.url_scheme``; with ``server_secured`` the
middleware sets it to ``https`` before Flask sees the request, so
``url_for(..., _external=True)`` says ``https://`` behind a TLS-terminating proxy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import (
    Flask,
    make_response,
    render_template_string,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from secheaders_wsgi import ConfigSource, SecureHeaders, csp_nonce

CONFIG = Path(__file__).with_name("security.yaml")

flask_app = Flask(__name__)
# A real app reads this from the environment; the example only needs a session.
flask_app.secret_key = "example-only-not-a-secret"


PAGE = """<!doctype html><title>Flask</title>
<a id="self" href="{{ url }}">{{ url }}</a>
<script nonce="{{ csp_nonce() }}">window.ready = true;</script>
"""


@flask_app.context_processor
def nonce() -> dict[str, Callable[[], str]]:
    # A callable: the nonce is made only when a template uses it.
    return {"csp_nonce": lambda: csp_nonce(request.environ)}


@flask_app.get("/")
def index() -> ResponseReturnValue:
    session["visits"] = session.get("visits", 0) + 1
    url = url_for("index", _external=True)
    response = make_response(render_template_string(PAGE, url=url))
    response.set_cookie("theme", "dark", httponly=True, samesite="Lax")
    return response


# Flask's own wsgi_app, kept before it is replaced below.
_flask_wsgi_app = flask_app.wsgi_app


def make_app(config: ConfigSource = CONFIG) -> SecureHeaders:
    """Flask's own wsgi_app wrapped with ``config`` (the tests try several)."""
    return SecureHeaders(_flask_wsgi_app, config)


flask_app.wsgi_app = make_app()  # type: ignore[method-assign]
app = flask_app

if __name__ == "__main__":
    from waitress import serve

    serve(app, host="127.0.0.1", port=8000)
