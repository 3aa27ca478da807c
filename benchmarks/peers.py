"""The peers, set up to send what SecureHeaders sends with its defaults.

Each builder returns a WSGI app, or raises :class:`harness.Skip` when its
package is missing (``pip install -e '.[bench]'`` installs them all). The
framework apps (Flask, Django) are here too: a peer that is framework
middleware can only be measured inside its framework, so SecureHeaders and its
limit are measured around the same framework app.
"""

from __future__ import annotations

import sys
import types
from typing import Any, cast

from harness import BODY, Skip, WSGIApp, trivial_app
from limits import record


def _default_headers() -> dict[str, str]:
    return dict(record().http.headers)


def secure_py() -> WSGIApp:
    """secure.py's own WSGI middleware, the same four headers."""
    try:
        import secure
        from secure.middleware import SecureWSGIMiddleware
    except ImportError:
        raise Skip("secure not installed (pip install -e '.[bench]')") from None
    ours = _default_headers()
    # The same four headers as our defaults, through secure's own builders.
    config = secure.Secure(
        csp=secure.ContentSecurityPolicy().set(ours["Content-Security-Policy"]),
        xcto=secure.XContentTypeOptions().nosniff(),
        referrer=secure.ReferrerPolicy().strict_origin_when_cross_origin(),
        custom=[secure.CustomHeader("X-XSS-Protection", ours["X-XSS-Protection"])],
    )
    return SecureWSGIMiddleware(trivial_app, secure=config)


def flask_app() -> Any:
    try:
        import flask
    except ImportError:
        raise Skip("flask not installed") from None
    app = flask.Flask("bench")

    @app.route("/")
    def index() -> bytes:
        return BODY

    return app


def flask_talisman() -> WSGIApp:
    """Flask-Talisman on the Flask app, with our default CSP."""
    app = flask_app()
    try:
        from flask_talisman import Talisman  # type: ignore[import-untyped]
    except ImportError:
        raise Skip("flask-talisman not installed (pip install -e '.[bench]')") from None
    csp = _default_headers()["Content-Security-Policy"]
    policy = dict((directive.split(" ", 1) + [""])[:2] for directive in csp.split("; "))
    # force_https off: a redirect is not the response being compared.
    Talisman(app, force_https=False, content_security_policy=policy)
    return cast(WSGIApp, app)


_DJANGO_URLS = "secheaders_bench_urls"
SECURITY_MIDDLEWARE = "django.middleware.security.SecurityMiddleware"


def django_handler(middleware: list[str]) -> WSGIApp:
    """A one-view Django project, with ``middleware`` as its MIDDLEWARE setting."""
    try:
        import django  # type: ignore[import-untyped]
        from django.conf import settings  # type: ignore[import-untyped]
        from django.core.handlers.wsgi import (  # type: ignore[import-untyped]
            WSGIHandler,
        )
        from django.http import HttpResponse  # type: ignore[import-untyped]
        from django.urls import path  # type: ignore[import-untyped]
    except ImportError:
        raise Skip("django not installed") from None
    if not settings.configured:
        urls = types.ModuleType(_DJANGO_URLS)
        urls.urlpatterns = [  # type: ignore[attr-defined]
            path("", lambda request: HttpResponse(BODY)),
        ]
        sys.modules[_DJANGO_URLS] = urls
        settings.configure(
            DEBUG=False,
            SECRET_KEY="benchmark-only",
            ALLOWED_HOSTS=["*"],
            ROOT_URLCONF=_DJANGO_URLS,
            MIDDLEWARE=[],
            INSTALLED_APPS=[],
            USE_TZ=True,
            LOGGING_CONFIG=None,
        )
        django.setup()
    # The handler reads MIDDLEWARE when it is built, so one settings object serves both.
    settings.MIDDLEWARE = middleware
    return cast(WSGIApp, WSGIHandler())
