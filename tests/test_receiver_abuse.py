"""The report receiver under abuse: lying lengths, endless bodies, floods."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest

from secheaders_wsgi import SecureHeaders
from tests.support import CountingInput, RecordingStartResponse, environ_for

PATH = "/_/csp-reports"
LIMIT = 1024
REPORT = json.dumps({"csp-report": {"document-uri": "https://a.example/"}}).encode()


def never_called(environ: Any, start_response: Any) -> list[bytes]:
    raise AssertionError("the app must never see a receiver request")


receiver = SecureHeaders(
    never_called, {"csp_report_path": PATH, "csp_report_max_bytes": LIMIT}
)


def post(body: Any, **environ: Any) -> tuple[str, Any]:
    server = RecordingStartResponse()
    env = environ_for(PATH, "POST", CONTENT_TYPE="application/csp-report", **environ)
    env["wsgi.input"] = body
    b"".join(receiver(env, server))
    assert server.status is not None
    return server.status, body


@contextlib.contextmanager
def _nowhere() -> Iterator[None]:
    """Log every report through a handler that keeps nothing.

    pytest attaches its own capturing handlers during the test, which keep every
    record; they are swapped out inside the test so that only our memory counts.
    """
    logger = logging.getLogger("secheaders.csp")
    saved = logger.handlers, logger.propagate
    logger.handlers, logger.propagate = [logging.NullHandler()], False
    try:
        yield
    finally:
        logger.handlers, logger.propagate = saved


def test_a_content_length_shorter_than_the_body_reads_only_that_much() -> None:
    body = CountingInput(REPORT + b" " * 10_000)
    status, _ = post(body, CONTENT_LENGTH=str(len(REPORT)))
    assert status.startswith("204")
    assert body.bytes_read == len(REPORT)


def test_a_content_length_longer_than_the_body_stops_at_its_end() -> None:
    body = CountingInput(REPORT)
    status, _ = post(body, CONTENT_LENGTH=str(LIMIT))
    assert status.startswith("204")
    assert body.bytes_read == len(REPORT)


@pytest.mark.parametrize(
    "length", ["-5", "12abc", "1e3", " ", "99999999999999999999999"], ids=repr
)
def test_a_nonsense_content_length_never_reads_past_the_limit(length: str) -> None:
    body = CountingInput(b"x" * 100_000)
    status, _ = post(body, CONTENT_LENGTH=length)
    assert status.startswith("413")
    assert body.bytes_read <= LIMIT + 1


class Endless(io.RawIOBase):
    """A chunked upload with no length that never ends."""

    def __init__(self) -> None:
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        chunk = b"[" * min(size if size and size > 0 else 8192, 8192)
        self.bytes_read += len(chunk)
        return chunk


def test_a_chunked_body_without_length_stops_at_the_limit() -> None:
    body = Endless()
    status, _ = post(body, **{"wsgi.input_terminated": True})
    assert status.startswith("413")
    assert body.bytes_read == LIMIT + 1


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"[" * LIMIT, id="open-arrays"),
        pytest.param(b'{"csp-report":' * 70 + b"1" + b"}" * 70, id="nested-objects"),
        pytest.param(b'{"csp-report": {"a": ' + b"[" * 900 + b"]" * 0, id="unclosed"),
    ],
)
def test_deeply_nested_json_is_400(body: bytes) -> None:
    status, _ = post(CountingInput(body[:LIMIT]), CONTENT_LENGTH=str(len(body[:LIMIT])))
    assert status.startswith("400")


def test_ten_thousand_reports_keep_memory_flat() -> None:
    def one() -> str:
        status, _ = post(CountingInput(REPORT), CONTENT_LENGTH=str(len(REPORT)))
        return status

    with _nowhere():
        statuses, growth, peak = _measure(one)
    assert statuses == {"204 No Content"}
    assert growth < 64 * 1024, "memory grows with the number of reports"
    assert peak < 256 * 1024


def _measure(one: Any) -> tuple[set[str], int, int]:
    for _ in range(200):  # warm caches (logging, json) before measuring
        one()
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        statuses = {one() for _ in range(10_000)}
        after, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return statuses, after - before, peak - before
