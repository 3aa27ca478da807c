"""Real servers, real sockets: gunicorn and waitress run the middleware."""

from __future__ import annotations

import hashlib
import os
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
