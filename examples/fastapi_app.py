"""A FastAPI app wrapped in the ASGI SecureHeaders.

Run it: ``pip install -e '.[examples]'``, then ``python examples/fastapi_app.py``
(or ``uvicorn examples.fastapi_app:app``) and open http://127.0.0.1:8000/.

``request.url_for(...)`` says ``https://`` once ``server_secured`` has set
``scope["scheme"]``; the template's inline script carries the request's nonce.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from jinja2 import Template

from secheaders_wsgi import ConfigSource, csp_nonce
from secheaders_wsgi.asgi import SecureHeaders

CONFIG = Path(__file__).with_name("security.yaml")

PAGE = Template(
    """<!doctype html><title>FastAPI</title>
<a id="self" href="{{ url }}">{{ url }}</a>
<script nonce="{{ csp_nonce() }}">window.ready = true;</script>
"""
)

fastapi_app = FastAPI()


@fastapi_app.get("/", response_class=HTMLResponse, name="index")
async def index(request: Request) -> HTMLResponse:
    url = str(request.url_for("index"))
    page = PAGE.render(url=url, csp_nonce=lambda: csp_nonce(request.scope))
    response = HTMLResponse(page)
    response.set_cookie("theme", "dark", httponly=True, samesite="lax")
    return response


def make_app(config: ConfigSource = CONFIG) -> SecureHeaders:
    return SecureHeaders(fastapi_app, config)


app = make_app()

if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=8000)
