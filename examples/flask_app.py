"""A Flask app with SecureHeaders installed by ``secheaders_wsgi.flask.init_app``.

Run it any of these ways, from the repository root, after
``pip install -e '.[examples]'``::

    flask --app examples.flask_app run
    gunicorn examples.flask_app:app
    python examples/flask_app.py

``init_app`` wraps ``app.wsgi_app``, so ``app`` stays the Flask object that
``flask run``, the test client and gunicorn all use, and each gets the headers.

Flask builds absolute URLs from ``wsgi.url_scheme``; with ``server_secured`` the
middleware sets it to ``https`` before Flask sees the request, so
``url_for(..., _external=True)`` says ``https://`` behind a TLS-terminating proxy.

Two pages change the policy for their own responses only: ``/embed`` takes the
config's named override ``embed`` (a partner may frame it) and ``/gallery``
adds the image CDN to ``img-src`` with ``csp_update``.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    make_response,
    render_template_string,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from secheaders_wsgi import ConfigSource
from secheaders_wsgi.flask import csp_update, init_app, override

CONFIG = Path(__file__).with_name("security.yaml")
#: Where the gallery's one image comes from; no other page may load from it.
IMAGE_CDN = "https://images.example.org"

pages = Blueprint("pages", __name__)

# csp_nonce() is the Jinja global init_app registers: the nonce is made only
# when a template calls it.
PAGE = """<!doctype html><title>Flask</title>
<a id="self" href="{{ url }}">{{ url }}</a>
<script nonce="{{ csp_nonce() }}">window.ready = true;</script>
"""
EMBED = """<!doctype html><title>Embeddable</title>
<p id="embed">A partner may show this page in an iframe.</p>
"""
GALLERY = """<!doctype html><title>Gallery</title>
<img id="photo" alt="from the CDN" src="{{ cdn }}/photo.png">
"""


@pages.get("/")
def index() -> ResponseReturnValue:
    session["visits"] = session.get("visits", 0) + 1
    url = url_for("pages.index", _external=True)
    response = make_response(render_template_string(PAGE, url=url))
    response.set_cookie("theme", "dark", httponly=True, samesite="Lax")
    return response


@pages.get("/embed")
@override("embed")  # security.yaml: overrides: embed: (the partner's origin)
def embed() -> ResponseReturnValue:
    return render_template_string(EMBED)


@pages.get("/gallery")
@csp_update({"img-src": [IMAGE_CDN]})
def gallery() -> ResponseReturnValue:
    # Async views take the decorators too (with flask[async] installed).
    return render_template_string(GALLERY, cdn=IMAGE_CDN)


def make_app(config: ConfigSource = CONFIG) -> Flask:
    """A new app with SecureHeaders from ``config`` (``init_app`` runs once per app)."""
    flask_app = Flask(__name__)
    # A real app reads this from the environment; the example only needs a session.
    flask_app.secret_key = "example-only-not-a-secret"
    flask_app.register_blueprint(pages)
    init_app(flask_app, config)
    return flask_app


app = make_app()

if __name__ == "__main__":
    from waitress import serve

    serve(app, host="127.0.0.1", port=8000)
