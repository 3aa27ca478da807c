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

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import flask

from .config import ConfigSource
from .middleware import SecureHeaders
from .request.nonce import csp_nonce as _environ_nonce
from .request.views import csp_view_change, omit_change, override_change, wrap_view

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = ["csp_replace", "csp_update", "init_app", "omit_headers", "override"]

#: The key in ``app.extensions`` that marks an app as set up.
EXTENSION = "secheaders_wsgi"

View = TypeVar("View", bound=Callable[..., Any])


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
    return _environ_nonce(flask.request.environ)


def _environ_of(args: tuple[Any, ...]) -> WSGIEnvironment:
    # Flask views take URL values, not the request: it is on the context.
    environ: WSGIEnvironment = flask.request.environ
    return environ


def override(name: str) -> Callable[[View], View]:
    """Give this view's responses the config's named override ``name``.

    ``use_override(request.environ, name)`` before the view runs; an unknown
    name raises :class:`~secheaders_wsgi.ConfigError` with a did-you-mean.
    """
    change = override_change(name)
    return lambda view: wrap_view(view, change, _environ_of)


def csp_update(
    directives: Mapping[str, Iterable[str] | str], *, report_only: bool = False
) -> Callable[[View], View]:
    """Add sources to this view's CSP: ``@csp_update({"img-src": [...]})``.

    With ``report_only=True`` the report-only policy changes instead.
    """
    change = csp_view_change(False, directives, report_only)
    return lambda view: wrap_view(view, change, _environ_of)


def csp_replace(
    directives: Mapping[str, Iterable[str] | str | None], *, report_only: bool = False
) -> Callable[[View], View]:
    """Replace directives of this view's CSP; ``None`` drops a directive.

    With ``report_only=True`` the report-only policy changes instead.
    """
    change = csp_view_change(True, directives, report_only)
    return lambda view: wrap_view(view, change, _environ_of)


def omit_headers(*names: str) -> Callable[[View], View]:
    """Send none of our headers by these names on this view's responses.

    A header the view sets itself is still sent.
    """
    change = omit_change(names)
    return lambda view: wrap_view(view, change, _environ_of)
