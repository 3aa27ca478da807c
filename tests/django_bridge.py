"""The WSGI contract tests, run through Django's middleware and its test Client.

``behind_django(app, config)`` stands in for ``SecureHeaders(app, config)``:
the WSGI test app runs as a Django view (:func:`wsgi_view`) behind
``secheaders_wsgi.django.SecureHeadersMiddleware`` (``SECHEADERS = config``),
and each request goes through ``django.test.Client``, which the result drives
as a WSGI app again (:class:`DjangoAsWsgi`). So the tests' WebTest calls,
``environ_for()`` and recorders test the Django middleware with the very
assertions they make of the WSGI wrapper.

The Client gets the environ the test built, itself (not a copy with
Client's defaults), so keys the test reads back after the call are the ones
the middleware wrote; the view hands the app the environ as the test built
it (Django rewrites ``PATH_INFO`` and ``SCRIPT_NAME`` as decoded text).
"""

from __future__ import annotations

import io
import itertools
import os
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from tests.asgi_bridge import PHRASES, Body, rewarn

OURS = "secheaders_wsgi.django.SecureHeadersMiddleware"
VIEW = f"{__name__}.as_view"
APP = "tests.django_app"
AS_BUILT = "tests.django_as_built"


def behind_django(app: Any, config: Any = None) -> DjangoAsWsgi:
    """``SecureHeaders(app, config)``, but Django's middleware does the work.

    The middleware is built (and ``SECHEADERS`` checked) here, as Django's
    handler loads it; a warning it gives names the caller's line.
    """
    if not callable(app):
        # The wrapper's own TypeError: Django has no app argument to refuse.
        raise TypeError(f"app must be a WSGI callable, not {type(app).__name__}")
    from django.test.utils import override_settings

    _setup()
    client = _Client()
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with override_settings(MIDDLEWARE=[OURS, VIEW], SECHEADERS=config):
                client.handler.load_middleware()
    finally:
        for warning in caught:
            rewarn(warning, _django_or_here)
    return DjangoAsWsgi(client, app)


def _django_or_here(filename: str) -> bool:
    import django

    return filename == __file__ or filename.startswith(os.path.dirname(django.__file__))


def _setup() -> None:
    import django
    from django.apps import apps

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_project.settings")
    if not apps.ready:
        django.setup()


def _client_class() -> type:
    from django.test import Client

    class ClientOfEnviron(Client):  # type: ignore[misc]
        """Django's test Client, sending the environ it is given as it is."""

        def _base_environ(self, **request: Any) -> dict[str, Any]:
            environ: dict[str, Any] = request["environ"]
            return environ

    return ClientOfEnviron


def _Client() -> Any:
    # Django's Client is importable only once settings are known.
    return _client_class()(raise_request_exception=True)


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
        response = self.client.request(environ=environ)
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
    from django.http import StreamingHttpResponse

    environ = request.META
    app = environ.pop(APP)
    _spell_as_built(environ, environ.pop(AS_BUILT))
    started: list[Any] = []

    def start_response(status: str, headers: list[Any], exc_info: Any = None) -> Any:
        if exc_info is not None and started:
            raise exc_info[1].with_traceback(exc_info[2])
        started[:] = [status, headers]
        return _no_write

    body = app(environ, start_response)
    chunks: Iterator[bytes] = iter(body)
    first: list[bytes] = []
    if not started:
        # A generator starts the response with its first chunk, as a WSGI
        # server sees it.
        first = [next(chunks, b"")]
    status, headers = started
    code, _, reason = status.partition(" ")
    response = StreamingHttpResponse(
        itertools.chain(first, chunks), status=int(code), reason=reason or None
    )
    if hasattr(body, "close"):
        response._resource_closers.append(body.close)
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
