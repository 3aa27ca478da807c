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

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.utils.functional import SimpleLazyObject  # type: ignore[import-untyped]

from .request.nonce import csp_nonce as _environ_nonce
from .request.response import STATE_KEY
from .request.views import csp_view_change, omit_change, override_change, wrap_view

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = [
    "NonceMiddleware",
    "csp_replace",
    "csp_update",
    "nonce",
    "omit_headers",
    "override",
]

View = TypeVar("View", bound=Callable[..., Any])


def _carrier(request: Any) -> Any:
    """Where the middleware put the request's state: the ASGI scope (Django's
    ASGIRequest keeps it as ``request.scope``) or the WSGI environ (``META``)."""
    scope = getattr(request, "scope", None)
    if isinstance(scope, dict) and STATE_KEY in scope:
        return scope
    return getattr(request, "META", None)


def _environ_of(args: tuple[Any, ...]) -> WSGIEnvironment:
    # A view's first argument is the request, also under method_decorator.
    meta = _carrier(args[0]) if args else None
    if meta is None:
        raise TypeError(
            "a secheaders_wsgi.django decorator was called without a request "
            "as the first argument: on a class-based view's method, wrap it: "
            '@method_decorator(csp_update({...}), name="dispatch")'
        )
    _require_middleware(meta)
    environ: WSGIEnvironment = meta
    return environ


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


def override(name: str) -> Callable[[View], View]:
    """Give this view's responses the config's named override ``name``.

    ``use_override(request.META, name)`` before the view runs; an unknown name
    raises :class:`~secheaders_wsgi.ConfigError` with a did-you-mean.
    """
    change = override_change(name)
    return lambda view: wrap_view(view, change, _environ_of)


def csp_update(
    directives: Mapping[str, Iterable[str] | str], *, report_only: bool = False
) -> Callable[[View], View]:
    """Add sources to this view's CSP: ``@csp_update({"img-src": [...]})``.

    Like django-csp's ``@csp_update``, but two of them on one directive both
    count. With ``report_only=True`` the report-only policy changes instead.
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


class _LazyNonce(SimpleLazyObject):  # type: ignore[misc]
    """The request's nonce as a lazy string: made when turned into text."""


def _lazy_nonce(request: Any) -> Any:
    meta = _carrier(request)

    def make() -> str:
        _require_middleware(meta)
        return _environ_nonce(meta)

    return _LazyNonce(make)


def nonce(request: Any) -> dict[str, Any]:
    """Context processor: ``{{ csp_nonce }}`` in templates, made only if used.

    The same value as ``request.csp_nonce`` when :class:`NonceMiddleware` runs.
    """
    value = getattr(request, "csp_nonce", None)
    # type(), not isinstance(): a lazy object answers isinstance by evaluating
    # itself. Another library's request.csp_nonce is not the one in our policy.
    if type(value) is not _LazyNonce:
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
