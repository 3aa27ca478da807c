"""A Bottle app wrapped in SecureHeaders.

Run it: ``pip install -e '.[examples]' && python examples/bottle_app.py``, open
http://127.0.0.1:8000/.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

import bottle

from secheaders_wsgi import ConfigSource, SecureHeaders, csp_nonce

CONFIG = Path(__file__).with_name("security.yaml")

bottle_app = bottle.Bottle()

# Bottle's own SimpleTemplate; {{...}} escapes.
PAGE = """<!doctype html><title>Bottle</title>
<a id="self" href="{{url}}">{{url}}</a>
<script nonce="{{nonce}}">window.ready = true;</script>
"""


@bottle_app.get("/", name="index")  # type: ignore[untyped-decorator]
def index() -> str:
    # request.url takes its scheme from wsgi.url_scheme: https once
    # SecureHeaders runs with server_secured.
    url = urljoin(bottle.request.url, bottle_app.get_url("index"))
    bottle.response.set_cookie("theme", "dark", httponly=True, samesite="lax")
    nonce = csp_nonce(bottle.request.environ)
    return bottle.template(PAGE, url=url, nonce=nonce)  # type: ignore[no-any-return]


def make_app(config: ConfigSource = CONFIG) -> SecureHeaders:
    return SecureHeaders(bottle_app, config)


app = make_app()

if __name__ == "__main__":
    from waitress import serve

    serve(app, host="127.0.0.1", port=8000)
