"""The built-in report receiver behind ``csp_report_path``.

When ``csp_report_path`` is set, the middleware answers requests to that path
with :class:`ReportReceiver` and never passes them to the application. It takes
both formats browsers send:

- ``application/csp-report``: one ``{"csp-report": {...}}`` object, from the
  ``report-uri`` directive (Firefox, Safari, older Chrome);
- ``application/reports+json``: a JSON array of reports, from the Reporting API
  (``report-to`` and ``Reporting-Endpoints``: Chrome, Edge), of every type the
  site's headers can trigger: CSP (Trusted Types too), COEP, COOP,
  Permissions-Policy and Integrity-Policy violations.

Each report becomes one :class:`~.record.Report` with the same flat fields
whatever its type and format, goes through the per-process bounds
(:mod:`.bounds`: repeats folded, new reports rate-limited, noise counted) and
on to the sink ``report_sink`` names (:mod:`.sinks`).

The body comes from anyone on the internet: it is read up to a limit, parsed
with :func:`json.loads` only, and nothing in it can make the receiver raise.
"""

from __future__ import annotations

import atexit
import json
import os
import threading
import time
import weakref
from typing import TYPE_CHECKING

from ..policy import Header
from ..reply import Reply, text_reply
from .bounds import Bounds, Out
from .record import Report, from_report_uri, from_reporting_api, noise_scheme, now_iso
from .sinks import LogSink, Sink, build_sink
from .writer import Writer

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["ReportReceiver", "content_length_value", "flush"]

#: ``application/json`` is what some older browsers sent for report-uri.
CONTENT_TYPES = (
    "application/csp-report",
    "application/reports+json",
    "application/json",
)

# A browser batches a handful of reports; a body holding more is not one.
_MAX_REPORTS = 100


class ReportReceiver:
    """Takes the reports POSTed to ``csp_report_path``; in no adapter's shape.

    An adapter asks :meth:`wanted` how much of the body to read (or gets the
    answer at once), reads at most that much, and hands it to :meth:`accept`.
    Answers 204 to a report (even one that holds no report of a type we keep),
    400 to a body that is not a JSON report or a ``Content-Length`` that is not
    a plain decimal number, 405 to a method other than POST, 411 to a body
    without ``Content-Length`` on a stream the server does not end (a read would
    wait for bytes that never come, holding a worker), 413 to a body over
    ``max_bytes`` (without reading it) and 415 to another content type.

    Build it with :meth:`for_config`; ``ReportReceiver(max_bytes)`` logs with
    the default bounds.
    """

    def __init__(
        self,
        max_bytes: int,
        sink: Sink | None = None,
        *,
        rate: float = 50.0,
        window: float = 10.0,
        summary_every: float = 60.0,
    ) -> None:
        self.max_bytes = max_bytes
        self.sink: Sink = sink if sink is not None else LogSink()
        self._limits = (rate, window, summary_every)
        self._after_fork()
        self._writer = Writer(self.sink, self._lost)
        _LIVE.add(self)

    @classmethod
    def for_config(cls, config: Config) -> ReportReceiver:
        """The receiver ``config`` asks for: its sink (opened and checked now,
        so a file that cannot be written fails at start-up) and its bounds.

        Raises :class:`~secheaders_wsgi.ConfigError` when the sink cannot be
        used: the SQLite file cannot be written, the ``otel`` extra is missing,
        the callable does not import.
        """
        return cls(
            config.csp_report_max_bytes,
            build_sink(config.report_sink),
            rate=config.report_rate,
            window=config.report_window_seconds,
            summary_every=config.report_summary_seconds,
        )

    def _after_fork(self) -> None:
        """Per-process state: a forked worker counts and limits on its own."""
        self._lock = threading.Lock()
        self._bounds = Bounds(*self._limits)

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

    def accept(
        self,
        body: bytes | None,
        *,
        user_agent: str | None = None,
        now: float | None = None,
    ) -> Reply:
        """Take the reports in ``body``; ``None``: the client left mid-body.

        ``user_agent``: the request's ``User-Agent`` (a report-uri body names
        no browser); ``now``: the time it arrived (``time.time()``).
        """
        if body is None:
            return _answer("400 Bad Request")
        if len(body) > self.max_bytes:
            return _answer("413 Content Too Large")
        now = time.time() if now is None else now
        try:
            reports = _reports(json.loads(body), user_agent, now_iso(now))
        except (ValueError, RecursionError):
            # ValueError: not JSON, not UTF-8, or not a report.
            # RecursionError: "[[[[...", nested deeper than the parser goes.
            return _answer("400 Bad Request")
        outs: list[Out] = []
        with self._lock:
            for report in reports:
                if noise_scheme(report.blocked_url, report.source_file):
                    outs += self._bounds.noise(now)
                else:
                    outs += self._bounds.offer(report, now)
            if not reports:
                outs += self._bounds.due(now)
        self._writer.put(outs)
        return _answer("204 No Content")

    def flush(self, timeout: float = 5.0) -> bool:
        """Write everything held now: folded repeats, the summary, the batch.

        ``False`` when the sink failed or took longer than ``timeout`` seconds.
        """
        with self._lock:
            outs = self._bounds.drain(time.time())
        self._writer.put(outs)
        return self._writer.flush(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Flush and close the sink; at process exit this runs by itself."""
        with self._lock:
            outs = self._bounds.drain(time.time())
        self._writer.put(outs)
        self._writer.close(timeout)

    def _lost(self, count: int) -> None:
        with self._lock:
            self._bounds.lost(count, time.time())


def flush(timeout: float = 5.0) -> bool:
    """Flush every receiver of this process (:meth:`ReportReceiver.flush`).

    For tests and hooks that read the sink right after posting reports; the
    receivers flush on their own every second and at exit.
    """
    return all([receiver.flush(timeout) for receiver in list(_LIVE)])


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


def _reports(data: object, user_agent: str | None, now: str) -> list[Report]:
    """The reports in a parsed body; ValueError if it is not a report."""
    if isinstance(data, dict):
        body = data.get("csp-report")
        if not isinstance(body, dict):
            raise ValueError("not a CSP report")
        return [from_report_uri(body, user_agent=user_agent, time=now)]
    if not isinstance(data, list):
        raise ValueError("not a report")
    reports: list[Report] = []
    for entry in data:
        if not isinstance(entry, dict):
            continue  # not a report at all
        # None: a type we do not keep (deprecation, intervention).
        report = from_reporting_api(entry, time=now)
        if report is not None:
            reports.append(report)
            if len(reports) == _MAX_REPORTS:
                break
    return reports


def _answer(status: str, extra: tuple[Header, ...] = ()) -> Reply:
    if status.startswith("204"):  # RFC 9110 section 15.3.5: no content, no length
        return Reply(status, (("Cache-Control", "no-store"), *extra))
    return text_reply(
        status, f"{status}\n".encode("latin-1"), (("Cache-Control", "no-store"), *extra)
    )


# Every live receiver, so that a process flushes them all at exit and a forked
# worker starts each with state of its own.
_LIVE: weakref.WeakSet[ReportReceiver] = weakref.WeakSet()


def _close_all() -> None:
    for receiver in list(_LIVE):
        receiver.close()


def _after_fork_all() -> None:
    for receiver in list(_LIVE):
        receiver._after_fork()
        receiver._writer.after_fork()


atexit.register(_close_all)
os.register_at_fork(after_in_child=_after_fork_all)
