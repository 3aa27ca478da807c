"""Start a server as a subprocess on a free loopback port and talk HTTP to it."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest

ROOT = Path(__file__).resolve().parent.parent
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
) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``python args...`` from the repository root until the block ends.

    ``examples`` and the modules in ``tests/`` are importable in the process.
    Waits until ``port`` accepts connections (at most ``timeout`` seconds) and
    always stops the process, killing it if it does not stop when asked.
    """
    env = {
        **os.environ,
        **(env or {}),
        "PYTHONPATH": os.pathsep.join((str(ROOT), str(ROOT / "tests"))),
        "PYTHONUNBUFFERED": "1",
    }
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=env, stdout=log, stderr=log
        )
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
    port: int, path: str = "/", method: str = "GET"
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One HTTP/1.1 request: the status, the headers as sent, the whole body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()
