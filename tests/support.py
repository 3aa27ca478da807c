"""What the tests share: a recording app, a recording start_response, ``served()``,
the CSP parser, the default policy, a WSGI environ, and real servers on loopback."""

from __future__ import annotations

import asyncio
import http.client
import io
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import pytest
import yaml
from webtest import TestApp

from secheaders_wsgi import ConfigError, SecureHeaders, csp_nonce, load_config
from secheaders_wsgi.policy import headers as policy_headers

Headers = list[tuple[str, str]]

ROOT = Path(__file__).resolve().parent.parent
HTTPS = {"wsgi.url_scheme": "https"}

DEFAULT_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-eval' 'unsafe-inline'; manifest-src 'self'; "
    "connect-src http: ws:; img-src * data: blob:; media-src * data: blob:; "
    "frame-src * data: blob:; object-src * data: blob:"
)


class RecordingApp:
    """A WSGI app that sends ``headers`` and records every environ it is called with.

    With ``nonce`` the body is the request's CSP nonce, so the policy carries it.
    """

    def __init__(
        self,
        headers: Headers | None = None,
        status: str = "200 OK",
        body: bytes = b"<p>hi</p>",
        nonce: bool = False,
    ) -> None:
        self.headers = (
            headers if headers is not None else [("Content-Type", "text/html")]
        )
        self.status = status
        self.body = body
        self.nonce = nonce
        self.calls: list[dict[str, Any]] = []

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> list[bytes]:
        self.calls.append(environ)
        body = csp_nonce(environ).encode() if self.nonce else self.body
        start_response(self.status, list(self.headers))
        return [body]

    @property
    def seen(self) -> dict[str, Any]:
        """The environ of the latest call."""
        return self.calls[-1]


class RecordingStartResponse:
    """A server's start_response that keeps every call and every write()."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Headers, Any]] = []
        self.written: list[bytes] = []

    def __call__(
        self, status: str, headers: Headers, exc_info: Any = None
    ) -> Callable[[bytes], None]:
        # PEP 3333: a second call is allowed only with exc_info, and re-raises it
        # once the headers are out; this recorder treats them as out at once.
        if exc_info is not None and self.calls:
            raise exc_info[1].with_traceback(exc_info[2])
        self.calls.append((status, headers, exc_info))
        return self.written.append

    @property
    def status(self) -> str | None:
        return self.calls[-1][0] if self.calls else None

    @property
    def headers(self) -> Headers:
        return self.calls[-1][1] if self.calls else []

    def get(self, name: str) -> list[str]:
        """Every value of header ``name`` (compared without case), in order."""
        return [v for k, v in self.headers if k.lower() == name.lower()]


def served(
    config: Any = None,
    headers: Headers | None = None,
    *,
    app: RecordingApp | None = None,
    **app_options: Any,
) -> TestApp:
    """WebTest around ``SecureHeaders(app, config)``; ``app`` defaults to a
    :class:`RecordingApp` built from ``headers`` and ``app_options``."""
    inner = app if app is not None else RecordingApp(headers, **app_options)
    return TestApp(SecureHeaders(inner, config))


def header_value(config: Any, name: str, https: bool = True) -> str | None:
    """The value of header ``name`` that ``config`` gives, without a request."""
    return dict(policy_headers(load_config(config), https=https)).get(name)


def values(response: Any, name: str) -> list[str]:
    """Every value of header ``name`` (compared without case), in order."""
    return [v for k, v in response.headerlist if k.lower() == name.lower()]


def csp_of(value: str) -> dict[str, list[str]]:
    """Parse a CSP header into {directive: sources}, refusing duplicate directives."""
    parsed: dict[str, list[str]] = {}
    for part in value.split(";"):
        words = part.split()
        if not words:
            continue
        assert words[0] not in parsed, f"duplicate directive {words[0]}"
        parsed[words[0]] = words[1:]
    return parsed


def never_called(environ: Any, start_response: Any) -> list[bytes]:
    """An app for configs that must fail at start-up, or requests the middleware
    answers itself."""
    raise AssertionError("the app must not see this request")


def assert_refused(config: Any, message: str, tmp_path: Path) -> None:
    """``config`` fails at start-up with exactly ``message``, both as a mapping and
    written to a YAML file (whose message starts with the file's path and the
    line of the key the message names, see :func:`line_in_yaml`)."""
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        SecureHeaders(never_called, config)
    path = tmp_path / "security.yaml"
    text = yaml.safe_dump(config, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    line = line_in_yaml(text, message)
    where = f"{path}:{line}" if line is not None else str(path)
    with pytest.raises(ConfigError, match=f"^{re.escape(f'{where}: {message}')}$"):
        load_config(path)


def line_in_yaml(text: str, message: str) -> int | None:
    """The line, in the YAML ``text``, of the key an error ``message`` is about.

    That is the longest key path (``csp_header.script-src[0]``, ``paths[1]``)
    that starts the message, followed by ``:``, ``.``, ``[`` or a space; for
    ``unknown key 'x'``, the path of that key. ``None``: no key of the file.
    """
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, where: str) -> None:
        children: list[tuple[str, yaml.Node, int]] = []
        if isinstance(node, yaml.MappingNode):
            children = [
                (f"{where}.{k.value}" if where else k.value, v, k.start_mark.line)
                for k, v in node.value
            ]
        elif isinstance(node, yaml.SequenceNode):
            children = [
                (f"{where}[{i}]", v, v.start_mark.line)
                for i, v in enumerate(node.value)
            ]
        for name, child, line in children:
            lines.setdefault(name, line + 1)
            walk(child, name)

    walk(yaml.compose(text), "")
    names = sorted(lines, key=len, reverse=True)
    where = next((n for n in names if re.match(f"{re.escape(n)}[:.\\[ ]", message)), "")
    key = re.search(r"unknown key '([^']*)'|keys must be strings, not (\S+)$", message)
    if key is not None:
        name = key[1] or key[2]
        where = f"{where}.{name}" if where else name
    return lines.get(where)


class CountingInput(io.RawIOBase):
    """A wsgi.input that records how many bytes were read from it."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        chunk = self._data.read(size)
        self.bytes_read += len(chunk)
        return chunk


def environ_for(
    path: str = "/", method: str = "GET", body: bytes = b"", **extra: Any
) -> dict[str, Any]:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": CountingInput(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    environ.update(extra)
    return environ


# Real servers: a subprocess on a free loopback port, spoken to over HTTP/1.1.

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@contextmanager
def running(
    args: Sequence[str],
    port: int,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 20.0,
    cwd: Path = ROOT,
    python: bool = True,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``python args...`` (``python=False``: ``args`` as the whole command)
    from ``cwd``, the repository root by default, until the block ends.

    ``examples`` and ``tests`` are importable in the process. Waits until
    ``port`` accepts connections (at most ``timeout`` seconds) and always stops
    the process, killing it if it does not stop when asked.
    """
    env = {
        **os.environ,
        **(env or {}),
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, *args] if python else list(args)
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=log, stderr=log)
        try:
            _wait_until_listening(process, port, timeout, log)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def django_served(
    settings: str, application: str, env: Mapping[str, str]
) -> Iterator[str]:
    """A Django project, migrated and with a superuser (``DJANGO_SUPERUSER_*``
    in ``env``), served by waitress in a process of its own; yields its origin.

    ``settings`` is the settings module, ``application`` the waitress target
    (``package.wsgi:application``); ``env`` is added to this process's.
    """
    env = {**os.environ, **env, "PYTHONPATH": str(ROOT),
           "DJANGO_SETTINGS_MODULE": settings}  # fmt: skip
    for command in (["migrate", "-v0"], ["createsuperuser", "--noinput"]):
        subprocess.run([sys.executable, "-m", "django", *command], cwd=ROOT,
                       env=env, check=True, capture_output=True, timeout=120)  # fmt: skip
    port = free_port()
    command = ["-m", "waitress", f"--listen={HOST}:{port}", application]
    with running(command, port, env=env):
        yield f"http://{HOST}:{port}"


def _wait_until_listening(
    process: subprocess.Popen[bytes], port: int, timeout: float, log: IO[bytes]
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection((HOST, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    log.seek(0)
    output = log.read().decode(errors="replace")
    pytest.fail(
        f"{process.args!r} (exit {process.poll()}) did not listen on "
        f"{HOST}:{port} within {timeout}s:\n{output}"
    )


def request(
    port: int,
    path: str = "/",
    method: str = "GET",
    headers: Mapping[str, str] | None = None,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One HTTP/1.1 request: the status, the headers as sent, the whole body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request(method, path, headers=dict(headers or {}))
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def in_a_server_thread(app: Callable[..., Any]) -> Callable[..., Any]:
    """``app``, called in a thread of its own with its body read there, as a
    threaded server calls it.

    Async views (Flask's and Django's) run through asgiref's ``async_to_sync``,
    which refuses a thread with a running event loop; the session's Playwright
    browser (tests/integration/test_browser.py) keeps one running in the main
    thread. A server never calls the app from such a thread.
    """

    def read(environ: dict[str, Any], start_response: Any) -> bytes:
        iterable = app(environ, start_response)
        try:
            return b"".join(iterable)
        finally:
            if hasattr(iterable, "close"):
                iterable.close()

    def call(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with ThreadPoolExecutor(max_workers=1) as thread:
            return [thread.submit(read, environ, start_response).result()]

    return call


# ASGI in process, without an event loop: an app whose every await is answered
# at once (in-memory receive and send) runs to its end on the first step.

Message = dict[str, Any]


def asgi_exchange(
    app: Callable[..., Any], scope: dict[str, Any], body: bytes = b""
) -> list[Message]:
    """The messages ``app`` sends for ``scope``, its request body ``body``.

    Runs the coroutine by hand, so it works in any thread, loop or not; an app
    that waits on anything but ``receive`` and ``send`` (a thread pool, a
    timer) fails loudly: use :func:`tests.asgi_bridge.run_async` for those.
    """
    sent: list[Message] = []
    incoming = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    coroutine = app(scope, receive, send)
    try:
        coroutine.send(None)
    except StopIteration:
        return sent
    coroutine.close()
    raise AssertionError(f"{app!r} waited on something other than receive/send")


def asgi_served(
    app: Callable[..., Any], scope: dict[str, Any], body: bytes = b""
) -> list[Message]:
    """The messages ``app`` sends for ``scope``, on an event loop of its own.

    For apps that wait on more than ``receive`` and ``send`` (Starlette's
    middleware, Django's handler): the client sends ``body`` and stays, as
    Django's handler expects while it listens for a disconnect.
    """
    from tests.asgi_bridge import run_async

    sent: list[Message] = []
    incoming = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive() -> Message:
        if incoming:
            return incoming.pop()
        await asyncio.Event().wait()  # never set: the client stays
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        sent.append(message)

    run_async(app(scope, receive, send))
    return sent


def http_scope(
    path: str = "/",
    headers: Sequence[tuple[bytes, bytes]] = ((b"host", b"example.com"),),
    **extra: Any,
) -> dict[str, Any]:
    """An ASGI http scope as uvicorn makes it, for ``path`` with raw ``headers``."""
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("utf-8"),
        "root_path": "",
        "query_string": b"",
        "headers": list(headers),
        "server": ("127.0.0.1", 8000),
        "client": ("203.0.113.1", 50000),
    }
    scope.update(extra)
    return scope
