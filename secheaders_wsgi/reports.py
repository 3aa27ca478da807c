"""The built-in CSP report receiver behind ``csp_report_path``.

When ``csp_report_path`` is set, the middleware answers requests to that path
with :class:`ReportReceiver` and never passes them to the application. It takes
both report formats browsers send:

- ``application/csp-report``: one ``{"csp-report": {...}}`` object, from the
  ``report-uri`` directive (Firefox, Safari, older Chrome);
- ``application/reports+json``: a JSON array of reports, from the Reporting API
  and the ``report-to`` directive (Chrome, Edge).

Each CSP violation is logged as one JSON line on the ``secheaders.csp`` logger
at WARNING, with the same field names whichever format it came in, so that
the ordinary log pipeline collects them from every process and machine.

The body comes from anyone on the internet: it is read up to a limit, parsed
with :func:`json.loads` only, and nothing in it can make the receiver raise.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from .policy import Header

__all__ = ["ReportReceiver"]

LOGGER = logging.getLogger("secheaders.csp")

#: ``application/json`` is what some older browsers sent for report-uri.
CONTENT_TYPES = (
    "application/csp-report",
    "application/reports+json",
    "application/json",
)

# A browser batches a handful of reports; a body holding more is not one, and
# logging each would let one request write thousands of log lines.
_MAX_REPORTS = 100

# The normalized fields, from the report-uri (kebab-case) and the Reporting API
# (camelCase) spellings.
_FIELDS = (
    ("document_uri", "document-uri", "documentURL"),
    ("effective_directive", "effective-directive", "effectiveDirective"),
    ("blocked_uri", "blocked-uri", "blockedURL"),
    ("source_file", "source-file", "sourceFile"),
    ("line", "line-number", "lineNumber"),
    ("column", "column-number", "columnNumber"),
    ("disposition", "disposition", "disposition"),
    ("status_code", "status-code", "statusCode"),
    ("sample", "script-sample", "sample"),
)
_NUMBERS = frozenset({"line", "column", "status_code"})


class ReportReceiver:
    """A WSGI application that logs the CSP reports POSTed to it.

    Answers 204 to a report (even one that holds no CSP violation), 400 to a
    body that is not a JSON report or a ``Content-Length`` that is not a
    number, 405 to a method other than POST, 411 to a body without
    ``Content-Length`` (unless the server marks it ``wsgi.input_terminated``:
    otherwise a read would wait for bytes that never come, holding a worker),
    413 to a body over ``max_bytes`` (without reading it) and 415 to another
    content type.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _answer(
                start_response, "405 Method Not Allowed", (("Allow", "POST"),)
            )
        content_type = str(environ.get("CONTENT_TYPE", "")).split(";")[0]
        if content_type.strip().lower() not in CONTENT_TYPES:
            return _answer(start_response, "415 Unsupported Media Type")
        raw = str(environ.get("CONTENT_LENGTH") or "").strip()
        if not raw:
            if not environ.get("wsgi.input_terminated"):
                # PEP 3333: without a length, reading may block until the
                # client hangs up; only a server that ends the stream says so.
                return _answer(start_response, "411 Length Required")
            length = -1
        elif raw.isascii() and raw.isdigit():
            length = int(raw)
        else:
            return _answer(start_response, "400 Bad Request")
        body = _read(environ, self.max_bytes, length)
        if body is None:
            return _answer(start_response, "413 Content Too Large")
        try:
            reports = list(islice(_reports(json.loads(body)), _MAX_REPORTS))
        except (ValueError, RecursionError):
            # ValueError: not JSON, not UTF-8, or not a report.
            # RecursionError: "[[[[...", nested deeper than the parser goes.
            return _answer(start_response, "400 Bad Request")
        for report in reports:
            line = json.dumps(report, sort_keys=True)
            LOGGER.warning("%s", line, extra={"csp_report": report})
        return _answer(start_response, "204 No Content")


def normalize(body: Mapping[str, Any], reporting_api: bool) -> dict[str, Any]:
    """The report's fields under one set of names; a missing or mistyped one is None.

    >>> normalize({"document-uri": "https://a.example/", "line-number": 3}, False)
    {'document_uri': 'https://a.example/', ..., 'line': 3, ...}
    """
    record: dict[str, Any] = {}
    for name, legacy, modern in _FIELDS:
        value = body.get(modern if reporting_api else legacy)
        if name in _NUMBERS:
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, str)
        record[name] = value if ok else None
    if record["effective_directive"] is None and not reporting_api:
        # CSP2 browsers send only violated-directive: "script-src 'self'".
        violated = body.get("violated-directive")
        if isinstance(violated, str) and violated.split():
            record["effective_directive"] = violated.split()[0]
    if record["disposition"] is None:
        record["disposition"] = "enforce"
    return record


def _reports(data: object) -> Iterator[dict[str, Any]]:
    """The CSP violations in a parsed body; ValueError if it is not a report."""
    if isinstance(data, dict):
        body = data.get("csp-report")
        if not isinstance(body, dict):
            raise ValueError("not a CSP report")
        yield {"format": "csp-report", **normalize(body, reporting_api=False)}
        return
    if not isinstance(data, list):
        raise ValueError("not a CSP report")
    for entry in data:
        # The Reporting API may batch other report types; skip them, and
        # anything that is not a report at all.
        if not isinstance(entry, dict) or entry.get("type") != "csp-violation":
            continue
        body = entry.get("body")
        if isinstance(body, dict):
            yield {"format": "reports+json", **normalize(body, reporting_api=True)}


def _read(environ: WSGIEnvironment, limit: int, length: int) -> bytes | None:
    """At most ``limit`` bytes of the body, or None if it is longer.

    With a ``length`` over the limit, nothing is read. Without one (``-1``, a
    terminated stream), at most ``limit + 1`` bytes are read: enough to tell
    that it is too long.
    """
    if length > limit:
        return None
    wanted = length if length >= 0 else limit + 1
    chunks: list[bytes] = []
    got = 0
    try:
        stream = environ["wsgi.input"]
        while got < wanted:
            chunk = stream.read(wanted - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except Exception:
        # Servers raise their own types when a client hangs up (OSError,
        # werkzeug's ClientDisconnected, gunicorn's NoMoreData): all a 400.
        return b""
    body = b"".join(chunks)
    return None if len(body) > limit else body


def _answer(
    start_response: StartResponse, status: str, extra: tuple[Header, ...] = ()
) -> list[bytes]:
    if status.startswith("204"):  # RFC 9110 section 15.3.5: no content, no length
        start_response(status, [("Cache-Control", "no-store"), *extra])
        return []
    body = f"{status}\n".encode("latin-1")
    start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            *extra,
        ],
    )
    return [body]
