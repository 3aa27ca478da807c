"""The WSGI contract tests, run against the ASGI adapter.

``behind_asgi(app, config)`` stands in for ``SecureHeaders(app, config)``: the
WSGI test app runs inside an ASGI app (:class:`WsgiInAsgi`), wrapped in
``secheaders_wsgi.asgi.SecureHeaders``, driven as a WSGI app again by
:class:`AsgiAsWsgi`. So WebTest, ``environ_for()`` and the recorders test the
ASGI adapter with the very assertions they make of the WSGI one. Both bridges
are written here from the ASGI spec, not from the package's own scope helpers.

The bridges keep what crosses them: the WSGI environ the test built rides in
the scope (``tests.environ``) so keys ASGI has no place for reach the app, and
the scope's ``secheaders.*`` keys reach the app's environ. ``around_asgi``
does the same for an app that is ASGI already (Django's ``ASGIHandler``).
Every bridged request runs on one event loop, in a thread of its own, as a
server runs them (:func:`on_loop`).
"""

from __future__ import annotations

import asyncio
import atexit
import io
import sys
import threading
import warnings
from collections.abc import Callable, Coroutine, Iterable
from http import HTTPStatus
from typing import Any, TypeVar

from secheaders_wsgi.asgi import SecureHeaders as AsgiSecureHeaders

T = TypeVar("T")
ENVIRON = "tests.environ"
# A body of unknown length goes over one byte per receive(): a server's pieces
# are bigger, but so the WSGI tests' byte counts measure how far the adapter
# reads. One of a known length goes in a server's pieces: it is never read
# past its length anyway.
CHUNK = 1
KNOWN_CHUNK = 65536
# Reason phrases the http module spells otherwise (RFC 9110's names).
PHRASES = {413: "Content Too Large"}
# ASGI header names are lower-case; the WSGI tests compare the spelling the
# policy uses, so the bridge spells ours (and our responders') that way again.
CANONICAL = {
    name.lower(): name
    for name in (
        "Content-Security-Policy",
        "Content-Security-Policy-Report-Only",
        "Cross-Origin-Embedder-Policy",
        "Cross-Origin-Opener-Policy",
        "Cross-Origin-Resource-Policy",
        "Origin-Agent-Cluster",
        "Permissions-Policy",
        "Referrer-Policy",
        "Reporting-Endpoints",
        "Strict-Transport-Security",
        "X-Content-Type-Options",
        "X-DNS-Prefetch-Control",
        "X-Frame-Options",
        "X-Permitted-Cross-Domain-Policies",
        "X-XSS-Protection",
        "Cache-Control",
        "Location",
        "Content-Type",
        "Content-Length",
        "Allow",
    )
}
APP_HEADERS = "tests.app_headers"


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(coroutine)`` in a thread of its own.

    The main thread may have a loop running already (Playwright's sync API
    keeps one for the session's browser), where ``asyncio.run`` refuses.
    """
    result: list[T] = []
    error: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as exc:  # raised again in the caller's thread
            error.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if error:
        raise error[0]
    return result[0]


class _Loop:
    """One event loop in a daemon thread of its own, for every bridged request.

    As a server keeps one loop: a loop and a thread per request cost
    milliseconds each, and the loops a garbage collection has not reached yet
    would count in a test that measures memory.
    """

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if threading.current_thread() is self.thread:
            return run_async(coroutine)  # called from an app on this loop
        return asyncio.run_coroutine_threadsafe(coroutine, self.start()).result()

    def start(self) -> asyncio.AbstractEventLoop:
        with self.lock:
            if self.loop is None:
                self.loop = asyncio.new_event_loop()
                self.thread = threading.Thread(
                    target=self.loop.run_forever, name="asgi-bridge", daemon=True
                )
                self.thread.start()
                atexit.register(self.stop)
            return self.loop

    def stop(self) -> None:
        loop, thread = self.loop, self.thread
        if loop is None or thread is None:
            return
        # On its own thread: this one may have a loop running (Playwright's).
        asyncio.run_coroutine_threadsafe(
            loop.shutdown_default_executor(), loop
        ).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()


_LOOP = _Loop()


def on_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` on the bridge's event loop and wait for its result."""
    return _LOOP.run(coroutine)


def behind_asgi(app: Any, config: Any = None) -> AsgiAsWsgi:
    """``SecureHeaders(app, config)``, but the ASGI adapter does the work.

    A non-callable ``app`` goes to the adapter as it is, for its TypeError; a
    warning of the adapter's names the caller's line, as it would unbridged.
    """
    return around_asgi(WsgiInAsgi(app) if callable(app) else app, config)


def around_asgi(app: Any, config: Any = None) -> AsgiAsWsgi:
    """The ASGI adapter around the ASGI ``app`` (Django's ``ASGIHandler``),
    driven as a WSGI app."""
    caught: list[warnings.WarningMessage] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            middleware = AsgiSecureHeaders(app, config)
    finally:
        for warning in caught:
            rewarn(warning)
    return AsgiAsWsgi(middleware)


def _here(filename: str) -> bool:
    return filename == __file__


def rewarn(
    warning: warnings.WarningMessage, inside: Callable[[str], bool] = _here
) -> None:
    """Warn ``warning`` again at the line of the bridge's caller.

    The adapter warns at the first frame outside the package: a bridge's
    (a file ``inside`` says is the bridge's). The frame to name is the caller
    of ``behind_asgi``, ``around_asgi`` or another bridge.
    """
    frame = sys._getframe(1)
    while frame.f_back is not None and inside(frame.f_code.co_filename):
        frame = frame.f_back
    filename, lineno = warning.filename, warning.lineno
    if inside(filename):
        filename, lineno = frame.f_code.co_filename, frame.f_lineno
    warnings.warn_explicit(
        warning.message,
        warning.category,
        filename,
        lineno,
        module=frame.f_globals.get("__name__"),
        registry=frame.f_globals.setdefault("__warningregistry__", {}),
    )


def scope_of(environ: dict[str, Any]) -> dict[str, Any]:
    """The http scope a server would make for the request ``environ`` describes."""
    root = _utf8(environ.get("SCRIPT_NAME", ""))
    headers = [
        (
            key[5:].lower().replace("_", "-").encode("latin-1"),
            _bytes(value),
        )
        for key, value in environ.items()
        if key.startswith("HTTP_")
    ]
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers.append(
                (key.lower().replace("_", "-").encode(), _bytes(environ[key]))
            )
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": environ.get("SERVER_PROTOCOL", "HTTP/1.1").split("/")[-1],
        "method": environ.get("REQUEST_METHOD", "GET"),
        "scheme": environ.get("wsgi.url_scheme", "http"),
        "path": root + _utf8(environ.get("PATH_INFO", "")),
        "raw_path": None,
        "root_path": root,
        "query_string": _bytes(environ.get("QUERY_STRING", "")),
        "headers": headers,
        "server": (
            environ.get("SERVER_NAME", "localhost"),
            int(environ.get("SERVER_PORT") or 80),
        ),
        ENVIRON: environ,
    }
    if environ.get("REMOTE_ADDR"):
        scope["client"] = (environ["REMOTE_ADDR"], int(environ.get("REMOTE_PORT") or 0))
    return scope


def _bytes(value: object) -> bytes:
    """A header value's bytes: PEP 3333 text is latin-1; a test's non-latin-1
    text stands for the UTF-8 bytes a client would send."""
    text = str(value)
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


def _utf8(latin: str) -> str:
    """A PEP 3333 path (bytes as latin-1) as an ASGI server decodes it: UTF-8.
    A test's non-latin-1 text stands for a server that decoded it already."""
    try:
        raw = latin.encode("latin-1")
    except UnicodeEncodeError:
        return latin
    return raw.decode("utf-8", "surrogateescape")


def _latin(text: str) -> str:
    return text.encode("utf-8", "surrogateescape").decode("latin-1")


class AsgiAsWsgi:
    """A WSGI app that runs an ASGI app for each request, on the bridge's loop."""

    def __init__(self, app: Any) -> None:
        self.asgi = app

    def __getattr__(self, name: str) -> Any:
        return getattr(self.asgi, name)  # .config, .app, ... of the middleware

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> list[bytes]:
        sent: list[dict[str, Any]] = []
        stream = environ.get("wsgi.input") or io.BytesIO()
        try:
            left = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            left = -1  # read until the stream ends
        done = hung_up = False
        answered = asyncio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal left, done, hung_up
            if done:
                # As a server does: the client is there until it has the
                # response (Django's handler listens for a disconnect).
                if not hung_up:
                    await answered.wait()
                return {"type": "http.disconnect"}
            want = CHUNK if left < 0 else min(KNOWN_CHUNK, left)
            try:
                chunk = stream.read(want) if want else b""
            except OSError:  # the client hung up
                done = hung_up = True
                return {"type": "http.disconnect"}
            if left >= 0:
                left -= len(chunk)
            more = bool(chunk) and left != 0
            done = not more
            return {"type": "http.request", "body": chunk, "more_body": more}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                answered.set()

        _LOOP.run(self.asgi(scope_of(environ), receive, send))
        starts = [m for m in sent if m["type"] == "http.response.start"]
        assert len(starts) == 1, sent
        code = starts[0]["status"]
        phrase = PHRASES.get(code) or _phrase(code)
        apps = {name for name, _ in environ.get(APP_HEADERS, ())}
        headers = []
        for raw, value in starts[0]["headers"]:
            name = raw.decode("latin-1")
            if name not in apps:
                name = CANONICAL.get(name, name)
            headers.append((name, value.decode("latin-1")))
        start_response(f"{code} {phrase}", headers)
        return Body(
            m.get("body", b"") for m in sent if m["type"] == "http.response.body"
        )


class Body(list[bytes]):
    """The body as a list that has close(), as an app's iterable may."""

    def close(self) -> None:
        pass


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return "Unknown"


class WsgiInAsgi:
    """An ASGI app that runs a WSGI app, handing it the scope's ``secheaders.*``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)  # .seen, .calls, ... of a RecordingApp

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        environ = self.environ(scope, b"".join(chunks))
        sent = False
        out: list[bytes] = []
        loop = asyncio.get_running_loop()

        def start_response(
            status: str, headers: list[Any], exc_info: Any = None
        ) -> Any:
            # The start goes out at once, as the headers leave under WSGI when
            # start_response returns: a first nonce after it must fail here too.
            nonlocal sent
            if exc_info is not None and sent:
                raise exc_info[1].with_traceback(exc_info[2])
            sent = True
            scope.get(ENVIRON, {})[APP_HEADERS] = list(headers)
            start = {
                "type": "http.response.start",
                "status": int(status.split()[0]),
                "headers": [
                    (n.encode("latin-1"), v.encode("latin-1")) for n, v in headers
                ],
            }
            asyncio.run_coroutine_threadsafe(send(start), loop).result()
            return out.append

        def run() -> None:
            # In a thread, so that start_response can wait for send().
            result: Iterable[bytes] = self.app(environ, start_response)
            try:
                out.extend(result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()

        await loop.run_in_executor(None, run)
        assert sent, "the WSGI app returned without calling start_response"
        await send({"type": "http.response.body", "body": b"".join(out)})

    @staticmethod
    def environ(scope: dict[str, Any], body: bytes) -> dict[str, Any]:
        environ = {
            key: value
            for key, value in scope.get(ENVIRON, {}).items()
            if not key.startswith("HTTP_")
            and key not in ("CONTENT_TYPE", "CONTENT_LENGTH")
        }
        root = scope.get("root_path", "")
        path = scope["path"]
        server = scope.get("server") or ("localhost", 80)
        environ.update(
            {
                "REQUEST_METHOD": scope["method"],
                "SCRIPT_NAME": _latin(root),
                "PATH_INFO": _latin(
                    path[len(root) :] if path.startswith(root) else path
                ),
                "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
                "SERVER_NAME": server[0],
                "SERVER_PORT": str(server[1]),
                "wsgi.url_scheme": scope.get("scheme", "http"),
                "wsgi.input": io.BytesIO(body),
            }
        )
        if scope.get("client"):
            environ["REMOTE_ADDR"] = scope["client"][0]
        for name, value in scope.get("headers", ()):
            key = name.decode("latin-1").upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            text = value.decode("latin-1")
            environ[key] = environ[key] + "," + text if key in environ else text
        environ.update({k: v for k, v in scope.items() if k.startswith("secheaders.")})
        return environ
