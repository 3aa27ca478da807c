"""Hands records to a sink without ever making a request wait on it.

A sink that does not block (the log, OpenTelemetry's SDK, which batches in its
own thread) is written at once. Any other (SQLite, a callable) gets its records
from one daemon thread per process: :meth:`Writer.put` only merges them into
a pending batch, in memory and bounded, and the thread writes the batch every
``every`` seconds. A failed write keeps the batch to try again, backing off; past
``max_pending`` groups what does not fit is given up and counted as lost, and
the failure is logged on ``secheaders.reports`` (at most once a minute).

A forked worker starts with an empty batch and no thread; it starts its own on
its first record. At exit, :meth:`Writer.close` writes what is pending within a
time bound.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace

from .bounds import Out
from .record import Report, Summary
from .sinks import Sink

__all__ = ["FAILURES", "Writer"]

#: Where a sink's failures are logged (the reports themselves go to the sink).
FAILURES = logging.getLogger("secheaders.reports")
_WARN_EVERY = 60.0
_MAX_BACKOFF = 30.0


class Writer:
    """Writes records to ``sink``, inline or from a thread; see the module."""

    def __init__(
        self,
        sink: Sink,
        on_lost: Callable[[int], None],
        *,
        every: float = 1.0,
        max_pending: int = 10_000,
    ) -> None:
        self.sink = sink
        self.on_lost = on_lost
        self.every = every
        self.max_pending = max_pending
        self._warned = -_WARN_EVERY
        self._reset()

    def _reset(self) -> None:
        """A fresh state, as a new process needs it (locks are not inherited)."""
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._writing = threading.Lock()
        self._pending: dict[tuple[str, ...], Out] = {}
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._stopping = False
        self._retry_at = 0.0
        self._backoff = self.every

    def after_fork(self) -> None:
        """In a forked child: forget the parent's batch, thread and locks."""
        self._reset()

    def put(self, records: list[Out]) -> None:
        """Write ``records`` now (a non-blocking sink) or add them to the batch."""
        if not records:
            return
        if not self.sink.blocking:
            self._write(records, keep=False)
            return
        with self._lock:
            lost = _merge(self._pending, records, self.max_pending)
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(
                    target=self._run, name="secheaders-reports", daemon=True
                )
                self._thread.start()
            if len(self._pending) >= 256:
                self._wake.notify()
        if lost:
            self.on_lost(lost)

    def flush(self, timeout: float = 5.0) -> bool:
        """Write the pending batch now; ``False`` if it could not be, in time."""
        if not self._writing.acquire(timeout=timeout):
            return False
        try:
            with self._lock:
                batch, self._pending = list(self._pending.values()), {}
            written = self._write(batch, keep=True) if batch else True
            return written and self.sink.flush(timeout)
        finally:
            self._writing.release()

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread, write what is pending, close the sink (at exit)."""
        with self._lock:
            self._stopping = True
            self._wake.notify()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._retry_at = 0.0
        self.flush(timeout)
        try:
            self.sink.close()
        except Exception:
            FAILURES.exception("report_sink: closing the sink failed")

    def _run(self) -> None:
        while True:
            with self._lock:
                if not self._stopping:
                    self._wake.wait(self.every)
                if self._stopping:
                    return
            if time.monotonic() >= self._retry_at:
                self.flush(timeout=self.every)

    def _write(self, batch: list[Out], keep: bool) -> bool:
        try:
            self.sink.write(batch)
        except Exception as exc:
            self._failed(batch, keep, exc)
            return False
        self._backoff = self.every
        return True

    def _failed(self, batch: list[Out], keep: bool, exc: Exception) -> None:
        lost = _count(batch)
        if keep:
            with self._lock:
                # Older records first, then what came in meanwhile.
                pending, self._pending = self._pending, {}
                lost = _merge(self._pending, batch, self.max_pending)
                lost += _merge(self._pending, pending.values(), self.max_pending)
            self._retry_at = time.monotonic() + self._backoff
            self._backoff = min(_MAX_BACKOFF, self._backoff * 2)
        if lost:
            self.on_lost(lost)
        now = time.monotonic()
        if now - self._warned >= _WARN_EVERY:
            self._warned = now
            kept = len(self._pending) if keep else 0
            FAILURES.warning(
                "report_sink: writing %d records failed (%s: %s); %d kept to try "
                "again, %d reports lost",
                len(batch),
                type(exc).__name__,
                exc,
                kept,
                lost,
            )


def _merge(
    pending: dict[tuple[str, ...], Out], records: Iterable[Out], limit: int
) -> int:
    """Add ``records`` into ``pending``, folding equal ones; returns the number
    of reports that did not fit."""
    lost = 0
    for record in records:
        if isinstance(record, Summary):
            key: tuple[str, ...] = ("summary",)
        else:
            key = record.key
        held = pending.get(key)
        if held is None:
            if len(pending) >= limit:
                lost += _count([record])
                continue
            pending[key] = record
        elif isinstance(held, Summary) and isinstance(record, Summary):
            pending[key] = replace(
                held,
                time=max(held.time, record.time),
                first_seen=min(held.first_seen, record.first_seen),
                dropped=held.dropped + record.dropped,
                folded=held.folded + record.folded,
                noise=held.noise + record.noise,
                lost=held.lost + record.lost,
            )
        elif isinstance(held, Report) and isinstance(record, Report):
            pending[key] = held.repeated(
                held.count + record.count,
                min(held.first_seen or held.time, record.first_seen or record.time),
                max(held.time, record.time),
            )
    return lost


def _count(records: Iterable[Out]) -> int:
    """The reports the records stand for (a summary stands for none)."""
    return sum(r.count for r in records if isinstance(r, Report))
