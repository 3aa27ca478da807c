"""The SQLite sink: grouped reports in one file, for one machine.

``report_sink: {sqlite: reports.db}``. One row per group of reports (type,
directive, blocked origin, disposition) holds the count, the first and last
time seen, a few example pages, samples and source files, and the policy of
the latest report; one row per hour holds that hour's summaries (dropped,
folded, noise, lost). Rows are upserted, so the file stays small under a
flood, and ``python -m secheaders_wsgi reports reports.db`` reads it.

Several worker processes on one host may share the file: WAL mode, a busy
timeout and one short transaction per batch. Only the writer thread
(:mod:`.writer`) waits on a lock, never a request. The file has a bound
(``max_mb``): past a number of groups new ones are counted in one row per type
and disposition (directive and blocked ``(other)``), and SQLite itself refuses
to grow the file past the bound (``PRAGMA max_page_count``).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from .bounds import Out
from .record import Report, Summary

__all__ = [
    "BUSY_TIMEOUT",
    "SqliteSink",
    "Stored",
    "StoredGroup",
    "StoredSummary",
    "read",
]

#: How long one write waits for another process's transaction (seconds).
BUSY_TIMEOUT = 2.0
#: The most one group row can take (every field at its cut length), so that
#: the number of groups the bound allows always fits in it.
_WORST_ROW = 16 * 1024
_EXAMPLES = 3
_OTHER = "(other)"
_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS report_groups (
    type TEXT NOT NULL,
    directive TEXT NOT NULL,
    blocked TEXT NOT NULL,
    disposition TEXT NOT NULL,
    count INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    pages TEXT NOT NULL,
    samples TEXT NOT NULL,
    source_files TEXT NOT NULL,
    user_agents TEXT NOT NULL,
    blocked_url TEXT,
    destination TEXT,
    policy TEXT,
    max_age_ms INTEGER,
    PRIMARY KEY (type, directive, blocked, disposition)
);
CREATE TABLE IF NOT EXISTS report_timeline (
    hour TEXT NOT NULL,
    type TEXT NOT NULL,
    directive TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (hour, type, directive)
);
CREATE TABLE IF NOT EXISTS report_summaries (
    hour TEXT PRIMARY KEY,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    dropped INTEGER NOT NULL,
    folded INTEGER NOT NULL,
    noise INTEGER NOT NULL,
    lost INTEGER NOT NULL
);
"""


@dataclass
class StoredGroup:
    """One row of ``report_groups``."""

    type: str
    directive: str
    blocked: str
    disposition: str
    count: int
    first_seen: str
    last_seen: str
    pages: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)
    source_files: list[str] = field(default_factory=list)
    user_agents: list[str] = field(default_factory=list)
    blocked_url: str | None = None
    destination: str | None = None
    policy: str | None = None
    max_age_ms: int | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.type, self.directive, self.blocked, self.disposition)

    def add(self, report: Report) -> None:
        """Count ``report`` (``report.count`` of them) into this group."""
        self.count += report.count
        first = report.first_seen or report.time
        self.first_seen = min(self.first_seen, first) if self.first_seen else first
        self.last_seen = max(self.last_seen, report.time)
        if self.directive == _OTHER:
            return  # the overflow row keeps counts only
        for kept, value in (
            (self.pages, report.page),
            (self.samples, report.sample),
            (self.source_files, report.source_file),
            (self.user_agents, report.user_agent),
        ):
            if value and value not in kept and len(kept) < _EXAMPLES:
                kept.append(value)
        self.blocked_url = report.blocked_url or self.blocked_url
        self.destination = report.destination or self.destination
        self.policy = report.policy or self.policy
        if report.age_ms is not None:
            self.max_age_ms = max(self.max_age_ms or 0, report.age_ms)


@dataclass
class StoredSummary:
    """One row of ``report_summaries``: an hour's summaries added up."""

    hour: str
    first_seen: str
    last_seen: str
    dropped: int = 0
    folded: int = 0
    noise: int = 0
    lost: int = 0


@dataclass
class Stored:
    """What a file holds: the groups, the hourly summaries and the timeline
    (``(hour, type, directive) -> reports``)."""

    groups: list[StoredGroup]
    summaries: list[StoredSummary]
    timeline: dict[tuple[str, str, str], int]


class SqliteSink:
    """Upserts grouped reports into a SQLite file; see the module docstring."""

    blocking = True

    def __init__(self, path: str, max_bytes: int) -> None:
        self.path = path
        self.max_bytes = max_bytes
        self.max_groups = max(16, max_bytes // _WORST_ROW)
        self._connection: sqlite3.Connection | None = None
        self._pid = 0

    @classmethod
    def open(cls, path: str, max_bytes: int, where: str) -> SqliteSink:
        """The sink for ``path``, once a write to it succeeded; else ConfigError.

        The connection of the check is closed again: each process (a forked
        worker too) opens its own when it first writes.
        """
        sink = cls(os.path.abspath(path), max_bytes)
        try:
            sink.write([])
        except (sqlite3.Error, OSError) as exc:
            raise ConfigError(
                f"{where}: {path!r} cannot be written ({exc}) (allowed: a SQLite "
                "file, or a new one, in a folder the app's user may write to)"
            ) from None
        finally:
            sink.close()
        return sink

    def write(self, records: Sequence[Out]) -> None:
        connection = self._connect()
        try:
            connection.execute("BEGIN IMMEDIATE")
            total = connection.execute("SELECT count(*) FROM report_groups")
            count = int(total.fetchone()[0])
            # A group new to the file, past the bound, is counted in the
            # overflow row of its type and disposition.
            stored: dict[tuple[str, str, str, str], tuple[str, str, str, str]] = {}
            for report in records:
                if isinstance(report, Summary):
                    _add_summary(connection, report)
                    continue
                key = _key(report)
                if key not in stored:
                    stored[key] = key
                    if not _exists(connection, key):
                        if count >= self.max_groups:
                            stored[key] = (key[0], _OTHER, _OTHER, key[3])
                        else:
                            count += 1
                _upsert(connection, stored[key], report)
                _add_hour(connection, stored[key], report)
            connection.execute("COMMIT")
        except BaseException:
            # A fresh connection next time: one opened while the file was
            # read-only stays read-only after the file is writable again.
            self.close()
            raise

    def flush(self, timeout: float) -> bool:
        return True  # every write is a committed transaction

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _connect(self) -> sqlite3.Connection:
        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        # A connection must not cross a fork: the child opens its own.
        connection = sqlite3.connect(
            self.path,
            timeout=BUSY_TIMEOUT,
            isolation_level=None,  # transactions are ours: BEGIN IMMEDIATE
            check_same_thread=False,  # the writer thread, then atexit
        )
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            page_size = int(connection.execute("PRAGMA page_size").fetchone()[0])
            connection.execute(
                f"PRAGMA max_page_count={max(8, self.max_bytes // page_size)}"
            )
            # The WAL is truncated to this after a checkpoint.
            limit = min(4 * 1024 * 1024, self.max_bytes // 4)
            connection.execute(f"PRAGMA journal_size_limit={limit}")
            if connection.execute("PRAGMA user_version").fetchone()[0] != _VERSION:
                # IF NOT EXISTS: two workers starting at once both get here.
                connection.executescript(_SCHEMA + f"PRAGMA user_version={_VERSION};")
        except BaseException:
            connection.close()
            raise
        self._connection, self._pid = connection, os.getpid()
        return connection


def read(path: str) -> Stored:
    """Everything in the file, read-only; ``sqlite3.Error`` if not one of ours."""
    uri = f"file:{_quote(os.path.abspath(path))}?mode=ro"
    connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT)
    try:
        groups = [
            _group(row)
            for row in connection.execute(f"SELECT {_ALL} FROM report_groups")
        ]
        summaries = [
            StoredSummary(*row)
            for row in connection.execute(
                "SELECT hour, first_seen, last_seen, dropped, folded, noise, lost "
                "FROM report_summaries ORDER BY hour"
            )
        ]
        timeline = {
            (hour, kind, directive): count
            for hour, kind, directive, count in connection.execute(
                "SELECT hour, type, directive, count FROM report_timeline"
            )
        }
    finally:
        connection.close()
    return Stored(groups, summaries, timeline)


def _key(report: Report) -> tuple[str, str, str, str]:
    return (
        report.type,
        report.directive or "",
        report.blocked or "",
        report.disposition,
    )


def _exists(connection: sqlite3.Connection, key: tuple[str, ...]) -> bool:
    found = connection.execute(f"SELECT 1 FROM report_groups WHERE {_WHERE}", key)
    return found.fetchone() is not None


_WHERE = "type = ? AND directive = ? AND blocked = ? AND disposition = ?"
_ALL = (
    "type, directive, blocked, disposition, count, first_seen, last_seen, pages, "
    "samples, source_files, user_agents, blocked_url, destination, policy, "
    "max_age_ms"
)


def _group(row: Sequence[Any]) -> StoredGroup:
    """A row of ``SELECT {_ALL}`` as a group."""
    return StoredGroup(
        type=row[0],
        directive=row[1],
        blocked=row[2],
        disposition=row[3],
        count=row[4],
        first_seen=row[5],
        last_seen=row[6],
        pages=_examples(row[7]),
        samples=_examples(row[8]),
        source_files=_examples(row[9]),
        user_agents=_examples(row[10]),
        blocked_url=row[11],
        destination=row[12],
        policy=row[13],
        max_age_ms=row[14],
    )


def _upsert(
    connection: sqlite3.Connection, key: tuple[str, str, str, str], report: Report
) -> None:
    row = connection.execute(
        f"SELECT {_ALL} FROM report_groups WHERE {_WHERE}", key
    ).fetchone()
    group = (
        StoredGroup(*key, count=0, first_seen="", last_seen="")
        if row is None
        else _group(row)
    )
    group.add(report)
    connection.execute(
        f"INSERT OR REPLACE INTO report_groups ({_ALL}) VALUES ({', '.join('?' * 15)})",
        (
            *key,
            group.count,
            group.first_seen,
            group.last_seen,
            json.dumps(group.pages),
            json.dumps(group.samples),
            json.dumps(group.source_files),
            json.dumps(group.user_agents),
            group.blocked_url,
            group.destination,
            group.policy,
            group.max_age_ms,
        ),
    )


def _add_hour(
    connection: sqlite3.Connection, key: tuple[str, str, str, str], report: Report
) -> None:
    connection.execute(
        "INSERT INTO report_timeline (hour, type, directive, count) "
        "VALUES (?, ?, ?, ?) ON CONFLICT (hour, type, directive) "
        "DO UPDATE SET count = count + excluded.count",
        (report.time[:13], key[0], key[1], report.count),
    )


def _add_summary(connection: sqlite3.Connection, summary: Summary) -> None:
    connection.execute(
        "INSERT INTO report_summaries (hour, first_seen, last_seen, dropped, "
        "folded, noise, lost) VALUES (?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (hour) DO UPDATE SET "
        "first_seen = min(first_seen, excluded.first_seen), "
        "last_seen = max(last_seen, excluded.last_seen), "
        "dropped = dropped + excluded.dropped, "
        "folded = folded + excluded.folded, "
        "noise = noise + excluded.noise, lost = lost + excluded.lost",
        (
            summary.time[:13],  # 2026-11-30T18
            summary.first_seen,
            summary.time,
            summary.dropped,
            summary.folded,
            summary.noise,
            summary.lost,
        ),
    )


def _examples(text: Any) -> list[str]:
    try:
        found = json.loads(text)
    except (TypeError, ValueError):
        return []
    return [v for v in found if isinstance(v, str)] if isinstance(found, list) else []


def _quote(path: str) -> str:
    # A SQLite URI: '?' and '#' in a file name would start its query.
    return path.replace("%", "%25").replace("?", "%3f").replace("#", "%23")
