"""Read violation reports from log files and SQLite stores, and group them.

The inputs, mixed freely:

- the JSON lines the receiver's ``log`` sink writes on ``secheaders.csp``
  (``csp_report_path``), behind whatever prefix the logging setup puts before
  them, today's records and the older CSP-only lines alike, and the summary
  lines (what the receiver dropped, folded or counted as noise);
- the legacy body browsers POST to ``report-uri``: ``{"csp-report": {...}}``;
- the Reporting API body POSTed to ``report-to``: ``[{"type": "csp-violation",
  "body": {...}}, ...]``, or one such entry alone, of any type the receiver keeps;
- the SQLite file of the ``sqlite`` sink (:func:`summarize_store`).

Raw bodies go through the receiver's own normalization
(:mod:`secheaders_wsgi.reports.record`), so a report reads the same whichever
way it was collected. Nothing in a line can make the reader raise: a line
with no report in it (a server's start-up line) is counted and skipped, and a
report that cannot be used is counted as bad with its line number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..reports.record import (
    EXTENSION_SCHEMES,
    NOISE_SCHEMES,
    blocked_of,
    from_report_uri,
    from_reporting_api,
    noise_scheme,
    origin_of,
)
from ..reports.sqlite import Stored

__all__ = [
    "EXTENSION_SCHEMES",
    "NOISE_SCHEMES",
    "Group",
    "Summary",
    "Violation",
    "origin_of",
    "read",
    "summarize",
    "summarize_store",
]

# A log prefix's date and time: ISO 8601 or Python logging's asctime.
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?"
)
# Where the JSON may start: a prefix can hold brackets too ("[pid 7]").
_MAX_STARTS = 16
_SAMPLES = 3
#: The receiver's summary counts, as the records name them.
COUNTS = ("dropped", "folded", "noise", "lost")


@dataclass(frozen=True)
class Violation:
    """One report (or ``count`` of them): what was blocked, where, and when."""

    directive: str
    blocked: str
    origin: str
    page: str | None
    source_file: str | None
    sample: str | None
    seen: str | None
    type: str = "csp-violation"
    disposition: str = "enforce"
    policy: str | None = None
    destination: str | None = None
    count: int = 1
    first_seen: str | None = None


@dataclass(frozen=True)
class Counts:
    """A summary line of the receiver: what it did not store one by one."""

    seen: str | None
    dropped: int = 0
    folded: int = 0
    noise: int = 0
    lost: int = 0


@dataclass
class Group:
    """The reports of one type and directive, by one blocked origin or keyword,
    under one disposition (a report-only policy's reports group apart)."""

    directive: str
    origin: str
    count: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    pages: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)
    type: str = "csp-violation"
    disposition: str = "enforce"
    #: The policy of the latest report that carried one.
    policy: str | None = None
    blocked_url: str | None = None
    destination: str | None = None

    def add(self, violation: Violation) -> None:
        self.count_in(
            violation.count,
            (violation.first_seen, violation.seen),
            pages=[violation.page],
            samples=[violation.sample],
            policy=violation.policy,
            blocked_url=violation.blocked or None,
            destination=violation.destination,
        )

    def count_in(
        self,
        count: int,
        seen: Iterable[str | None],
        *,
        pages: Iterable[str | None],
        samples: Iterable[str | None],
        policy: str | None,
        blocked_url: str | None,
        destination: str | None,
    ) -> None:
        """Add ``count`` reports seen at those times, with their examples."""
        self.count += count
        for time in seen:
            if time is None:
                continue
            if self.first_seen is None or time < self.first_seen:
                self.first_seen = time
            if self.last_seen is None or time > self.last_seen:
                self.last_seen = time
        for page in pages:
            _keep(self.pages, page)
        for sample in samples:
            _keep(self.samples, sample)
        self.policy = policy or self.policy
        self.blocked_url = self.blocked_url or blocked_url
        self.destination = destination or self.destination


@dataclass
class Summary:
    """What the inputs held: groups, noise, the receiver's counts, bad lines."""

    #: Reports, bad entries and skipped lines read.
    entries: int = 0
    groups: dict[tuple[str, str, str, str], Group] = field(default_factory=dict)
    #: Noise scheme (extensions, browser pages) -> number of reports read.
    extensions: dict[str, int] = field(default_factory=dict)
    #: The receiver's summaries added up: dropped, folded, noise, lost.
    receiver: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    #: ``(file, line number, reason)`` of each report that could not be used.
    bad: list[tuple[str, int, str]] = field(default_factory=list)
    #: Lines that hold no report at all (a server's own lines), counted once.
    skipped: int = 0
    #: Reports left out by ``since`` because they carry no time.
    undated: int = 0
    #: ``(minute, directive) -> reports``, for a chart: ``2026-11-30T18:29``
    #: (a store keeps hours: ``2026-11-30T18:00``).
    timeline: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def violations(self) -> int:
        return sum(group.count for group in self.groups.values())

    def ordered(self) -> list[Group]:
        """Most reported first, then by type, directive and origin."""
        return sorted(
            self.groups.values(),
            key=lambda g: (-g.count, g.type, g.directive, g.origin, g.disposition),
        )

    def group(self, type: str, directive: str, origin: str, disposition: str) -> Group:
        """The group of that key, made empty if new."""
        key = (type, directive, origin, disposition)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(
                directive, origin, type=type, disposition=disposition
            )
        return group


def read(text: str) -> Iterator[tuple[int, Violation | Counts | str | None]]:
    """``(line number, what the line holds)`` for each report in a file.

    What a line holds: a :class:`Violation`, the receiver's :class:`Counts`, a
    string saying why a report is bad, or ``None`` for a line with no report.
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


def summarize(
    files: Iterable[tuple[str, str]],
    since: str | None = None,
    into: Summary | None = None,
) -> Summary:
    """Group the reports in ``(file name, text)`` pairs (into ``into``).

    ``since``: leave out reports seen before this time (compared as text, so
    ``2026-11-30`` and ``2026-11-30T18:00`` both work), and those without one.
    """
    summary = into if into is not None else Summary()
    for name, text in files:
        for number, found in read(text):
            summary.entries += 1
            if found is None:
                summary.skipped += 1
            elif isinstance(found, str):
                summary.bad.append((name, number, found))
            elif isinstance(found, Counts):
                if _after(found.seen, since, summary):
                    for count in COUNTS:
                        summary.receiver[count] += getattr(found, count)
            elif _after(found.seen, since, summary):
                scheme = noise_scheme(found.blocked, found.source_file)
                if scheme is not None:
                    summary.extensions[scheme] = (
                        summary.extensions.get(scheme, 0) + found.count
                    )
                else:
                    summary.group(
                        found.type, found.directive, found.origin, found.disposition
                    ).add(found)
                    if found.seen is not None:
                        minute = (found.seen[:16], found.directive)
                        summary.timeline[minute] = (
                            summary.timeline.get(minute, 0) + found.count
                        )
    return summary


def summarize_store(
    stored: Stored, since: str | None = None, into: Summary | None = None
) -> Summary:
    """Add what a SQLite store holds to a summary (into ``into``).

    With ``since``, a group counts whole if it was last seen after it.
    """
    summary = into if into is not None else Summary()
    for group in stored.groups:
        summary.entries += 1
        if since is not None and group.last_seen < since:
            continue
        summary.group(
            group.type, group.directive, group.blocked, group.disposition
        ).count_in(
            group.count,
            (group.first_seen, group.last_seen),
            pages=group.pages,
            samples=group.samples,
            policy=group.policy,
            blocked_url=group.blocked_url,
            destination=group.destination,
        )
    for hourly in stored.summaries:
        if since is None or hourly.last_seen >= since:
            for name in COUNTS:
                summary.receiver[name] += getattr(hourly, name)
    for (hour, _, directive), reports in stored.timeline.items():
        if since is None or hour >= since[:13]:
            minute = (f"{hour}:00", directive)
            summary.timeline[minute] = summary.timeline.get(minute, 0) + reports
    return summary


def _after(seen: str | None, since: str | None, summary: Summary) -> bool:
    if since is None:
        return True
    if seen is None:
        summary.undated += 1
        return False
    return seen >= since


def _from_line(line: str) -> Iterator[Violation | Counts | str | None]:
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
        if found != [None]:
            yield from found
            return
    yield None


def _from_document(
    document: Any, seen: str | None
) -> Iterator[Violation | Counts | str | None]:
    """The reports in one parsed document, why one is bad, or None: no report."""
    if isinstance(document, list):
        entries = [e for e in document if isinstance(e, dict)]
        # Other report types (deprecation, intervention) batched alone are
        # skipped; a list with no report in it at all is not a report.
        if not any("type" in e for e in entries):
            yield None
        for entry in entries:
            yield from _entry(entry, seen, alone=False)
        return
    if not isinstance(document, dict):
        yield None
    elif isinstance(document.get("csp-report"), dict):
        yield _violation(from_report_uri(document["csp-report"]).fields(), seen)
    elif "type" in document and "body" in document:
        yield from _entry(document, seen, alone=True)
    elif document.get("type") == "summary":
        yield Counts(
            _text(document, "time") or seen,
            **{name: _int(document.get(name)) for name in COUNTS},
        )
    elif "directive" in document and "blocked" in document and "type" in document:
        yield _violation(document, seen)  # the receiver's record
    elif "effective_directive" in document and "blocked_uri" in document:
        yield _violation(_older(document), seen)  # the receiver's older line
    else:
        yield None


def _entry(
    entry: dict[str, Any], seen: str | None, alone: bool
) -> Iterator[Violation | str | None]:
    report = from_reporting_api(entry)
    if report is not None:
        yield _violation(report.fields(), seen)
    elif entry.get("type") == "csp-violation":
        yield "a csp-violation without a body"
    elif alone:
        yield None


def _older(line: dict[str, Any]) -> dict[str, Any]:
    """A line of the receiver before every report type: the record's names."""
    return {
        "type": "csp-violation",
        "directive": line.get("effective_directive"),
        "blocked_url": line.get("blocked_uri"),
        "page": line.get("document_uri"),
        "source_file": line.get("source_file"),
        "sample": line.get("sample"),
        "disposition": line.get("disposition"),
    }


def _violation(record: dict[str, Any], seen: str | None) -> Violation | str:
    directive = _text(record, "directive")
    if directive is None:
        return "a report without a directive"
    blocked = _text(record, "blocked_url") or ""
    sample = _text(record, "sample")
    count = _int(record.get("count", 1))
    return Violation(
        directive=directive.lower(),
        blocked=blocked,
        origin=_text(record, "blocked") or blocked_of(directive, blocked, sample),
        page=_text(record, "page"),
        source_file=_text(record, "source_file"),
        sample=sample,
        seen=_text(record, "time") or seen,
        type=_text(record, "type") or "csp-violation",
        disposition="report" if record.get("disposition") == "report" else "enforce",
        policy=_text(record, "policy"),
        destination=_text(record, "destination"),
        count=count if count > 0 else 1,
        first_seen=_text(record, "first_seen"),
    )


def _text(record: dict[str, Any], name: str) -> str | None:
    value = record.get(name)
    return value if isinstance(value, str) and value else None


def _int(value: object) -> int:
    ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return value if ok and isinstance(value, int) else 0


def _timestamp(prefix: str) -> str | None:
    match = _TIMESTAMP.search(prefix)
    if match is None:
        return None
    # Sortable as text: one separator between date and time, '.' before the
    # fraction (asctime writes ',').
    return match.group().replace(" ", "T", 1).replace(",", ".")


def _keep(kept: list[str], value: str | None) -> None:
    if value is not None and value not in kept and len(kept) < _SAMPLES:
        kept.append(value)
