"""A bare WSGI application wrapped in SecureHeaders, no framework at all.

Run it: ``python examples/plain_wsgi.py`` (no framework to install), open
http://127.0.0.1:8000/.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from wsgiref.util import request_uri

from secheaders_wsgi import ConfigSource, SecureHeaders, csp_nonce

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CONFIG = Path(__file__).with_name("security.yaml")


def hello(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    # request_uri() builds the absolute URL from wsgi.url_scheme, so it says
    # https:// once SecureHeaders runs with server_secured.
    url = request_uri(environ, include_query=False)
    # Asked for before start_response, so the policy carries it.
    nonce = csp_nonce(environ)
    body = (
        f'<!doctype html><title>WSGI</title><a id="self" href="{url}">{url}</a>\n'
        f'<script nonce="{nonce}">window.ready = true;</script>\n'
    )
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Set-Cookie", "visited=1; Path=/; HttpOnly; SameSite=Lax"),
        ],
    )
    return [body.encode()]


def make_app(config: ConfigSource = CONFIG) -> WSGIApplication:
    return SecureHeaders(hello, config)


app = make_app()

if __name__ == "__main__":
    from wsgiref.simple_server import make_server

    with make_server("127.0.0.1", 8000, app) as server:
        print("Serving on http://127.0.0.1:8000/")
        server.serve_forever()
