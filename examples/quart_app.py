"""A Quart app wrapped in the ASGI SecureHeaders.

Run it: ``pip install -e '.[examples]'``, then ``python examples/quart_app.py``
(hypercorn; ``uvicorn examples.quart_app:app`` works too) and open
http://127.0.0.1:8000/.

Quart's ``url_for(..., _external=True)`` takes the scheme from the scope: with
``server_secured`` it says ``https://`` behind a TLS-terminating proxy.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from quart import (
    Quart,
    make_response,
    render_template_string,
    request,
    session,
    url_for,
)
from quart.typing import ResponseReturnValue

from secheaders_wsgi import ConfigSource, csp_nonce
from secheaders_wsgi.asgi import SecureHeaders

CONFIG = Path(__file__).with_name("security.yaml")

quart_app = Quart(__name__)
# A real app reads this from the environment; the example only needs a session.
quart_app.secret_key = "example-only-not-a-secret"

PAGE = """<!doctype html><title>Quart</title>
<a id="self" href="{{ url }}">{{ url }}</a>
<script nonce="{{ csp_nonce() }}">window.ready = true;</script>
"""


@quart_app.context_processor
async def nonce() -> dict[str, Callable[[], str]]:
    # A callable: the nonce is made only when a template uses it.
    return {"csp_nonce": lambda: csp_nonce(request.scope)}


@quart_app.get("/")
async def index() -> ResponseReturnValue:
    session["visits"] = session.get("visits", 0) + 1
    url = url_for("index", _external=True)
    response = await make_response(await render_template_string(PAGE, url=url))
    response.set_cookie("theme", "dark", httponly=True, samesite="Lax")
    return response


def make_app(config: ConfigSource = CONFIG) -> SecureHeaders:
    # Wrap the whole Quart app: `quart_app.asgi_app = SecureHeaders(...)` works
    # too and keeps `quart run` pointing at the Quart object.
    return SecureHeaders(quart_app, config)


app = make_app()

if __name__ == "__main__":
    import asyncio

    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    config = Config()
    config.bind = ["127.0.0.1:8000"]
    asyncio.run(serve(app, config))  # type: ignore[arg-type]
