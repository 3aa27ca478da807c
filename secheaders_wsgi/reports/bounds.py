"""What keeps an unauthenticated report endpoint from writing without bound.

Anyone can POST to the receiver, so per process:

- **repeats are folded**: a report the same as one seen in the last ``window``
  seconds (same type, directive, blocked origin, page path and disposition)
  is counted, not written; when its window closes one record carries the
  count;
- **new reports are rate-limited** by one global token bucket (``rate`` per
  second, bursts of ``rate``): a limit per host or per page would be beaten by
  varying the host. What the bucket refuses is counted as ``dropped``;
- **noise** (browser extensions, the browser's own pages) is only counted;
- at most every ``summary_every`` seconds one :class:`~.record.Summary` says
  what was dropped, folded, counted as noise or lost.

So the writes per second are bounded by ``rate`` (plus one record per closed
window, whose number the bucket bounds too) and the memory by the reports one
window can hold, ``rate * (window + 1)``. :class:`Bounds` is pure: the caller
passes the time and holds the lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from .record import Report, Summary, now_iso

__all__ = ["Bounds", "Out"]

Out = Report | Summary


@dataclass
class _Seen:
    report: Report
    opened: float
    repeats: int = 0
    first: str = ""
    last: str = ""


class Bounds:
    """Fold, rate-limit and count reports; returns what to write, when.

    >>> bounds = Bounds(rate=1, window=10, summary_every=60)
    >>> r = Report("coep", "corp", "https://b.example", None, None, "enforce",
    ...            None, None, None, None, None, None, None, None, None,
    ...            "reports+json", "t")
    >>> [len(bounds.offer(r, now)) for now in (0.0, 1.0, 2.0)]  # 1 new, 2 repeats
    [1, 0, 0]
    >>> [out.count for out in bounds.drain(3.0) if isinstance(out, Report)]
    [2]
    """

    def __init__(self, rate: float, window: float, summary_every: float) -> None:
        self.rate = rate
        self.window = window
        self.summary_every = summary_every
        self._tokens = float(rate)
        self._refilled: float | None = None
        self._seen: dict[tuple[str, ...], _Seen] = {}
        self._dropped = self._folded = self._noise = self._lost = 0
        self._since: float | None = None  # the first count of the next summary
        self._summarized: float | None = None

    def offer(self, report: Report, now: float) -> list[Out]:
        """Take one report: what is due to be written now (maybe nothing)."""
        out = self._expire(now)
        seen = self._seen.get(report.key)
        if seen is not None:
            seen.repeats += 1
            seen.first = seen.first or report.time
            seen.last = report.time
            self._folded += 1
            self._count(now)
        elif self._take(now):
            self._seen[report.key] = _Seen(report, now)
            out.append(report)
        else:
            self._dropped += 1
            self._count(now)
        out.extend(self._summary(now, due=True))
        return out

    def noise(self, now: float) -> list[Out]:
        """Count one report from an extension or the browser's own pages."""
        self._noise += 1
        self._count(now)
        return [*self._expire(now), *self._summary(now, due=True)]

    def lost(self, count: int, now: float) -> None:
        """Count reports a sink failed to take, for the next summary."""
        self._lost += count
        self._count(now)

    def due(self, now: float) -> list[Out]:
        """The closed windows' repeats and a summary, if either is due."""
        return [*self._expire(now), *self._summary(now, due=True)]

    def drain(self, now: float) -> list[Out]:
        """Everything still held: every window's repeats and the last summary."""
        out = self._expire(now, everything=True)
        out.extend(self._summary(now, due=False))
        return out

    def _take(self, now: float) -> bool:
        if self._refilled is not None:
            elapsed = max(0.0, now - self._refilled)
            self._tokens = min(float(self.rate), self._tokens + elapsed * self.rate)
        self._refilled = now
        if self._tokens >= 1:
            self._tokens -= 1
            return True
        return False

    def _expire(self, now: float, everything: bool = False) -> list[Out]:
        out: list[Out] = []
        # Insertion order is opening order, so the expired ones come first.
        while self._seen:
            key, seen = next(iter(self._seen.items()))
            if not everything and now - seen.opened < self.window:
                break
            del self._seen[key]
            if seen.repeats:
                out.append(seen.report.repeated(seen.repeats, seen.first, seen.last))
        return out

    def _count(self, now: float) -> None:
        if self._since is None:
            self._since = now

    def _summary(self, now: float, due: bool) -> list[Out]:
        if self._since is None:
            return []
        # The first summary comes summary_every after the first count.
        last = self._since if self._summarized is None else self._summarized
        if due and now - last < self.summary_every:
            return []
        summary = Summary(
            time=now_iso(now),
            first_seen=now_iso(self._since),
            dropped=self._dropped,
            folded=self._folded,
            noise=self._noise,
            lost=self._lost,
        )
        self._dropped = self._folded = self._noise = self._lost = 0
        self._since = None
        self._summarized = now
        return [summary]
