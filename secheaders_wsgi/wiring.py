"""Wiring mistakes named at once: the middleware wrapped twice (directly or with
other middleware between), wrapped around the Flask object whose ``wsgi_app``
it replaces, or listed in Django's ``MIDDLEWARE``.

Each would otherwise fail far from its cause: an inner config that silently
does nothing, a ``RecursionError`` on the first request, or Django's
``TypeError`` about a missing ``start_response``. The adapters are recognised
by a class attribute, :data:`MARK`, so this module imports none of them.
Only the construction-time checks run per middleware; two middlewares on one
request are caught by the core on the first such request (a state already in
the environ or scope), and the re-entry check runs only once a
``RecursionError`` is raised.
"""

from __future__ import annotations

import os
import sys
from typing import Any

__all__ = ["MARK", "REENTERED", "STACKED", "built_here", "refuse_misuse"]

#: The class attribute every middleware of ours has: ``"wsgi"``, ``"asgi"``...
MARK = "secheaders_adapter"

REENTERED = (
    "SecureHeaders calls itself: its app leads back to the same middleware, "
    "as with `flask_app.wsgi_app = SecureHeaders(flask_app)`. Wrap Flask's "
    "own wsgi_app instead: `flask_app.wsgi_app = SecureHeaders(flask_app.wsgi_app, "
    "config)`, or wrap the whole app once: `app = SecureHeaders(flask_app, config)`"
)

#: What two SecureHeaders on one request would do, and the fix.
STACKED = (
    "the inner one's headers would win (the outer one takes them for the app's "
    "own), so the outer one's config would do nothing without a word: keep one "
    "SecureHeaders around the whole app, with paths: rules for what differs per "
    "path"
)

# The get_response Django hands to each entry of MIDDLEWARE (Django 3.1+).
_DJANGO_GET_RESPONSE = "convert_exception_to_response.<locals>.inner"
# Where middleware keeps the app it wraps (werkzeug, Starlette, Flask, Quart,
# a2wsgi; asgiref's WsgiToAsgi). An adapter that builds a new environ from the
# scope, as WsgiToAsgi does, carries no state across: only this look finds it.
_INNER = ("app", "wsgi_app", "asgi_app", "wsgi_application")
# How far down a stack of middleware to look before the first request.
_DEPTH = 12


def refuse_misuse(app: Any, adapter: str, label: str) -> None:
    """Raise ``TypeError`` for an ``app`` that shows a wiring mistake.

    ``adapter``: the kind of the middleware being built (``"wsgi"``,
    ``"asgi"``): the Django advice names its file; ``label``: its
    :func:`built_here`, so that a message names both of two stacked ones.
    """
    inner = _ours_below(app)
    if inner is not None:
        raise TypeError(
            f"the app is wrapped in SecureHeaders already ({inner}): wrap it once. "
            f"{label} would wrap it again, and {STACKED}"
        )
    code = getattr(app, "__code__", None)
    if getattr(code, "co_qualname", None) == _DJANGO_GET_RESPONSE:
        raise TypeError(
            f"{_NAMES.get(adapter, 'SecureHeaders')} is {adapter.upper()} "
            "middleware, not Django middleware: in settings.MIDDLEWARE use "
            "'secheaders_wsgi.django.SecureHeadersMiddleware' (its config in "
            "the SECHEADERS setting), or wrap the application in "
            f"{adapter}.py: `application = SecureHeaders("
            f"get_{adapter}_application(), 'security.yaml')`"
        )


_NAMES = {
    "wsgi": "secheaders_wsgi.SecureHeaders",
    "asgi": "secheaders_wsgi.asgi.SecureHeaders",
}


def _ours_below(app: Any) -> str | None:
    """The label of a middleware of ours in the stack under ``app``, if any."""
    seen: set[int] = set()
    todo = [app]
    for _ in range(_DEPTH):
        if not todo:
            return None
        layer = todo.pop()
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        if getattr(type(layer), MARK, None) is not None:
            return str(getattr(layer, "label", type(layer).__name__))
        for name in _INNER:
            try:
                below = getattr(layer, name, None)
            except Exception:  # a property of someone else's that raises
                continue
            if below is not None:
                todo.append(below)
    return None


def built_here(kind: str, source: object) -> str:
    """``SecureHeaders (WSGI) built at app.py:12 with security.yaml``.

    The first frame outside this package is the user's line.
    """
    package = os.path.dirname(__file__) + os.sep
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_code.co_filename.startswith(package):
        frame = frame.f_back
    where = f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}"
    if source is None:
        config = "the defaults"
    elif isinstance(source, (str, os.PathLike)):
        config = os.fspath(source)
    else:
        config = f"a {type(source).__name__} config"
    return f"SecureHeaders ({kind}) built at {where} with {config}"
