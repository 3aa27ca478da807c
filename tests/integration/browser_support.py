"""The one headless Chromium, a fresh page of it, and the test servers (plain
HTTP by waitress, and TLS), shared by the browser tests.

Playwright's sync API allows one instance per thread, so the session-scoped
``browser`` fixture lives here (registered by conftest.py) and every browser
test module uses it rather than launching its own. The plain functions
(:func:`make_tls`, :func:`launch`, :func:`https_server`) also serve
``tests/integration/rollout_capture.py``, which runs outside pytest.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any, NamedTuple, NoReturn, TypeVar
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from webtest.http import StopableWSGIServer

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
    from playwright.sync_api import Browser, Page, Playwright

T = TypeVar("T")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    # Deliver Reporting API reports at once, not batched for up to a minute.
    "--short-reporting-delay",
]


def _missing(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI=true and the browser tests cannot run: {reason}")
    pytest.skip(reason)


class Tls(NamedTuple):
    cert: Path
    key: Path
    #: base64 SHA-256 of the public key, for --ignore-certificate-errors-spki-list
    spki: str


def make_tls(folder: Path) -> Tls | None:
    """A throwaway certificate for 127.0.0.1 in ``folder``, or None without openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert, key = folder / "cert.pem", folder / "key.pem"

    def run(*args: str, stdin: bytes = b"") -> bytes:
        done = subprocess.run(
            [openssl, *args], input=stdin, capture_output=True, check=True, timeout=60
        )
        return done.stdout

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
        "-addext", "subjectAltName=IP:127.0.0.1")  # fmt: skip
    public = run("x509", "-pubkey", "-noout", "-in", str(cert))
    der = run("pkey", "-pubin", "-outform", "der", stdin=public)
    return Tls(cert, key, base64.b64encode(hashlib.sha256(der).digest()).decode())


def launch(playwright: Playwright, tls: Tls | None) -> Browser:
    """Headless Chromium that trusts the test certificate alone (by its key)."""
    trust = [f"--ignore-certificate-errors-spki-list={tls.spki}"] if tls else []
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, *trust])


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls | None:
    """A throwaway certificate for 127.0.0.1, or None without openssl."""
    return make_tls(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="session")
def browser(tls: Tls | None) -> Iterator[Browser]:
    """One headless Chromium for the whole session."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install -e '.[test]')")
    if not os.access(CHROMIUM, os.X_OK):
        _missing(
            f"no Chromium at {CHROMIUM} (apt-get install chromium, or set CHROMIUM)"
        )
    with sync_playwright() as playwright:
        browser = launch(playwright, tls)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def in_browser(browser: Browser) -> Callable[[Callable[[Page], T]], T]:
    """Run ``check(page)`` on a fresh page of the session's Chromium."""

    def on_a_page(check: Callable[[Page], T]) -> T:
        context = browser.new_context()
        try:
            page = context.new_page()
            page.set_default_timeout(5000)
            return check(page)
        finally:
            context.close()

    return on_a_page


@pytest.fixture
def serve() -> Iterator[Callable[[WSGIApplication], str]]:
    """Serve an app with waitress on a free loopback port; returns its origin."""
    servers: list[StopableWSGIServer] = []

    def start(app: WSGIApplication) -> str:
        # The socket listens once create() returns; no need for its wait(),
        # which leaves a connection open.
        server = StopableWSGIServer.create(app, host="127.0.0.1")
        servers.append(server)
        return str(server.application_url).rstrip("/")

    try:
        yield start
    finally:
        for server in servers:
            server.shutdown()


# -- HTTPS. Chromium reads Reporting-Endpoints (and so sends report-to reports)
# only from HTTPS responses, so the report tests serve over TLS.


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def https_server(app: WSGIApplication, tls: Tls) -> Iterator[str]:
    """Serve ``app`` over TLS on a free loopback port; yields its origin."""
    server = make_server(
        "127.0.0.1", 0, app, _ThreadingServer, handler_class=_QuietHandler
    )
    server.base_environ["HTTPS"] = "on"  # wsgiref then says wsgi.url_scheme https
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls.cert, tls.key)
    # The handshake happens in the request thread, not in accept().
    server.socket = context.wrap_socket(
        server.socket, server_side=True, do_handshake_on_connect=False
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def serve_https(tls: Tls | None) -> Iterator[Callable[[WSGIApplication], str]]:
    """Serve an app over TLS on a free loopback port; returns its origin."""
    if tls is None:
        _missing("no openssl to make a certificate for the HTTPS test server")
    with_tls: Tls = tls
    with ExitStack() as stack:
        yield lambda app: stack.enter_context(https_server(app, with_tls))
