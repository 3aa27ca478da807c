"""Flask helpers: ``init_app`` and per-view decorators. Needs Flask installed.

Use it instead of wrapping by hand when the app is a Flask app::

    from secheaders_wsgi.flask import csp_update, init_app, override

    app = Flask(__name__)
    init_app(app, "security.yaml")

    @app.get("/widget")
    @override("embed")                  # the config's overrides: embed: ...
    def widget(): ...

    @app.get("/gallery")
    @csp_update({"img-src": ["https://images.example.org"]})
    async def gallery(): ...

``init_app`` wraps ``app.wsgi_app``, not ``app``, so the object that ``flask
run``, ``app.test_client()`` and ``gunicorn module:app`` use stays the Flask
app and every one of them gets the headers. Apply ProxyFix *after* it
(``app.wsgi_app = ProxyFix(app.wsgi_app)``) so the scheme is fixed before the
headers are chosen.

The decorators go *below* ``@app.route`` (Flask registers what it is given)
and make their change when the view is called, in the order they are written.
A bad directive or source is a :class:`~secheaders_wsgi.ConfigError` when the
decorator is built, at import, with the config's message; an unknown override
name, which only the running config knows, when the view first runs.
"""

from __future__ import annotations

from typing import Any

import flask

from .config import ConfigSource
from .middleware import SecureHeaders
from .response import csp_nonce
from .views import decorators

__all__ = ["csp_replace", "csp_update", "init_app", "omit_headers", "override"]

#: The key in ``app.extensions`` that marks an app as set up.
EXTENSION = "secheaders_wsgi"


def init_app(app: flask.Flask, config: ConfigSource = None) -> SecureHeaders:
    """Wrap ``app.wsgi_app`` in :class:`SecureHeaders` and register ``csp_nonce()``.

    ``config`` is what :class:`SecureHeaders` takes (``None``, a mapping, a YAML
    path); a bad one raises :class:`~secheaders_wsgi.ConfigError` here. Templates
    get the global ``csp_nonce()``, the name Flask-Talisman templates use::

        <script nonce="{{ csp_nonce() }}">...</script>

    Returns the middleware. A second call on the same app raises
    :class:`RuntimeError`: two middlewares would each add the headers and make
    their own nonce, so the page's nonce would not match the policy's.
    """
    if EXTENSION in app.extensions or isinstance(app.wsgi_app, SecureHeaders):
        raise RuntimeError(
            f"secheaders_wsgi is already installed on the Flask app {app.name!r}: "
            "call init_app() once per app (a second SecureHeaders would add "
            "every header twice, each with its own nonce)"
        )
    middleware = SecureHeaders(app.wsgi_app, config)
    app.wsgi_app = middleware  # type: ignore[method-assign]
    app.extensions[EXTENSION] = middleware
    app.add_template_global(_template_nonce, "csp_nonce")
    return middleware


def _template_nonce() -> str:
    # Called by the template while it renders: made on first use only.
    return csp_nonce(flask.request.environ)


def _environ_of(args: tuple[Any, ...]) -> Any:
    # Flask views take URL values, not the request: it is on the context.
    return flask.request.environ


override, csp_update, csp_replace, omit_headers = decorators(_environ_of)
