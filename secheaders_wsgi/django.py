"""Django: a Django middleware on the same core, view decorators, the nonce.

Needs Django installed. Put :class:`SecureHeadersMiddleware` first in
``MIDDLEWARE`` and the config in the ``SECHEADERS`` setting (a mapping, or
the path of a YAML file)::

    # settings.py
    MIDDLEWARE = ["secheaders_wsgi.django.SecureHeadersMiddleware", ...]
    SECHEADERS = BASE_DIR / "security.yaml"
    TEMPLATES = [{..., "OPTIONS": {"context_processors": [
        "secheaders_wsgi.django.nonce", ...]}}]

    # views.py
    from secheaders_wsgi.django import csp_update, override

    @override("embed")                       # the config's overrides: embed: ...
    def widget(request): ...

    @method_decorator(csp_update({"img-src": ["https://images.example.org"]}),
                      name="dispatch")
    class Gallery(View): ...

It sends exactly the headers :class:`secheaders_wsgi.SecureHeaders` around
``get_wsgi_application()`` sends for the same config and request. Django's
test ``Client`` goes through it, and a ``RequestFactory``-built request does
when the test calls ``SecureHeadersMiddleware(view)(request)``; check the
responses with :func:`secheaders_wsgi.testing.assert_secure_headers`. Wrapping
``wsgi.py`` (or ``asgi.py``) instead also covers what Django does not serve
itself: static files served by WhiteNoise or another WSGI layer outside
Django, or several apps in one process.

The decorators work on sync and async function views and, through
``method_decorator``, on class-based views; an async view stays async. They
make their change when the view is called, in the order they are written. A
bad directive or source is a :class:`~secheaders_wsgi.ConfigError` when the
decorator is built, at import, with the config's message; an unknown override
name, which only the running config knows, when the view first runs.

The state of a request is in ``request.META`` (the middleware's, or the WSGI
environ ``wsgi.py``'s wrapper saw), or in ``request.scope`` under the ASGI
wrapper; the helpers read it where it is.
"""

from __future__ import annotations

from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from .asgi.scope import ScopeRequest
from .config import load_config
from .middleware import EnvironRequest, receive_report
from .plan import Plan
from .reply import Reply
from .reports import ReportReceiver
from .request.scheme import Fix
from .response import STATE_KEY, Core, ResponseState, csp_nonce
from .views import decorators
from .wiring import built_here

__all__ = [
    "LazyNonce",
    "NonceMiddleware",
    "SecureHeadersMiddleware",
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
            "this request did not go through secheaders_wsgi: put "
            "'secheaders_wsgi.django.SecureHeadersMiddleware' first in "
            "settings.MIDDLEWARE (Django's test Client then goes through it "
            "too), or wrap the application in wsgi.py (application = "
            "SecureHeaders(get_wsgi_application(), ...)) or asgi.py"
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


class SecureHeadersMiddleware:
    """The security headers as a Django middleware: first in ``MIDDLEWARE``.

    The config is the ``SECHEADERS`` setting (a mapping or a YAML path; unset:
    the defaults), checked when Django loads the middleware. Every decision is
    the core's, as under the WSGI and ASGI wrappers: this class translates a
    request into the core's view and the merged headers back into the
    response. It also sets ``request.csp_nonce`` (so ``NonceMiddleware`` is
    not needed beside it). Sync and async.

    A trusted proxy's scheme, host, port and prefix are applied as under the
    wrapper; the prefix also moves ``request.path`` and what ``reverse()``
    makes, as ``FORCE_SCRIPT_NAME`` would (URL routing uses ``path_info``).
    """

    secheaders_adapter = "django"
    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        from django.conf import settings  # type: ignore[import-untyped]

        source = getattr(settings, "SECHEADERS", None)
        self.get_response = get_response
        self.config = load_config(source)
        self.label = built_here("Django", source)
        self._core = Core(self.config, self.label)
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request: Any) -> Any:
        if iscoroutinefunction(self):
            return self._async_call(request)
        view = _DjangoRequest(request)
        answer = self._begin(request, view)
        if answer is not None:
            return answer
        try:
            return self._finish(request, self.get_response(request))
        finally:
            view.restore_prefix()

    async def _async_call(self, request: Any) -> Any:
        view = _DjangoRequest(request)
        answer = self._begin(request, view)
        if answer is not None:
            return answer
        try:
            return self._finish(request, await self.get_response(request))
        finally:
            view.restore_prefix()

    def _begin(self, request: Any, view: _DjangoRequest) -> Any:
        """Route the request; the response that answers it instead, or None."""
        core = self._core
        plan = core.quick(view.path() if core.quick_reads_path else view.method())
        if plan is None:
            routed = core.route(view)
            if not isinstance(routed, Plan):
                if isinstance(routed, ReportReceiver):
                    routed = _receive(routed, request, view)
                return _response(routed)
            plan = routed
        scope = getattr(request, "scope", None)
        if isinstance(scope, dict) and STATE_KEY in scope:
            # The ASGI wrapper's state, around this middleware: refused there.
            core.begin(scope, False, plan)
        core.begin(request.META, view.scheme() == "https", plan)
        request.csp_nonce = LazyNonce(request.META)
        return None

    def _finish(self, request: Any, response: Any) -> Any:
        state: ResponseState = request.META[STATE_KEY]
        cookies = [morsel.OutputString() for morsel in response.cookies.values()]
        app_headers = [
            *response.items(),
            *(("Set-Cookie", cookie) for cookie in cookies),
        ]
        state.server = None  # the merged headers come back
        merged: list[tuple[str, str]] = state.start_response(None, app_headers)
        # The merged list is the app's headers (some dropped, cookies
        # hardened) and ours: write it back into Django's two stores.
        for name in list(response.headers):
            del response.headers[name]
        sent = []
        for name, value in merged:
            if name.lower() == "set-cookie":
                sent.append(value)
            else:
                response.headers[name] = value
        if sent != cookies:
            jar: SimpleCookie = SimpleCookie()
            for value in sent:
                jar.load(value)
            response.cookies = jar
        return response


class _DjangoRequest(EnvironRequest):
    """The core's view of a Django request: ``META``, an environ.

    Headers, the path and the scheme come from the ASGI scope when there is
    one: Django before 5.2.13, 4.2.30 and 6.0.4 (CVE-2026-3902) folds
    ``X_Forwarded_Proto`` into ``HTTP_X_FORWARDED_PROTO`` when it builds
    ``META`` from a scope, and the core must not take one for the other.
    """

    __slots__ = ("before", "request", "scope")

    def __init__(self, request: Any) -> None:
        super().__init__(request.META)
        self.request = request
        self.before: str | None = None  # the script prefix a proxy's replaced
        scope = getattr(request, "scope", None)
        self.scope = ScopeRequest(scope) if isinstance(scope, dict) else None

    def path(self) -> str:
        if self.scope is not None:
            return self.scope.path()
        # Django's WSGIRequest rewrote PATH_INFO as decoded text ("/café");
        # the core spells paths as PEP 3333 does ("/cafÃ©"), as under wsgi.py.
        return _as_wsgi(super().path())

    def target(self) -> tuple[str, str]:
        if self.scope is not None:
            return self.scope.target()
        script_name, query = super().target()
        return _as_wsgi(script_name), query

    def scheme(self) -> str:
        return super().scheme() if self.scope is None else self.scope.scheme()

    def header(self, name: str) -> str | None:
        if self.scope is None:
            return super().header(name)
        return self.scope.header(name)

    def rewrite(self, fix: Fix) -> None:
        super().rewrite(fix)
        if self.scope is not None:
            self.scope.rewrite(fix)  # ASGIRequest reads its scheme from there
        if fix.prefix is not None:
            self._move_under(fix.prefix)

    def _move_under(self, prefix: str) -> None:
        """Django built ``request.path`` and its script prefix before any
        middleware: move both under the proxy's prefix, as Django's handler
        would have had the server sent it (``SCRIPT_NAME``, ``root_path``)."""
        from django.urls import (  # type: ignore[import-untyped]
            get_script_prefix,
            set_script_prefix,
        )
        from django.utils.encoding import (  # type: ignore[import-untyped]
            repercent_broken_unicode,
        )

        request = self.request
        text = repercent_broken_unicode(prefix.encode("latin-1")).decode()
        self.environ["SCRIPT_NAME"] = text  # META holds decoded text
        request.path = f"{text.rstrip('/')}/{request.path_info.replace('/', '', 1)}"
        self.before = get_script_prefix()
        set_script_prefix(text)

    def restore_prefix(self) -> None:
        """The script prefix as it was: Django's test Client, unlike its
        WSGI and ASGI handlers, does not set it again for the next request."""
        if self.before is not None:
            from django.urls import set_script_prefix

            set_script_prefix(self.before)


def _as_wsgi(text: str) -> str:
    """Text Django decoded, as PEP 3333 spells it: its UTF-8 bytes as latin-1.

    Django re-quotes bytes that are not UTF-8 (``%E9``) before decoding, so
    such a path reaches the core re-quoted, as it reaches Django's views.
    """
    return text if text.isascii() else text.encode("utf-8").decode("latin-1")


def _receive(receiver: ReportReceiver, request: Any, view: _DjangoRequest) -> Reply:
    if view.scope is None:
        # The server's stream, as the WSGI wrapper reads it: Django's own
        # reads nothing without Content-Length, even from a chunked body the
        # server ended (wsgi.input_terminated).
        return receive_report(receiver, request.META)
    wanted = receiver.wanted(
        view.method(),
        view.header("content-type"),
        view.header("content-length"),
        True,  # the ASGI handler's body ends at the request's end
    )
    if isinstance(wanted, Reply):
        return wanted
    try:
        body: bytes | None = request.read(wanted)
    except Exception:  # the client left, or Django refused the upload size
        body = None
    return receiver.accept(body, user_agent=view.header("user-agent"))


def _response(reply: Reply) -> Any:
    from django.http import HttpResponse  # type: ignore[import-untyped]

    response = HttpResponse(reply.body, status=reply.code)
    del response.headers["Content-Type"]
    for name, value in reply.headers:
        response.headers[name] = value
    return response
