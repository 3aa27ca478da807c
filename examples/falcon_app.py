"""A Falcon app wrapped in SecureHeaders.

Run it: ``pip install -e '.[examples]' && python examples/falcon_app.py``, open
http://127.0.0.1:8000/.
"""

from __future__ import annotations

from pathlib import Path

import falcon

from secheaders_wsgi import ConfigSource, SecureHeaders, csp_nonce

CONFIG = Path(__file__).with_name("security.yaml")


class Index:
    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        # req.prefix is scheme://host plus the app's root, from wsgi.url_scheme.
        url = f"{req.prefix}/"
        nonce = csp_nonce(req.env)
        resp.content_type = falcon.MEDIA_HTML
        resp.text = (
            f'<!doctype html><title>Falcon</title><a id="self" href="{url}">{url}</a>\n'
            f'<script nonce="{nonce}">window.ready = true;</script>\n'
        )
        # Falcon marks cookies Secure by default; secure=False leaves that to
        # SecureHeaders, which adds it exactly when server_secured says so.
        resp.set_cookie("theme", "dark", secure=False, http_only=True, same_site="Lax")


falcon_app = falcon.App()
falcon_app.add_route("/", Index())


def make_app(config: ConfigSource = CONFIG) -> SecureHeaders:
    return SecureHeaders(falcon_app, config)


app = make_app()

if __name__ == "__main__":
    from waitress import serve

    serve(app, host="127.0.0.1", port=8000)
