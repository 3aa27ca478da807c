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
from collections.abc import Iterator, Mapping
from itertools import islice
from typing import Any

from ..policy import Header
from ..request.reply import Reply, text_reply

__all__ = ["ReportReceiver", "content_length_value", "normalize"]

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
    """Takes the reports POSTed to ``csp_report_path``; in no adapter's shape.

    An adapter asks :meth:`wanted` how much of the body to read (or gets the
    answer at once), reads at most that much, and hands it to :meth:`accept`.
    Answers 204 to a report (even one that holds no CSP violation), 400 to a
    body that is not a JSON report or a ``Content-Length`` that is not a plain
    decimal number, 405 to a method other than POST, 411 to a body without
    ``Content-Length`` on a stream the server does not end (a read would wait
    for bytes that never come, holding a worker), 413 to a body over
    ``max_bytes`` (without reading it) and 415 to another content type.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes

    def wanted(
        self,
        method: str,
        content_type: str | None,
        content_length: str | None,
        terminated: bool,
    ) -> Reply | int:
        """The answer before any body is read, or how many bytes to read at most.

        ``terminated``: the server ends the body stream itself (ASGI always;
        WSGI's ``wsgi.input_terminated``), so a body without a length can be
        read to its end. Reading ``max_bytes + 1`` then tells a body too long.
        """
        if method != "POST":
            return _answer("405 Method Not Allowed", (("Allow", "POST"),))
        kind = (content_type or "").split(";")[0].strip().lower()
        if kind not in CONTENT_TYPES:
            return _answer("415 Unsupported Media Type")
        raw = (content_length or "").strip(" \t")
        if not raw:
            if not terminated:
                return _answer("411 Length Required")
            return self.max_bytes + 1
        length = content_length_value(raw)
        if length is None:
            return _answer("400 Bad Request")
        if length > self.max_bytes:
            return _answer("413 Content Too Large")
        return length

    def accept(self, body: bytes | None) -> Reply:
        """Log the reports in ``body``; ``None``: the client left mid-body."""
        if body is None:
            return _answer("400 Bad Request")
        if len(body) > self.max_bytes:
            return _answer("413 Content Too Large")
        try:
            reports = list(islice(_reports(json.loads(body)), _MAX_REPORTS))
        except (ValueError, RecursionError):
            # ValueError: not JSON, not UTF-8, or not a report.
            # RecursionError: "[[[[...", nested deeper than the parser goes.
            return _answer("400 Bad Request")
        for report in reports:
            line = json.dumps(report, sort_keys=True)
            LOGGER.warning("%s", line, extra={"csp_report": report})
        return _answer("204 No Content")


def content_length_value(raw: str) -> int | None:
    """A ``Content-Length`` value as a number; ``None`` unless plain ASCII digits.

    ``str.isdigit`` alone takes ``"²"`` and other Unicode digits, and ``int``
    refuses more than 4,300 of them: neither may reach it. A number too long to
    be a length this side of an exabyte counts as over every limit.

    >>> [content_length_value(raw) for raw in ("42", "4 2", "²")]
    [42, None, None]
    """
    if not (raw.isascii() and raw.isdigit()):
        return None
    digits = raw.lstrip("0") or "0"
    return int(digits) if len(digits) <= 18 else 10**18


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


def _answer(status: str, extra: tuple[Header, ...] = ()) -> Reply:
    if status.startswith("204"):  # RFC 9110 section 15.3.5: no content, no length
        return Reply(status, (("Cache-Control", "no-store"), *extra))
    return text_reply(
        status, f"{status}\n".encode("latin-1"), (("Cache-Control", "no-store"), *extra)
    )
