"""The built-in CSP report receiver at ``csp_report_path``, and under abuse: lying
lengths, endless bodies, floods."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import logging
import re
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any
from wsgiref.validate import validator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from webtest import TestApp

from secheaders_wsgi import SecureHeaders
from secheaders_wsgi.reports import flush
from tests.support import (
    CountingInput,
    RecordingApp,
    RecordingStartResponse,
    environ_for,
    never_called,
)

PATH = "/_/csp-reports"
CONFIG = {"csp_report_path": PATH}

LEGACY = {
    "csp-report": {
        "document-uri": "https://example.com/page",
        "referrer": "",
        "violated-directive": "script-src-elem",
        "effective-directive": "script-src-elem",
        "original-policy": "default-src 'self'; report-uri /_/csp-reports",
        "disposition": "report",
        "blocked-uri": "https://evil.example/x.js",
        "line-number": 12,
        "column-number": 4,
        "source-file": "https://example.com/page",
        "status-code": 200,
        "script-sample": "",
    }
}
MODERN = [
    {
        "type": "csp-violation",
        "age": 10,
        "url": "https://example.com/page",
        "user_agent": "Mozilla/5.0",
        "body": {
            "documentURL": "https://example.com/page",
            "effectiveDirective": "style-src-elem",
            "blockedURL": "inline",
            "sourceFile": "https://example.com/app.js",
            "lineNumber": 7,
            "columnNumber": 1,
            "disposition": "enforce",
            "statusCode": 200,
            "sample": "color: red",
            "originalPolicy": "style-src 'self'",
        },
    },
    {"type": "deprecation", "body": {"id": "x"}},  # not ours: skipped
    "not a report",  # not a dict: skipped
    {"type": "csp-violation", "body": ["not", "a", "dict"]},  # skipped
    {
        "type": "csp-violation",
        "body": {"documentURL": "https://example.com/b", "lineNumber": "7"},
    },
]


def receiver(config: dict[str, Any] | None = None) -> tuple[TestApp, Any]:
    app = RecordingApp()
    return TestApp(SecureHeaders(app, {**CONFIG, **(config or {})})), app


def logged(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The records the log sink wrote, without their arrival times (checked)."""
    records = [r for r in caplog.records if r.name == "secheaders.csp"]
    assert all(r.levelno == logging.WARNING for r in records)
    lines = [r.getMessage() for r in records]
    assert all("\n" not in line for line in lines)
    found = [json.loads(line) for line in lines]
    for record in found:
        assert ISO.fullmatch(record.pop("time"))
        assert ISO.fullmatch(record.pop("first_seen"))
    return found


ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@pytest.fixture
def caplog(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.WARNING, logger="secheaders.csp")
    return caplog


#: What the receiver logs for LEGACY: the record's fields, CSP's among them.
LEGACY_RECORD = {
    "type": "csp-violation",
    "format": "csp-report",
    "directive": "script-src-elem",
    "blocked": "https://evil.example",
    "blocked_url": "https://evil.example/x.js",
    "page": "https://example.com/page",
    "disposition": "report",
    "source_file": "https://example.com/page",
    "line": 12,
    "column": 4,
    "sample": "",
    "status_code": 200,
    "destination": None,
    "policy": "default-src 'self'; report-uri /_/csp-reports",
    "user_agent": "Firefox",
    "age_ms": None,
    "count": 1,
}
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.mark.parametrize(
    "content_type",
    [
        pytest.param("application/csp-report", id="csp-report"),
        pytest.param("application/json", id="json"),
        pytest.param("Application/CSP-Report; charset=utf-8", id="params-and-case"),
    ],
)
def test_report_uri_format_is_logged_as_one_normalized_json_line(
    content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    app, inner = receiver()
    response = app.post(
        PATH,
        json.dumps(LEGACY),
        content_type=content_type,
        headers={"User-Agent": FIREFOX},
    )
    assert response.status == "204 No Content"
    assert response.body == b""
    assert inner.calls == []
    assert logged(caplog) == [LEGACY_RECORD]


def test_reporting_api_format_logs_each_csp_violation(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, inner = receiver()
    response = app.post(
        PATH, json.dumps(MODERN), content_type="application/reports+json"
    )
    assert response.status_int == 204
    assert inner.calls == []
    common = {"type": "csp-violation", "format": "reports+json", "count": 1}
    assert logged(caplog) == [
        {
            **common,
            "directive": "style-src-elem",
            "blocked": "inline",
            "blocked_url": "inline",
            "page": "https://example.com/page",
            "disposition": "enforce",
            "source_file": "https://example.com/app.js",
            "line": 7,
            "column": 1,
            "sample": "color: red",
            "status_code": 200,
            "destination": None,
            "policy": "style-src 'self'",
            "user_agent": "other",  # "Mozilla/5.0" names no browser
            "age_ms": 10,
        },
        {
            **common,
            "directive": None,
            "blocked": None,
            "blocked_url": None,
            "page": "https://example.com/b",
            "disposition": "enforce",
            "source_file": None,
            "line": None,  # "7", a string, is not a line number
            "column": None,
            "sample": None,
            "status_code": None,
            "destination": None,
            "policy": None,
            "user_agent": None,
            "age_ms": None,
        },
    ]


def test_csp2_report_without_effective_directive_uses_violated_directive(
    caplog: pytest.LogCaptureFixture,
) -> None:
    report = {
        "csp-report": {"violated-directive": "img-src 'self'", "line-number": True}
    }
    app, _ = receiver()
    app.post(PATH, json.dumps(report), content_type="application/csp-report")
    [record] = logged(caplog)
    assert record["directive"] == "img-src"
    assert record["line"] is None  # true is not a line number


def test_hostile_strings_stay_on_one_log_line(caplog: pytest.LogCaptureFixture) -> None:
    report = {"csp-report": {"document-uri": "x\nFAKE LOG LINE\r\n\u2028"}}
    app, _ = receiver()
    app.post(PATH, json.dumps(report), content_type="application/csp-report")
    [record] = logged(caplog)  # logged() checks there is no newline
    assert record["page"] == "x\nFAKE LOG LINE\r\n\u2028"


def test_a_page_loses_its_query_and_fragment(caplog: pytest.LogCaptureFixture) -> None:
    # A password-reset page's token must not end up in the logs.
    page = "https://example.com/reset?token=SECRET#frag"
    report = {"csp-report": {"document-uri": page, "blocked-uri": page}}
    app, _ = receiver()
    app.post(PATH, json.dumps(report), content_type="application/csp-report")
    [record] = logged(caplog)
    assert record["page"] == record["blocked_url"] == "https://example.com/reset"
    assert "SECRET" not in caplog.text


def test_log_record_carries_the_fields_as_flat_attributes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # OpenTelemetry's logging handler drops dict-valued attributes: each field
    # is an attribute of its own.
    app, _ = receiver()
    app.post(PATH, json.dumps(LEGACY), content_type="application/csp-report")
    [record] = [r for r in caplog.records if r.name == "secheaders.csp"]
    assert record.report_blocked == "https://evil.example"  # type: ignore[attr-defined]
    assert record.report_line == 12  # type: ignore[attr-defined]
    extras = {k: v for k, v in vars(record).items() if k.startswith("report_")}
    assert set(extras) == {
        f"report_{name}" for name in (*LEGACY_RECORD, "time", "first_seen")
    }
    assert all(v is None or isinstance(v, (str, int)) for v in extras.values())


def test_at_most_100_reports_are_taken_from_one_request(
    caplog: pytest.LogCaptureFixture,
) -> None:
    many = [
        {"type": "csp-violation", "body": {"blockedURL": f"https://{i}.example/"}}
        for i in range(150)
    ]
    app, _ = receiver({"report_rate": 1000})
    app.post(PATH, json.dumps(many), content_type="application/reports+json")
    assert len(logged(caplog)) == 100


def test_empty_reporting_api_batch_is_accepted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app, _ = receiver()
    app.post(PATH, "[]", content_type="application/reports+json", status=204)
    assert logged(caplog) == []


# -- size limit


def call(
    body: bytes, max_bytes: int = 100, **environ: Any
) -> tuple[RecordingStartResponse, CountingInput]:
    app = SecureHeaders(RecordingApp(), {**CONFIG, "csp_report_max_bytes": max_bytes})
    env = environ_for(
        PATH, "POST", body, CONTENT_TYPE="application/reports+json", **environ
    )
    recorder = RecordingStartResponse()
    b"".join(app(env, recorder))
    return recorder, env["wsgi.input"]


def test_oversize_with_content_length_is_413_without_reading() -> None:
    body = b"[" + b" " * 10_000 + b"]"
    recorder, stream = call(body, CONTENT_LENGTH=str(len(body)))
    assert recorder.status == "413 Content Too Large"
    assert stream.bytes_read == 0


@pytest.mark.parametrize(
    "length",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param(" ", id="blank"),
    ],
)
def test_no_length_is_411_at_once_unless_the_stream_is_terminated(
    length: str | None,
) -> None:
    extra = {} if length is None else {"CONTENT_LENGTH": length}
    recorder, stream = call(b"[]", **extra)
    assert recorder.status == "411 Length Required"
    assert stream.bytes_read == 0
    for terminated in (False, 0, None, ""):
        recorder, stream = call(b"[]", **extra, **{"wsgi.input_terminated": terminated})
        assert (recorder.status, stream.bytes_read) == ("411 Length Required", 0)


def test_oversize_on_a_terminated_stream_reads_at_most_max_plus_one() -> None:
    body = b"[" + b" " * 10_000 + b"]"
    recorder, stream = call(body, **{"wsgi.input_terminated": True})
    assert recorder.status == "413 Content Too Large"
    assert stream.bytes_read == 101


@pytest.mark.parametrize(
    "length",
    # Unicode digits pass str.isdigit() and some pass int(): the superscript
    # two crashed the ASGI receiver; "5,5" is a duplicated header joined.
    ["lots", "-5", "12abc", "1e3", "+3", "٣", "²", "1²", "5,5", "0x10", "1_000"],
)
def test_a_length_that_is_not_a_number_is_400_without_reading(length: str) -> None:
    recorder, stream = call(b"[" + b" " * 10_000 + b"]", CONTENT_LENGTH=length)
    assert recorder.status == "400 Bad Request"
    assert stream.bytes_read == 0


def test_a_length_of_5000_digits_is_413_without_reading_or_raising() -> None:
    # int() refuses over 4,300 digits: it raised out of the receiver.
    recorder, stream = call(b"[]", CONTENT_LENGTH="9" * 5000)
    assert recorder.status == "413 Content Too Large"
    assert stream.bytes_read == 0


def test_leading_zeros_are_still_a_length() -> None:
    recorder, stream = call(b"[]", CONTENT_LENGTH="0" * 5000 + "2")
    assert recorder.status == "204 No Content"
    assert stream.bytes_read == 2


def test_a_body_of_exactly_max_bytes_is_accepted() -> None:
    body = b"[" + b" " * 98 + b"]"
    recorder, stream = call(body, CONTENT_LENGTH=str(len(body)))
    assert recorder.status == "204 No Content"
    assert stream.bytes_read == 100


def test_a_missing_length_with_a_small_body_is_read_to_the_end() -> None:
    recorder, stream = call(b"[]", **{"wsgi.input_terminated": True})
    assert recorder.status == "204 No Content"
    assert stream.bytes_read == 2


def test_reads_no_further_than_content_length() -> None:
    recorder, stream = call(b"[]trailing bytes of the next request", CONTENT_LENGTH="2")
    assert recorder.status == "204 No Content"
    assert stream.bytes_read == 2


def test_the_default_limit_is_64_kib() -> None:
    app, _ = receiver()
    body = "[" + " " * (64 * 1024 - 2) + "]"
    app.post(PATH, body, content_type="application/reports+json", status=204)
    app.post(PATH, body + " ", content_type="application/reports+json", status=413)


# -- bad requests


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"not json", id="not-json"),
        pytest.param(b"", id="empty"),
        pytest.param(b'{"csp-report": ', id="truncated"),
        pytest.param(b"\xff\xfe\xfd", id="not-utf8"),
        pytest.param(b"42", id="a-number"),
        pytest.param(b'"a string"', id="a-string"),
        pytest.param(b'{"something": "else"}', id="dict-without-csp-report"),
        pytest.param(b'{"csp-report": [1, 2]}', id="csp-report-not-a-dict"),
        pytest.param(b"[" * 50_000 + b"]" * 50_000, id="nested-too-deep"),
        pytest.param(b"1" * 5000, id="int-too-long"),
    ],
)
def test_a_body_that_is_not_a_report_is_400(body: bytes) -> None:
    app, inner = receiver({"csp_report_max_bytes": 1024 * 1024})
    response = app.post(
        PATH, body, content_type="application/csp-report", expect_errors=True
    )
    assert response.status_int == 400
    assert inner.calls == []


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"])
def test_another_method_is_405(method: str) -> None:
    app, inner = receiver()
    response = app.request(PATH, method=method, expect_errors=True)
    assert response.status_int == 405
    assert response.headers["Allow"] == "POST"
    assert inner.calls == []


def test_another_content_type_is_415() -> None:
    app, inner = receiver()
    response = app.post(
        PATH, json.dumps(LEGACY), content_type="text/plain", expect_errors=True
    )
    assert response.status_int == 415
    assert inner.calls == []


def test_a_client_that_hangs_up_mid_body_gets_400_not_an_exception() -> None:
    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def read(self, size: int | None = -1) -> bytes:
            raise OSError("connection reset by peer")

    app = SecureHeaders(RecordingApp(), CONFIG)
    env = environ_for(
        PATH, "POST", CONTENT_TYPE="application/csp-report", CONTENT_LENGTH="10"
    )
    env["wsgi.input"] = Broken()
    recorder = RecordingStartResponse()
    assert list(app(env, recorder)) == [b"400 Bad Request\n"]
    assert recorder.status == "400 Bad Request"


@settings(max_examples=200, deadline=None)
@given(
    body=st.one_of(
        st.binary(max_size=300),
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
            lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
            max_leaves=20,
        ).map(lambda data: json.dumps(data).encode()),
        st.dictionaries(
            st.sampled_from(["csp-report", "type", "body"]),
            st.recursive(
                st.none() | st.integers() | st.text(),
                lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
                max_leaves=10,
            ),
        ).map(lambda data: json.dumps([data, {"csp-report": data}]).encode()),
    ),
    content_type=st.sampled_from(
        ["application/csp-report", "application/reports+json", "application/json"]
    ),
)
def test_no_body_makes_the_receiver_raise(body: bytes, content_type: str) -> None:
    app = SecureHeaders(RecordingApp(), {**CONFIG, "csp_report_max_bytes": 200})
    env = environ_for(
        PATH, "POST", body, CONTENT_TYPE=content_type, CONTENT_LENGTH=str(len(body))
    )
    recorder = RecordingStartResponse()
    list(app(env, recorder))
    assert recorder.status is not None
    assert recorder.status[:3] in {"204", "400", "413"}


# -- dispatch


def test_a_request_to_another_path_passes_to_the_app_untouched() -> None:
    app, inner = receiver()
    body = json.dumps(LEGACY)
    response = app.post("/other", body, content_type="application/csp-report")
    assert response.status_int == 200
    [environ] = inner.calls
    assert environ["PATH_INFO"] == "/other"
    assert environ["REQUEST_METHOD"] == "POST"
    assert environ["wsgi.input"].read(len(body)) == body.encode()  # nothing consumed
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(PATH + "/", id="trailing-slash"),
        pytest.param(PATH + "/x", id="below"),
        pytest.param("/_/csp-report", id="prefix"),
        pytest.param(PATH.upper(), id="other-case"),
    ],
)
def test_only_the_exact_receiver_path_is_taken(path: str) -> None:
    app, inner = receiver()
    app.post(path, "{}", content_type="application/csp-report", status=200)
    assert len(inner.calls) == 1


def test_the_receiver_is_off_by_default() -> None:
    inner = RecordingApp()
    app = TestApp(SecureHeaders(inner))
    app.post(
        PATH, json.dumps(LEGACY), content_type="application/csp-report", status=200
    )
    assert len(inner.calls) == 1


def test_the_app_never_sees_a_receiver_request() -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        raise AssertionError(f"the app saw {environ['REQUEST_METHOD']} {PATH}")

    wrapped = TestApp(SecureHeaders(app, CONFIG))
    for method in ("POST", "GET", "PUT", "OPTIONS"):
        wrapped.request(
            PATH,
            method=method,
            body=json.dumps(LEGACY).encode(),
            content_type="application/csp-report",
            expect_errors=True,
        )


def test_receiver_passes_the_wsgi_validator() -> None:
    app = TestApp(validator(SecureHeaders(validator(RecordingApp(nonce=True)), CONFIG)))
    app.post(
        PATH, json.dumps(LEGACY), content_type="application/csp-report", status=204
    )
    app.get(PATH, status=405)
    app.post(PATH, "nope", content_type="application/csp-report", status=400)


def test_an_environ_without_wsgi_input_gets_400_not_an_exception() -> None:
    app = SecureHeaders(RecordingApp(), CONFIG)
    env = environ_for(
        PATH, "POST", CONTENT_TYPE="application/csp-report", CONTENT_LENGTH="10"
    )
    del env["wsgi.input"]
    recorder = RecordingStartResponse()
    list(app(env, recorder))
    assert recorder.status == "400 Bad Request"


def test_receiver_and_nonced_pages_pass_werkzeug_lint() -> None:
    from werkzeug.middleware.lint import HTTPWarning, LintMiddleware

    wrapped = SecureHeaders(
        LintMiddleware(RecordingApp(nonce=True)), {**CONFIG, "preset": "strict"}
    )
    app = TestApp(LintMiddleware(wrapped))
    page = app.get("/")
    assert f"'nonce-{page.text}'" in page.headers["Content-Security-Policy"]
    app.post(PATH, "[", content_type="application/reports+json", status=400)
    app.put(PATH, "", status=405)
    # Werkzeug's lint wants "Content-Length: 0" on a 204, but RFC 9110 section
    # 8.6 says a server MUST NOT send one there (werkzeug's own responses drop
    # it since pallets/werkzeug#1294): the RFC wins.
    with pytest.warns(HTTPWarning, match="204 responses must have an empty"):
        report = app.post(
            PATH, json.dumps(LEGACY), content_type="application/csp-report"
        )
    assert report.status_int == 204
    assert "Content-Length" not in report.headers


# Abuse: lying lengths, endless bodies, floods


LIMIT = 1024
REPORT = json.dumps({"csp-report": {"document-uri": "https://a.example/"}}).encode()


@functools.cache
def limited_receiver(build: Callable[..., Any]) -> Any:
    """One receiver per adapter (``build`` is SecureHeaders or its [asgi] stand-in),
    kept across requests as a server keeps it."""
    return build(never_called, {"csp_report_path": PATH, "csp_report_max_bytes": LIMIT})


def post(body: Any, **environ: Any) -> tuple[str, Any]:
    server = RecordingStartResponse()
    env = environ_for(PATH, "POST", CONTENT_TYPE="application/csp-report", **environ)
    env["wsgi.input"] = body
    b"".join(limited_receiver(SecureHeaders)(env, server))
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
    ("length", "status"),
    [
        ("-5", "400"),
        ("12abc", "400"),
        ("1e3", "400"),
        (" ", "411"),
        ("99999999999999999999999", "413"),
    ],  # fmt: skip
    ids=repr,
)
def test_a_nonsense_content_length_never_reads_past_the_limit(
    length: str, status: str
) -> None:
    body = CountingInput(b"x" * 100_000)
    answer, _ = post(body, CONTENT_LENGTH=length)
    assert answer.startswith(status)
    assert body.bytes_read == 0


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
        flush()  # the folded repeats, into the handler that keeps nothing
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
