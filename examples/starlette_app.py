"""A Starlette app wrapped in the ASGI SecureHeaders.

Run it: ``pip install -e '.[examples]'``, then ``python examples/starlette_app.py``
(uvicorn) and open http://127.0.0.1:8000/.

Starlette builds absolute URLs from ``scope["scheme"]``; with ``server_secured``
the middleware sets it to ``https`` before Starlette sees the request, so
``request.url_for(...)`` says ``https://`` behind a TLS-terminating proxy.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Template
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from secheaders_wsgi import ConfigSource, csp_nonce
from secheaders_wsgi.asgi import SecureHeaders

CONFIG = Path(__file__).with_name("security.yaml")

PAGE = Template(
    """<!doctype html><title>Starlette</title>
<a id="self" href="{{ url }}">{{ url }}</a>
<script nonce="{{ csp_nonce() }}">window.ready = true;</script>
"""
)


async def index(request: Request) -> HTMLResponse:
    url = str(request.url_for("index"))
    # A callable: the nonce is made only when the template uses it.
    page = PAGE.render(url=url, csp_nonce=lambda: csp_nonce(request.scope))
    response = HTMLResponse(page)
    response.set_cookie("theme", "dark", httponly=True, samesite="lax")
    return response


starlette_app = Starlette(routes=[Route("/", index, name="index")])


def make_app(config: ConfigSource = CONFIG) -> SecureHeaders:
    # Outermost, so that every response gets the headers, Starlette's own
    # error pages included.
    return SecureHeaders(starlette_app, config)


app = make_app()

if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=8000)
