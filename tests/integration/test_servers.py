"""Real servers, real sockets: gunicorn and waitress run the middleware."""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Iterator
from http.client import HTTPMessage
from pathlib import Path
from typing import NamedTuple

import pytest

from secheaders_wsgi import load_config
from secheaders_wsgi.policy import headers
from tests.support import ROOT, free_port, request, running

EXPECTED = headers(load_config(ROOT / "examples" / "security.yaml"), https=True)
LARGE = 8 * 1024 * 1024 + 123  # several wrapper blocks, not a round number


def _command(server: str, port: int) -> list[str]:
    listen = f"127.0.0.1:{port}"
    if server == "gunicorn":
        return ["-m", "gunicorn", "--bind", listen, "--workers", "1",
                "--graceful-timeout", "2", "tests.integration.server_app:app"]  # fmt: skip
    return ["-m", "waitress", f"--listen={listen}", "tests.integration.server_app:app"]


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("served") / "large.bin"
    path.write_bytes(os.urandom(LARGE))
    return path


class Server(NamedTuple):
    name: str
    port: int


@pytest.fixture(scope="module", params=["gunicorn", "waitress"])
def server(request: pytest.FixtureRequest, large_file: Path) -> Iterator[Server]:
    """A server process for the module; the context manager always stops it."""
    port = free_port()
    command = _command(request.param, port)
    with running(command, port, env={"SERVER_APP_FILE": str(large_file)}):
        yield Server(request.param, port)


@pytest.fixture
def port(server: Server) -> int:
    return server.port


def _assert_ours(sent: HTTPMessage) -> None:
    for name, value in EXPECTED:
        assert sent.get_all(name) == [value], name


def test_page_headers_on_the_wire(server: Server) -> None:
    status, sent, body = request(server.port, "/")

    assert status == 200
    assert sent["Server"].startswith(server.name)  # the server we meant to start
    _assert_ours(sent)
    assert body.startswith(b"<!doctype html>")


def test_cookies_secure_once_on_the_wire(port: int) -> None:
    _, sent, _ = request(port, "/")

    assert sent.get_all("Set-Cookie") == [
        "session=abc; Path=/; HttpOnly; Secure",
        "theme=dark; Path=/; Secure",
    ]


def test_head_sends_headers_without_a_body(port: int) -> None:
    status, sent, body = request(port, "/", method="HEAD")

    assert (status, body) == (200, b"")
    _assert_ours(sent)


def test_streamed_generator_response(port: int) -> None:
    status, sent, body = request(port, "/stream")

    assert status == 200
    _assert_ours(sent)
    # No Content-Length: the server had to stream it, chunk by chunk.
    assert sent["Transfer-Encoding"] == "chunked"
    assert body == b"".join(b"chunk %d\n" % i for i in range(50))


def test_large_file_through_wsgi_file_wrapper(port: int, large_file: Path) -> None:
    status, sent, body = request(port, "/file")

    assert status == 200
    _assert_ours(sent)
    assert sent["X-File-Wrapper"] == "True"
    assert sent["Content-Length"] == str(LARGE)
    assert (
        hashlib.sha256(body).digest()
        == hashlib.sha256(large_file.read_bytes()).digest()
    )


# The report receiver on a real single-threaded server: a POST without
# Content-Length must not hold the only worker.

_WSGIREF = """
import sys
from wsgiref.simple_server import make_server
from tests.integration.receiver_app import app
make_server("127.0.0.1", int(sys.argv[1]), app).serve_forever()
"""


def _raw(port: int, head: bytes) -> bytes:
    """Send ``head`` and keep the connection open: the answer, or a timeout."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head)
        received = b""
        try:
            while b"\r\n\r\n" not in received:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                received += chunk
        except TimeoutError:
            pytest.fail(
                f"no answer within 10 s: the receiver waits for a body ({head!r})"
            )
        return received


@pytest.mark.parametrize(
    "framing",
    [b"", b"Transfer-Encoding: chunked\r\n"],
    ids=["no-length", "chunked"],
)
def test_wsgiref_report_without_length_gets_411_at_once(framing: bytes) -> None:
    port = free_port()
    with running(["-c", _WSGIREF, str(port)], port):
        head = (
            b"POST /_/csp-reports HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/csp-report\r\n" + framing + b"\r\n"
        )
        answer = _raw(port, head)
        assert answer.startswith(b"HTTP/1.0 411 ") or answer.startswith(
            b"HTTP/1.1 411 "
        ), answer
        # The single worker is free again: the next request is served.
        status, sent, _ = request(port, "/")
        assert status == 200 and "Content-Security-Policy" in sent


@pytest.mark.parametrize("server", ["gunicorn", "waitress"])
def test_a_chunked_report_is_read_where_the_server_terminates_the_body(
    server: str,
) -> None:
    # gunicorn and waitress de-chunk the body and set wsgi.input_terminated.
    port = free_port()
    listen = f"127.0.0.1:{port}"
    target = "tests.integration.receiver_app:app"
    command = (
        ["-m", "gunicorn", "--bind", listen, "--workers", "1", target]
        if server == "gunicorn"
        else ["-m", "waitress", f"--listen={listen}", target]
    )
    report = b'{"csp-report": {"document-uri": "https://a.example/"}}'
    with running(command, port):
        head = (
            b"POST /_/csp-reports HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/csp-report\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
            + b"%x\r\n" % len(report)
            + report
            + b"\r\n0\r\n\r\n"
        )
        answer = _raw(port, head)
    assert answer.startswith(b"HTTP/1.1 204 "), answer
