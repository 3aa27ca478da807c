"""The WSGI contract tests, run through Django's middleware and its test clients.

``behind_django(app, config)`` stands in for ``SecureHeaders(app, config)``:
the WSGI test app runs as a Django view behind
``secheaders_wsgi.django.SecureHeadersMiddleware`` (``SECHEADERS = config``),
and each request goes through ``django.test.Client`` (Django's WSGI handler),
which the result drives as a WSGI app again (:class:`DjangoAsWsgi`).
``behind_django_async`` does the same through ``django.test.AsyncClient``
(Django's ASGI handler, the middleware's async path, an async view). So the
tests' WebTest calls, ``environ_for()`` and recorders test the Django
middleware with the very assertions they make of the WSGI wrapper.

The Client gets the environ the test built, itself (not a copy with
Client's defaults), so keys the test reads back after the call are the ones
the middleware wrote; the view hands the app the environ as the test built
it (Django rewrites ``PATH_INFO`` and ``SCRIPT_NAME`` as decoded text). The
AsyncClient gets the scope a server would make of that environ
(:func:`tests.asgi_bridge.scope_of`), and the app an environ made back from
the scope, as under the ASGI bridge.
"""

from __future__ import annotations

import io
import itertools
import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from tests.asgi_bridge import PHRASES, Body, WsgiInAsgi, on_loop, rewarn, scope_of

OURS = "secheaders_wsgi.django.SecureHeadersMiddleware"
APP = "tests.django_app"
AS_BUILT = "tests.django_as_built"


def behind_django(app: Any, config: Any = None) -> DjangoAsWsgi:
    """``SecureHeaders(app, config)``, but Django's middleware does the work,
    each request through Django's test ``Client``.

    The middleware is built (and ``SECHEADERS`` checked) here, as Django's
    handler loads it; a warning it gives names the caller's line.
    """
    _refuse_non_callable(app)
    return DjangoAsWsgi(_loaded(_clients()[0](), config, is_async=False), app)


def behind_django_async(app: Any, config: Any = None) -> DjangoAsyncAsWsgi:
    """The same through Django's ``AsyncClient``."""
    _refuse_non_callable(app)
    return DjangoAsyncAsWsgi(_loaded(_clients()[1](), config, is_async=True), app)


def _refuse_non_callable(app: Any) -> None:
    if not callable(app):
        # The wrapper's own TypeError: Django has no app argument to refuse.
        raise TypeError(f"app must be a WSGI callable, not {type(app).__name__}")


def _loaded(client: Any, config: Any, *, is_async: bool) -> Any:
    """``client``, its handler's middleware loaded with ``SECHEADERS = config``."""
    from django.test.utils import override_settings

    last = f"{__name__}.{'as_async_view' if is_async else 'as_view'}"
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with override_settings(MIDDLEWARE=[OURS, last], SECHEADERS=config):
                client.handler.load_middleware(is_async=is_async)
    finally:
        for warning in caught:
            rewarn(warning, _django_or_here)
    return client


def _django_or_here(filename: str) -> bool:
    import django

    return filename == __file__ or filename.startswith(os.path.dirname(django.__file__))


def _clients() -> tuple[type, type]:
    """Django's Client and AsyncClient, sending what they are given as it is."""
    import django
    from django.apps import apps

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_project.settings")
    if not apps.ready:
        django.setup()
    from django.test import AsyncClient, Client

    class ClientOfEnviron(Client):  # type: ignore[misc]
        def _base_environ(self, **request: Any) -> dict[str, Any]:
            environ: dict[str, Any] = request["environ"]
            return environ

    class AsyncClientOfScope(AsyncClient):  # type: ignore[misc]
        def _base_scope(self, **request: Any) -> dict[str, Any]:
            scope: dict[str, Any] = request["scope"]
            return scope

    return ClientOfEnviron, AsyncClientOfScope


class DjangoAsWsgi:
    """A WSGI app that sends each request through Django's test Client."""

    def __init__(self, client: Any, app: Any) -> None:
        self.client = client
        self.app = app
        chain = client.handler._middleware_chain
        # convert_exception_to_response wraps the first middleware: ours.
        self.middleware = chain.__wrapped__

    def __getattr__(self, name: str) -> Any:
        return getattr(self.middleware, name)  # .config, .label, ...

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Body:
        # Django's WSGIRequest needs the method and the input stream, which
        # PEP 3333 makes a server send; the WSGI wrapper does without.
        environ.setdefault("REQUEST_METHOD", "GET")
        environ.setdefault("wsgi.input", io.BytesIO())
        environ[APP] = self.app
        environ[AS_BUILT] = {
            key: environ[key] for key in ("PATH_INFO", "SCRIPT_NAME") if key in environ
        }
        return _answer(self.client.request(environ=environ), start_response)


class DjangoAsyncAsWsgi(DjangoAsWsgi):
    """A WSGI app that sends each request through Django's AsyncClient."""

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Body:
        from django.test.client import FakePayload

        scope = scope_of(environ)
        # Django's ASGI handler reads the whole body before any middleware.
        scope["_body_file"] = FakePayload(_body(environ))
        scope[APP] = self.app
        response = on_loop(self.client.request(scope=scope))
        return _answer(response, start_response)


# Django's ASGI handler reads the whole body before any middleware runs; a
# test's endless stream is cut here, past any limit a test sets.
MOST = 4 * 1024 * 1024


def _body(environ: dict[str, Any]) -> bytes:
    stream = environ.get("wsgi.input") or io.BytesIO()
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or ""), MOST)
    except ValueError:
        length = -1  # to the stream's end, as a server reads a chunked body
    chunks: list[bytes] = []
    got = 0
    while length < 0 or got < length:
        # In pieces: werkzeug's lint refuses a read() without a size.
        want = 65536 if length < 0 else min(65536, length - got)
        chunk = bytes(stream.read(want))
        if not chunk or got > MOST:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _answer(response: Any, start_response: Callable[..., Any]) -> Body:
    """Django's response, as a WSGI server sends it."""
    code = response.status_code
    phrase = PHRASES.get(code) or response.reason_phrase
    headers = [
        *response.items(),
        *(("Set-Cookie", m.OutputString()) for m in response.cookies.values()),
    ]
    start_response(f"{code} {phrase}", headers)
    if response.streaming:
        return Body(response.streaming_content)
    return Body([response.content])


def wsgi_view(request: Any) -> Any:
    """The test's WSGI app as a Django view: what it starts, Django sends."""
    environ = request.META
    app = environ.pop(APP)
    _spell_as_built(environ, environ.pop(AS_BUILT))
    return _run(app, environ, streaming=True)


async def async_view(request: Any) -> Any:
    """The test's WSGI app as an async Django view, in a thread."""
    from asgiref.sync import sync_to_async

    scope = request.scope
    environ = WsgiInAsgi.environ(scope, request.body)
    # The request's state is in META, where the middleware put it.
    environ.update(
        {k: v for k, v in request.META.items() if k.startswith("secheaders.")}
    )
    app = scope.pop(APP)
    # Whole: Django warns when it serves a sync iterator from async code.
    return await sync_to_async(_run, thread_sensitive=False)(
        app, environ, streaming=False
    )


def _run(app: Any, environ: dict[str, Any], *, streaming: bool) -> Any:
    from django.http import HttpResponse, StreamingHttpResponse

    started: list[Any] = []

    def start_response(status: str, headers: list[Any], exc_info: Any = None) -> Any:
        if exc_info is not None and started:
            raise exc_info[1].with_traceback(exc_info[2])
        started[:] = [status, headers]
        return _no_write

    body: Iterable[bytes] = app(environ, start_response)
    chunks: Iterator[bytes] = iter(body)
    first: list[bytes] = []
    if not started:
        # A generator starts the response with its first chunk, as a WSGI
        # server sees it.
        first = [next(chunks, b"")]
    status, headers = started
    code, _, reason = status.partition(" ")
    content = itertools.chain(first, chunks)
    response: Any
    if streaming:
        response = StreamingHttpResponse(
            content, status=int(code), reason=reason or None
        )
        if hasattr(body, "close"):
            response._resource_closers.append(body.close)
    else:
        try:
            whole = b"".join(content)
        finally:
            if hasattr(body, "close"):
                body.close()
        response = HttpResponse(whole, status=int(code), reason=reason or None)
    del response.headers["Content-Type"]
    for name, value in headers:
        if name.lower() == "set-cookie":
            response.cookies.load(value)
        else:
            response.headers[name] = value
    # The app's own 4xx and 5xx are not Django's to log as its own.
    response._has_been_logged = True
    return response


def _spell_as_built(environ: dict[str, Any], built: dict[str, str]) -> None:
    """``PATH_INFO`` and ``SCRIPT_NAME`` as PEP 3333 spells them again.

    Django rewrote both as decoded text (and added them if missing): what it
    decoded from the test's value becomes that value again; a value the
    middleware set since (a proxy's prefix) goes back to the WSGI spelling,
    its UTF-8 bytes as latin-1.
    """
    from django.core.handlers.wsgi import get_path_info, get_script_name

    for key, decode in (("PATH_INFO", get_path_info), ("SCRIPT_NAME", get_script_name)):
        now = environ.get(key, "")
        was = built.get(key)
        decoded = decode({} if was is None else {key: was})
        if key == "PATH_INFO":
            decoded = decoded or "/"  # as WSGIRequest makes it
        if now != decoded:
            environ[key] = now.encode("utf-8").decode("latin-1")
        elif was is None:
            del environ[key]
        else:
            environ[key] = was


def _no_write(data: bytes) -> None:
    raise AssertionError(
        "start_response's write() has no Django counterpart: the test should be "
        "in tests/asgi_contract.py's WSGI_ONLY"
    )


def as_view(get_response: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The last middleware answers every request with :func:`wsgi_view`.

    Every path reaches the app, as under the WSGI wrapper: Django's URL
    resolver would answer 404 for a path without a leading slash itself.
    """
    return wsgi_view


def as_async_view(get_response: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """The same, async, for Django's ASGI handler: :func:`async_view`."""
    return async_view


as_async_view.sync_capable = False  # type: ignore[attr-defined]
as_async_view.async_capable = True  # type: ignore[attr-defined]
