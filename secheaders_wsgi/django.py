"""Django helpers: per-view decorators, the nonce for templates and for
``request.csp_nonce``. Needs Django installed; the site runs under WSGI with
its application wrapped in :class:`~secheaders_wsgi.SecureHeaders` (``wsgi.py``).

::

    # settings.py
    MIDDLEWARE = ["secheaders_wsgi.django.NonceMiddleware", ...]
    TEMPLATES = [{..., "OPTIONS": {"context_processors": [
        "secheaders_wsgi.django.nonce", ...]}}]

    # views.py
    from secheaders_wsgi.django import csp_update, override

    @override("embed")                       # the config's overrides: embed: ...
    def widget(request): ...

    @method_decorator(csp_update({"img-src": ["https://images.example.org"]}),
                      name="dispatch")
    class Gallery(View): ...

The decorators work on sync and async function views and, through
``method_decorator``, on class-based views; an async view stays async. They
make their change when the view is called, in the order they are written. A
bad directive or source is a :class:`~secheaders_wsgi.ConfigError` when the
decorator is built, at import, with the config's message; an unknown override
name, which only the running config knows, when the view first runs.

Under WSGI ``request.META`` is the environ the middleware saw; under ASGI
(``asgi.py`` wrapped in :class:`secheaders_wsgi.asgi.SecureHeaders`) the
state is in ``request.scope``, and the helpers read it there. A request that
went through neither (Django's test ``Client``) has none, so a decorated view
or a used nonce raises :class:`RuntimeError` saying so.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from .response import STATE_KEY, csp_nonce
from .views import decorators

__all__ = [
    "NonceMiddleware",
    "csp_replace",
    "csp_update",
    "nonce",
    "omit_headers",
    "override",
]


def _carrier(request: Any) -> Any:
    """Where the middleware put the request's state: the ASGI scope (Django's
    ASGIRequest keeps it as ``request.scope``) or the WSGI environ (``META``)."""
    scope = getattr(request, "scope", None)
    if isinstance(scope, dict) and STATE_KEY in scope:
        return scope
    return getattr(request, "META", None)


def _environ_of(args: tuple[Any, ...]) -> Any:
    # A view's first argument is the request, also under method_decorator.
    meta = _carrier(args[0]) if args else None
    if meta is None:
        raise TypeError(
            "a secheaders_wsgi.django decorator was called without a request "
            "as the first argument: on a class-based view's method, wrap it: "
            '@method_decorator(csp_update({...}), name="dispatch")'
        )
    _require_middleware(meta)
    return meta


def _require_middleware(meta: Any) -> None:
    # The core's error says "wrap the application"; under Django the usual
    # cause is a request that never went through wsgi.py, so name those.
    if STATE_KEY not in meta:
        raise RuntimeError(
            "this request did not go through secheaders_wsgi.SecureHeaders: "
            "wrap the application in wsgi.py (application = SecureHeaders("
            "get_wsgi_application(), ...)) or, under ASGI, in asgi.py "
            "(secheaders_wsgi.asgi.SecureHeaders(get_asgi_application(), ...)). "
            "Django's test Client runs neither; test through the wrapped "
            "application instead (e.g. webtest.TestApp(application))"
        )


override, csp_update, csp_replace, omit_headers = decorators(_environ_of)


class LazyNonce:
    """The request's nonce as lazy text: made when turned into text.

    ``{{ csp_nonce }}`` (``str()``) makes it; ``{% if csp_nonce %}``
    (``bool()``) only says whether it was made, and never makes one (as
    Django 6's and django-csp's): a page that only checks costs nothing, and
    a check after the response started is false rather than an error.
    """

    __slots__ = ("_carrier",)

    def __init__(self, carrier: Any) -> None:
        self._carrier = carrier

    def __str__(self) -> str:
        _require_middleware(self._carrier)
        return csp_nonce(self._carrier)

    # Django's and Jinja's escaping call __html__ on safe text: a nonce is.
    __html__ = __str__

    def __bool__(self) -> bool:
        state = (self._carrier or {}).get(STATE_KEY)
        return getattr(state, "made", None) is not None

    def __eq__(self, other: object) -> bool:
        return bool(self) and str(self) == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"<LazyNonce {'made' if self else 'not made yet'}>"


def _lazy_nonce(request: Any) -> LazyNonce:
    return LazyNonce(_carrier(request))


def nonce(request: Any) -> dict[str, Any]:
    """Context processor: ``{{ csp_nonce }}`` in templates, made only if used.

    The same value as ``request.csp_nonce`` when :class:`NonceMiddleware` runs.
    """
    value = getattr(request, "csp_nonce", None)
    # Another library's request.csp_nonce is not the one in our policy.
    if type(value) is not LazyNonce:
        value = _lazy_nonce(request)
    return {"csp_nonce": value}


class NonceMiddleware:
    """Sets ``request.csp_nonce``, a lazy string: made only when read.

    Django 6 and packages such as django-debug-toolbar put
    ``request.csp_nonce`` on the scripts they add, so their pages work under a
    nonce policy with this middleware in ``MIDDLEWARE``. Sync and async.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            # __call__ then returns get_response's coroutine for Django to await.
            markcoroutinefunction(self)

    def __call__(self, request: Any) -> Any:
        request.csp_nonce = _lazy_nonce(request)
        return self.get_response(request)
