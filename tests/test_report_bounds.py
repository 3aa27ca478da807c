"""The per-process bounds of the receiver (reports/bounds.py): repeats folded in
a window, new reports rate-limited by one global bucket, noise counted, at most
one summary per interval, and every report accounted for."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from secheaders_wsgi.reports.bounds import Bounds, Out
from secheaders_wsgi.reports.record import Report, Summary, from_reporting_api


def report(host: str = "cdn.example", page: str = "/p", line: int = 1) -> Report:
    found = from_reporting_api(
        {
            "type": "csp-violation",
            "body": {
                "documentURL": f"https://site.example{page}",
                "effectiveDirective": "img-src",
                "blockedURL": f"https://{host}/a.png",
                "lineNumber": line,
            },
        },
        time="2026-01-01T00:00:00.000Z",
    )
    assert found is not None
    return found


def reports(outs: list[Out]) -> list[Report]:
    return [out for out in outs if isinstance(out, Report)]


def summaries(outs: list[Out]) -> list[Summary]:
    return [out for out in outs if isinstance(out, Summary)]


def test_a_repeat_within_the_window_is_counted_not_written() -> None:
    bounds = Bounds(rate=100, window=10, summary_every=60)
    assert reports(bounds.offer(report(line=1), 0.0)) == [report(line=1)]
    for second in range(1, 10):
        assert bounds.offer(report(line=second), float(second)) == []
    # The window closes: one record carries the nine repeats.
    [folded] = reports(bounds.offer(report(host="other.example"), 10.0))[:1]
    assert (folded.count, folded.blocked) == (9, "https://cdn.example")


def test_another_page_path_is_another_report() -> None:
    bounds = Bounds(rate=100, window=10, summary_every=60)
    assert len(reports(bounds.offer(report(page="/a"), 0.0))) == 1
    assert len(reports(bounds.offer(report(page="/b"), 0.0))) == 1


def test_the_bucket_is_global_so_varying_the_host_does_not_beat_it() -> None:
    bounds = Bounds(rate=5, window=10, summary_every=60)
    written = [
        len(reports(bounds.offer(report(host=f"h{i}.example"), 0.0))) for i in range(20)
    ]
    assert sum(written) == 5  # a burst of one second's worth
    later = reports(bounds.offer(report(host="late.example"), 1.0))
    assert len(later) == 1  # the bucket refills at the rate
    [summary] = summaries(bounds.drain(2.0))
    assert summary.dropped == 15


def test_at_most_one_summary_per_interval() -> None:
    bounds = Bounds(rate=1, window=0, summary_every=60)
    found = []
    for tick in range(300):  # five minutes, two new reports a second: one dropped
        for host in (f"a{tick}.example", f"b{tick}.example"):
            found += summaries(bounds.offer(report(host=host), float(tick)))
    assert 4 <= len(found) <= 5
    times = [s.time for s in found]
    assert times == sorted(set(times))


def test_noise_is_counted_in_the_summary_only() -> None:
    bounds = Bounds(rate=10, window=10, summary_every=60)
    outs = [out for _ in range(3) for out in bounds.noise(0.0)]
    assert reports(outs) == []
    [summary] = summaries([*outs, *bounds.drain(1.0)])
    assert summary.noise == 3


def test_memory_is_bounded_by_the_rate_whatever_is_sent() -> None:
    bounds = Bounds(rate=50, window=10, summary_every=60)
    for i in range(100_000):
        bounds.offer(report(host=f"h{i}.example"), i / 1000)  # 1,000 a second
    assert len(bounds._seen) <= 50 * 11


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 30),  # host
            st.integers(0, 3),  # page
            st.floats(0, 5, allow_nan=False),  # seconds since the previous
            st.booleans(),  # noise
        ),
        max_size=400,
    ),
    st.integers(1, 20),
    st.integers(0, 20),
)
def test_every_report_is_written_folded_dropped_or_counted_as_noise(
    sent: list[tuple[int, int, float, bool]], rate: int, window: int
) -> None:
    bounds = Bounds(rate=rate, window=window, summary_every=30)
    outs: list[Out] = []
    now = 0.0
    for host, page, gap, noise in sent:
        now += gap
        if noise:
            outs += bounds.noise(now)
        else:
            outs += bounds.offer(report(host=f"h{host}.example", page=f"/{page}"), now)
    outs += bounds.drain(now + 1)
    stored = sum(r.count for r in reports(outs))
    dropped = sum(s.dropped for s in summaries(outs))
    noise = sum(s.noise for s in summaries(outs))
    assert stored + dropped + noise == len(sent)
    assert noise == sum(1 for *_, n in sent if n)
