"""``reports --html FILE``: one self-contained page of the grouped reports.

Violations over time per directive (an SVG bar chart drawn here, no script),
the top blocked origins, the pages and each group's suggested change. The page
loads nothing: its one ``<style>`` block is allowed by its hash in the page's
own ``Content-Security-Policy`` (``default-src 'none'``), so it passes
``preset: strict`` with that hash added, and every text from a report is
HTML-escaped.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from html import escape

from .advice import advise
from .violations import Summary

__all__ = ["STYLE", "html_page", "style_hash"]

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 62rem;
       padding: 0 1rem; color: #1d2430; background: #fbfbfd; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; border-bottom: 1px solid #d9dde5; }
.totals { display: flex; gap: 1rem; flex-wrap: wrap; margin: 1rem 0; }
.total { background: #fff; border: 1px solid #d9dde5; border-radius: 6px;
         padding: .5rem .9rem; }
.total b { display: block; font-size: 1.4rem; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid #eceef3;
         vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: .9em; overflow-wrap: anywhere; }
.warn { color: #9b1c1c; }
.chart { background: #fff; border: 1px solid #d9dde5; border-radius: 6px; }
.chart text { font: 11px system-ui, sans-serif; fill: #4a5261; }
.legend { display: flex; gap: 1rem; flex-wrap: wrap; font-size: .9em; }
.c0 { fill: #2f6fde; } .c1 { fill: #e0662f; } .c2 { fill: #2a9d6f; }
.c3 { fill: #b44bc4; } .c4 { fill: #c9a227; } .c5 { fill: #7a8391; }
.key { display: inline-block; width: .8em; height: .8em; margin-right: .3em; }
.k0 { background: #2f6fde; } .k1 { background: #e0662f; } .k2 { background: #2a9d6f; }
.k3 { background: #b44bc4; } .k4 { background: #c9a227; } .k5 { background: #7a8391; }
"""

_SERIES = 6  # five directives and "other"
_WIDTH, _HEIGHT, _BOTTOM = 900, 220, 30


def style_hash() -> str:
    """The CSP source that allows the page's ``<style>`` block."""
    digest = hashlib.sha256(STYLE.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def html_page(summary: Summary, report_only_key: str = "csp_report_only_header") -> str:
    """The page for ``summary``; see the module docstring."""
    policy = (
        f"default-src 'none'; style-src {style_hash()}; base-uri 'none'; "
        "form-action 'none'"
    )
    origins: Counter[str] = Counter()
    pages: Counter[str] = Counter()
    for group in summary.groups.values():
        origins[group.origin] += group.count
        for page in group.pages:
            pages[page] += 1  # a group keeps example pages, not counts per page
    noise = sum(summary.extensions.values())
    totals = [
        ("violations", summary.violations),
        ("groups", len(summary.groups)),
        ("from extensions and browser pages", noise + summary.receiver["noise"]),
        ("dropped by the rate limit", summary.receiver["dropped"]),
        ("bad lines", len(summary.bad)),
    ]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Security reports</title>",
        f"<style>{STYLE}</style>",
        "</head><body>",
        "<h1>Security reports</h1>",
        '<div class="totals">',
        *(
            f'<div class="total" id="total-{_slug(name)}"><b>{value}</b>'
            f"{escape(name)}</div>"
            for name, value in totals
        ),
        "</div>",
        "<h2>Violations over time, by directive</h2>",
        _chart(summary),
        "<h2>Top blocked origins</h2>",
        _table(("blocked", "reports"), origins.most_common(15)),
        "<h2>Pages</h2>",
        _table(("page", "groups seen on it"), pages.most_common(15)),
        "<h2>Suggested changes</h2>",
        _changes(summary, report_only_key),
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _chart(summary: Summary) -> str:
    if not summary.timeline:
        return "<p>No report carries a time: nothing to draw.</p>"
    buckets = _buckets(summary)
    directives = Counter[str]()
    for (_, directive), count in summary.timeline.items():
        directives[directive] += count
    top = [name for name, _ in directives.most_common(_SERIES - 1)]
    series = {name: index for index, name in enumerate(top)}
    if len(directives) > len(top):
        top.append("other")
    heights: dict[str, list[int]] = {b: [0] * len(top) for b in buckets.values()}
    for (minute, directive), count in summary.timeline.items():
        heights[buckets[minute]][series.get(directive, len(top) - 1)] += count
    labels = sorted(heights)
    highest = max(sum(column) for column in heights.values()) or 1
    step = _WIDTH / len(labels)
    bar = max(1.0, step * 0.7)
    scale = (_HEIGHT - _BOTTOM - 10) / highest
    shapes = []
    for index, label in enumerate(labels):
        x, y = index * step + (step - bar) / 2, float(_HEIGHT - _BOTTOM)
        for kind, count in enumerate(heights[label]):
            if count:
                height = count * scale
                y -= height
                shapes.append(
                    f'<rect class="c{kind}" x="{x:.1f}" y="{y:.1f}" '
                    f'width="{bar:.1f}" height="{height:.1f}">'
                    f"<title>{escape(f'{label} {top[kind]}')}: {count}</title>"
                    "</rect>"
                )
    every = max(1, len(labels) // 8)
    for index in range(0, len(labels), every):
        x = index * step + step / 2
        shapes.append(
            f'<text x="{x:.1f}" y="{_HEIGHT - 10}" text-anchor="middle">'
            f"{escape(labels[index])}</text>"
        )
    shapes.append(f'<text x="4" y="12">{highest}</text>')
    legend = "".join(
        f'<span><span class="key k{i}"></span>{escape(name)}</span>'
        for i, name in enumerate(top)
    )
    return (
        f'<svg class="chart" viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" '
        f'aria-label="violations over time">{"".join(shapes)}</svg>'
        f'<div class="legend">{legend}</div>'
    )


def _buckets(summary: Summary) -> dict[str, str]:
    """Each minute of the timeline -> its bar: minutes, hours or days, so that a
    span shows as a few dozen bars."""
    minutes = sorted({minute for minute, _ in summary.timeline})
    first, last = minutes[0], minutes[-1]
    if first[:10] != last[:10] and len({m[:10] for m in minutes}) > 2:
        width = 10  # days
    elif first[:13] != last[:13]:
        width = 13  # hours
    else:
        width = 16  # minutes
    return {minute: minute[:width] for minute in minutes}


def _table(heads: tuple[str, str], rows: list[tuple[str, int]]) -> str:
    if not rows:
        return "<p>None.</p>"
    body = "".join(
        f'<tr><td><code>{escape(name)}</code></td><td class="n">{count}</td></tr>'
        for name, count in rows
    )
    return (
        f'<table><tr><th>{heads[0]}</th><th class="n">{heads[1]}</th></tr>'
        f"{body}</table>"
    )


def _changes(summary: Summary, report_only_key: str) -> str:
    rows = []
    for group in summary.ordered():
        advice = advise(group, report_only_key)
        warning = ""
        if advice.warning:
            warning = f'<div class="warn">{escape(advice.warning)}</div>'

        only = " (report-only)" if group.disposition == "report" else ""
        kind = "" if group.type == "csp-violation" else f"{group.type} "
        rows.append(
            f"<tr><td><code>{escape(kind + group.directive)}</code>{only}</td>"
            f"<td><code>{escape(group.origin)}</code></td>"
            f'<td class="n">{group.count}</td>'
            f"<td>{escape(advice.change)}{warning}</td></tr>"
        )
    if not rows:
        return "<p>No violations.</p>"
    return (
        "<table><tr><th>directive</th><th>blocked</th>"
        '<th class="n">reports</th><th>change</th></tr>' + "".join(rows) + "</table>"
    )


def _slug(name: str) -> str:
    return name.split()[0]
