"""Wiring mistakes named at once: the middleware wrapped twice, wrapped around
the Flask object whose ``wsgi_app`` it replaces, or listed in Django's
``MIDDLEWARE``.

Each would otherwise fail far from its cause: headers computed twice, a
``RecursionError`` on the first request, or Django's ``TypeError`` about a
missing ``start_response``. Only the construction-time checks run per
middleware; the re-entry check runs only once a ``RecursionError`` is raised.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

__all__ = ["REENTERED", "reentered", "refuse_misuse"]

REENTERED = (
    "SecureHeaders calls itself: its app leads back to the same middleware, "
    "as with `flask_app.wsgi_app = SecureHeaders(flask_app)`. Wrap Flask's "
    "own wsgi_app instead: `flask_app.wsgi_app = SecureHeaders(flask_app.wsgi_app, "
    "config)`, or wrap the whole app once: `app = SecureHeaders(flask_app, config)`"
)

# The get_response Django hands to each entry of MIDDLEWARE (Django 3.1+).
_DJANGO_GET_RESPONSE = "convert_exception_to_response.<locals>.inner"


def refuse_misuse(app: Any) -> None:
    """Raise ``TypeError`` for an ``app`` that shows a wiring mistake."""
    from .middleware import SecureHeaders

    if isinstance(app, SecureHeaders) or isinstance(
        getattr(app, "wsgi_app", None), SecureHeaders
    ):
        raise TypeError(
            "the app is wrapped in SecureHeaders already: wrap it once (two "
            "layers would compute every header twice and the outer one would "
            "not see the inner one's config); pass one config to a single "
            "SecureHeaders, with paths: rules for what differs per path"
        )
    code = getattr(app, "__code__", None)
    if getattr(code, "co_qualname", None) == _DJANGO_GET_RESPONSE:
        raise TypeError(
            "SecureHeaders is WSGI middleware, not Django middleware: take it "
            "out of settings.MIDDLEWARE and wrap the WSGI application in "
            "wsgi.py instead: `application = SecureHeaders("
            "get_wsgi_application(), 'security.yaml')`"
        )


def reentered(middleware: object, exc: BaseException) -> bool:
    """Whether ``exc`` unwound through ``middleware``'s ``__call__`` twice."""
    code = type(middleware).__call__.__code__
    seen = 0
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_code is code and frame.f_locals.get("self") is middleware:
            seen += 1
            if seen > 1:
                return True
        tb = tb.tb_next
    return False
