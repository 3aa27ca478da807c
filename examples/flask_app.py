"""A Flask app wrapped in SecureHeaders.

Run it: ``pip install -e '.[examples]' && python examples/flask_app.py``, open
http://127.0.0.1:8000/.

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


def make_app(config: ConfigSource = CONFIG) -> SecureHeaders:
    # Wrap the whole Flask app; `flask_app.wsgi_app = SecureHeaders(...)` works
    # too and keeps `flask run` pointing at the Flask object.
    return SecureHeaders(flask_app, config)


app = make_app()

if __name__ == "__main__":
    from waitress import serve

    serve(app, host="127.0.0.1", port=8000)
