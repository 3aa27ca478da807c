"""Read CSP violation reports from log files and group them.

Three inputs, one a line or one a file, mixed freely:

- the JSON lines the receiver logs on ``secheaders.csp`` (``csp_report_path``),
  behind whatever prefix the logging setup puts before them;
- the legacy body browsers POST to ``report-uri``: ``{"csp-report": {...}}``;
- the Reporting API body POSTed to ``report-to``: ``[{"type": "csp-violation",
  "body": {...}}, ...]``, or one such entry alone.

Raw bodies go through the receiver's own :func:`~secheaders_wsgi.reports.normalize`,
so a violation reads the same whichever way it was collected. Nothing in a
line can make the reader raise: a line that holds no report is counted as bad.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ..reports import normalize

__all__ = ["Group", "Summary", "Violation", "origin_of", "read", "summarize"]

#: Schemes of browser extensions: their scripts are not the site's and can
#: not be allowed by its policy, so they are counted apart and never suggested.
EXTENSION_SCHEMES = frozenset(
    {
        "chrome-extension",
        "moz-extension",
        "safari-extension",
        "safari-web-extension",
        "ms-browser-extension",
        "edge-extension",
        "webkit-masked-url",
    }
)
_NETWORK_SCHEMES = frozenset({"http", "https", "ws", "wss"})
# A log prefix's date and time: ISO 8601 or Python logging's asctime.
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
)
# Where the JSON may start: a prefix can hold brackets too ("[pid 7]").
_MAX_STARTS = 16
_SAMPLES = 3


@dataclass(frozen=True)
class Violation:
    """One report: what was blocked, where, and when the log line says."""

    directive: str
    blocked: str
    origin: str
    page: str | None
    source_file: str | None
    sample: str | None
    seen: str | None


@dataclass
class Group:
    """The violations of one directive by one blocked origin or keyword."""

    directive: str
    origin: str
    count: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    pages: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)

    def add(self, violation: Violation) -> None:
        self.count += 1
        if violation.seen is not None:
            if self.first_seen is None or violation.seen < self.first_seen:
                self.first_seen = violation.seen
            if self.last_seen is None or violation.seen > self.last_seen:
                self.last_seen = violation.seen
        _keep(self.pages, violation.page)
        _keep(self.samples, violation.sample)


@dataclass
class Summary:
    """What the files held: groups, extension noise and the bad lines."""

    #: Reports and bad entries read.
    entries: int = 0
    groups: dict[tuple[str, str], Group] = field(default_factory=dict)
    #: Extension scheme -> number of reports.
    extensions: dict[str, int] = field(default_factory=dict)
    #: ``(file, line number, reason)`` of each line that held no report.
    bad: list[tuple[str, int, str]] = field(default_factory=list)

    @property
    def violations(self) -> int:
        return sum(group.count for group in self.groups.values())

    def ordered(self) -> list[Group]:
        """Most reported first, then by directive and origin."""
        return sorted(
            self.groups.values(), key=lambda g: (-g.count, g.directive, g.origin)
        )


def origin_of(blocked: str) -> str:
    """The origin, or the keyword, a blocked URI stands for.

    >>> origin_of("https://cdn.example:8443/lib.js?v=2"), origin_of("inline")
    ('https://cdn.example:8443', 'inline')
    >>> origin_of("data:image/png;base64,AAAA")
    'data'
    """
    blocked = blocked.strip()
    if ":" not in blocked:
        return blocked  # a keyword: inline, eval, wasm-eval, data, blob, ...
    try:
        parts = urlsplit(blocked)
    except ValueError:
        return blocked
    scheme = parts.scheme.lower()
    if scheme in _NETWORK_SCHEMES and parts.hostname:
        host = parts.hostname
        if ":" in host:
            host = f"[{host}]"  # IPv6
        port = _port(parts)
        return f"{scheme}://{host}" + (f":{port}" if port is not None else "")
    if scheme in EXTENSION_SCHEMES:
        return f"{scheme}://{parts.hostname or ''}"
    return scheme or blocked


def read(text: str) -> Iterator[tuple[int, Violation | str]]:
    """``(line number, violation or reason it is bad)`` for each report in a file.

    A file that is one JSON document (a pretty-printed body) is read whole;
    otherwise each non-blank line is one report, possibly behind a log prefix.
    """
    try:
        whole = json.loads(text)
    except (ValueError, RecursionError):
        whole = None
    if isinstance(whole, (dict, list)) and "\n" in text.strip():
        for found in _from_document(whole, None):
            yield 1, found
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        for found in _from_line(line):
            yield number, found


def summarize(files: Iterable[tuple[str, str]]) -> Summary:
    """Group the reports in ``(file name, text)`` pairs."""
    summary = Summary()
    for name, text in files:
        for number, found in read(text):
            summary.entries += 1
            if isinstance(found, str):
                summary.bad.append((name, number, found))
                continue
            scheme = _extension(found)
            if scheme is not None:
                summary.extensions[scheme] = summary.extensions.get(scheme, 0) + 1
                continue
            key = (found.directive, found.origin)
            group = summary.groups.setdefault(key, Group(*key))
            group.add(found)
    return summary


def _from_line(line: str) -> Iterator[Violation | str]:
    decoder = json.JSONDecoder()
    starts = [i for i, char in enumerate(line) if char in "{["][:_MAX_STARTS]
    for start in starts:
        try:
            document, end = decoder.raw_decode(line, start)
        except (ValueError, RecursionError):
            continue
        if line[end:].strip():
            continue
        found = list(_from_document(document, _timestamp(line[:start])))
        if found != ["not a CSP report"]:
            yield from found
            return
    yield "not a CSP report" if starts else "no JSON in the line"


def _from_document(document: Any, seen: str | None) -> Iterator[Violation | str]:
    """The violations in one parsed document, or why it holds none."""
    if isinstance(document, list):
        entries = [e for e in document if isinstance(e, dict)]
        bodies = [e.get("body") for e in entries if e.get("type") == "csp-violation"]
        # Other report types (deprecation, intervention) batched alone are
        # skipped; a list with no report in it at all is not a report.
        if not bodies and not any("type" in e for e in entries):
            yield "not a CSP report"
        for body in bodies:
            if isinstance(body, dict):
                yield _violation(normalize(body, reporting_api=True), seen)
            else:
                yield "a csp-violation without a body"
        return
    if not isinstance(document, dict):
        yield "not a CSP report"
    elif isinstance(document.get("csp-report"), dict):
        yield _violation(normalize(document["csp-report"], reporting_api=False), seen)
    elif document.get("type") == "csp-violation" and isinstance(
        document.get("body"), dict
    ):
        yield _violation(normalize(document["body"], reporting_api=True), seen)
    elif "effective_directive" in document and "blocked_uri" in document:
        yield _violation(document, seen)  # the receiver's line: normalized already
    else:
        yield "not a CSP report"


def _violation(record: dict[str, Any], seen: str | None) -> Violation | str:
    def text(name: str) -> str | None:
        value = record.get(name)
        return value if isinstance(value, str) and value else None

    directive = text("effective_directive")
    if directive is None:
        return "a report without an effective directive"
    blocked = text("blocked_uri") or ""
    return Violation(
        directive=directive.lower(),
        blocked=blocked,
        origin=origin_of(blocked),
        page=text("document_uri"),
        source_file=text("source_file"),
        sample=text("sample"),
        seen=seen,
    )


def _extension(violation: Violation) -> str | None:
    """The extension scheme a report comes from, blocked or blocking."""
    for uri in (violation.blocked, violation.source_file or ""):
        scheme = uri.split(":", 1)[0].lower() if ":" in uri else ""
        if scheme in EXTENSION_SCHEMES:
            return scheme
    return None


def _timestamp(prefix: str) -> str | None:
    match = _TIMESTAMP.search(prefix)
    if match is None:
        return None
    # Sortable as text: one separator between date and time, '.' before the
    # fraction (asctime writes ',').
    return match.group().replace(" ", "T", 1).replace(",", ".")


def _port(parts: Any) -> int | None:
    try:
        port: int | None = parts.port
    except ValueError:
        return None
    return port


def _keep(kept: list[str], value: str | None) -> None:
    if value is not None and value not in kept and len(kept) < _SAMPLES:
        kept.append(value)
