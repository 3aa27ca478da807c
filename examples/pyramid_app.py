"""A Pyramid app wrapped in SecureHeaders.

Run it: ``pip install -e '.[examples]' && python examples/pyramid_app.py``, open
http://127.0.0.1:8000/.
"""

from __future__ import annotations

from pathlib import Path

from pyramid.config import Configurator
from pyramid.request import Request
from pyramid.response import Response
from pyramid.router import Router

from secheaders_wsgi import ConfigSource, SecureHeaders, csp_nonce

CONFIG = Path(__file__).with_name("security.yaml")


def index(request: Request) -> Response:
    # route_url() takes the scheme from wsgi.url_scheme: https once
    # SecureHeaders runs with server_secured.
    url = request.route_url("index")
    nonce = csp_nonce(request.environ)
    response = Response(
        f'<!doctype html><title>Pyramid</title><a id="self" href="{url}">{url}</a>\n'
        f'<script nonce="{nonce}">window.ready = true;</script>\n'
    )
    response.set_cookie("theme", "dark", httponly=True, samesite="Lax")
    return response


def pyramid_app() -> Router:
    with Configurator() as config:
        config.add_route("index", "/")
        config.add_view(index, route_name="index")
        return config.make_wsgi_app()


def make_app(config: ConfigSource = CONFIG) -> SecureHeaders:
    return SecureHeaders(pyramid_app(), config)


app = make_app()

if __name__ == "__main__":
    from waitress import serve

    serve(app, host="127.0.0.1", port=8000)
