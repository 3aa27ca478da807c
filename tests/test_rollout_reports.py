"""``reports``: Chromium's real reports grouped, the advice, noise and bad lines.

The fixtures under ``tests/fixtures/reports/`` were captured from headless
Chromium against the receiver (see their README); test_rollout_browser.py
re-captures them live.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secheaders_wsgi.cli import main
from secheaders_wsgi.rollout.advice import advise
from secheaders_wsgi.rollout.violations import Group, Summary, origin_of, summarize
from tests.integration.rollout_capture import EXPECTED, FIXTURES

OTHER = json.loads((FIXTURES / "capture.json").read_text())["other_origin"]
PAGE = json.loads((FIXTURES / "capture.json").read_text())["origin"]


def expected(times: int) -> dict[tuple[str, str], int]:
    """EXPECTED with the fixture's second origin, each count ``times`` over."""
    return {
        (directive, OTHER if origin == "OTHER" else origin): count * times
        for (directive, origin), count in EXPECTED.items()
    }


def counts(*names: str) -> dict[tuple[str, str], int]:
    summary = summarize((n, (FIXTURES / n).read_text()) for n in names)
    assert summary.bad == [] and summary.skipped == 0
    return by_origin(summary)


def by_origin(summary: Summary) -> dict[tuple[str, str], int]:
    """``(directive, origin) -> count`` of enforced CSP groups (all of them)."""
    assert all(t == "csp-violation" and d == "enforce" for t, _, _, d in summary.groups)
    return {(g.directive, g.origin): g.count for g in summary.groups.values()}


@pytest.mark.parametrize(
    ("names", "times"),
    [
        pytest.param(("receiver.log",), 2, id="receiver-log-both-loads"),
        pytest.param(("reporting-api.jsonl",), 1, id="raw-reporting-api"),
        pytest.param(("csp-report.jsonl",), 1, id="raw-legacy-csp-report"),
        pytest.param(("reporting-api.jsonl", "csp-report.jsonl"), 2, id="raw-both"),
    ],
)
def test_chromiums_reports_are_grouped_by_directive_and_origin(
    names: tuple[str, ...], times: int
) -> None:
    assert counts(*names) == expected(times)


def test_the_receivers_log_prefix_gives_first_and_last_seen() -> None:
    summary = summarize([("r", (FIXTURES / "receiver.log").read_text())])
    group = summary.group("csp-violation", "img-src", OTHER, "enforce")
    assert group.first_seen is not None and group.last_seen is not None
    assert group.first_seen < group.last_seen  # two page loads, one after the other
    assert group.first_seen.startswith("20") and "T" in group.first_seen
    assert sorted(group.pages) == [f"{PAGE}/", f"{PAGE}/legacy"]


def test_raw_bodies_carry_no_time_so_none_is_shown() -> None:
    summary = summarize([("r", (FIXTURES / "reporting-api.jsonl").read_text())])
    assert {g.first_seen for g in summary.groups.values()} == {None}


def test_samples_come_from_the_reports() -> None:
    summary = summarize([("r", (FIXTURES / "receiver.log").read_text())])
    assert summary.group(
        "csp-violation", "script-src-elem", "inline", "enforce"
    ).samples == [
        'document.title = "inline one";',
        'document.title = "inline two";',
    ]


def _line(**fields: Any) -> str:
    record = {"effective_directive": "script-src-elem", "blocked_uri": "inline"}
    return json.dumps({**record, **fields})


def test_browser_extension_reports_are_counted_apart_and_never_suggested() -> None:
    text = "\n".join(
        [
            _line(blocked_uri="chrome-extension://abcdef/inject.js"),
            _line(source_file="moz-extension://1234-5678/content.js"),
            _line(blocked_uri="safari-web-extension://X/a.js"),
            _line(effective_directive="img-src", blocked_uri="https://cdn.example/a"),
        ]
    )
    summary = summarize([("log", text)])
    assert summary.extensions == {
        "chrome-extension": 1,
        "moz-extension": 1,
        "safari-web-extension": 1,
    }
    assert list(by_origin(summary)) == [("img-src", "https://cdn.example")]


# Lines a log file holds beside the reports: a server's start-up lines, other
# JSON. Counted once, never listed.
OTHER_LINES = [
    "[2026-01-01 00:00:00 +0000] [7] [INFO] Starting gunicorn 23.0.0",
    "not json at all",
    "{",
    "[1, 2]",
    '{"some": "other json"}',
    "\x00\udcff binary",
]
# Reports that cannot be used: listed with their line numbers.
BAD = [
    '2026-01-01 00:00:00 WARNING app: {"effective_directive": 3, "blocked_uri": ""}',
    '[{"type": "csp-violation", "body": "not an object"}]',
]


def test_lines_without_a_report_are_counted_and_bad_reports_listed() -> None:
    text = "\n".join([_line(), *OTHER_LINES, *BAD, "", _line()])
    summary = summarize([("mixed.log", text)])
    assert summary.violations == 2
    assert summary.skipped == len(OTHER_LINES)
    first_bad = 2 + len(OTHER_LINES)
    assert summary.bad == [
        ("mixed.log", first_bad, "a report without a directive"),
        ("mixed.log", first_bad + 1, "a csp-violation without a body"),
    ]


@given(st.text(max_size=300))
def test_any_text_is_read_without_raising(text: str) -> None:
    summary = summarize([("fuzz", text)])
    assert summary.entries == (
        summary.violations
        + len(summary.bad)
        + summary.skipped
        + sum(summary.extensions.values())
    )


@pytest.mark.parametrize(
    ("line", "seen"),
    [
        pytest.param(
            "2026-03-04 05:06:07,890 WARNING secheaders.csp: " + _line(),
            "2026-03-04T05:06:07.890",
            id="logging-asctime",
        ),
        pytest.param(
            "[2026-03-04T05:06:07Z] [pid 7] " + _line(),
            "2026-03-04T05:06:07Z",
            id="iso",
        ),
        pytest.param("Mar  4 05:06:07 web1 app[7]: " + _line(), None, id="syslog"),
        pytest.param(_line(), None, id="no-prefix"),
    ],
)
def test_a_log_prefix_is_skipped_and_its_time_kept(line: str, seen: str | None) -> None:
    summary = summarize([("log", line)])
    assert summary.bad == []
    [group] = summary.groups.values()
    assert (group.directive, group.first_seen) == ("script-src-elem", seen)


def test_one_reporting_api_entry_per_line_and_a_pretty_printed_body() -> None:
    entry = {"type": "csp-violation", "body": {"effectiveDirective": "font-src",
             "blockedURL": "https://fonts.example/a.woff2"}}  # fmt: skip
    legacy = {"csp-report": {"violated-directive": "img-src 'self'",
              "blocked-uri": "data"}}  # fmt: skip
    summary = summarize(
        [("a", json.dumps(entry)), ("b", json.dumps([entry, legacy], indent=2))]
    )
    # The pretty-printed list is one Reporting API body: its legacy member is
    # not a Reporting API entry and is skipped.
    assert by_origin(summary) == {("font-src", "https://fonts.example"): 2}
    # CSP2 browsers send violated-directive only: the receiver's normalize()
    # takes the directive from it.
    legacy_only = summarize([("c", json.dumps(legacy, indent=2))])
    assert list(by_origin(legacy_only)) == [("img-src", "data")]


@pytest.mark.parametrize(
    ("blocked", "origin"),
    [
        ("https://cdn.example/lib.js?v=1", "https://cdn.example"),
        ("https://cdn.example:8443/x", "https://cdn.example:8443"),
        ("HTTP://CDN.Example/x", "http://cdn.example"),
        ("wss://live.example/socket", "wss://live.example"),
        ("https://[::1]:8080/x", "https://[::1]:8080"),
        ("data:image/png;base64,AAAA", "data"),
        ("blob:https://site.example/uuid", "blob"),
        ("inline", "inline"),
        ("eval", "eval"),
        ("wasm-eval", "wasm-eval"),
        ("trusted-types-policy", "trusted-types-policy"),
        ("https://bad:port/", "https://bad"),
    ],
)
def test_origin_of(blocked: str, origin: str) -> None:
    assert origin_of(blocked) == origin


def _group(directive: str, origin: str, **more: Any) -> Group:
    return Group(directive, origin, **more)


@pytest.mark.parametrize(
    ("group", "directive", "source", "warns"),
    [
        pytest.param(_group("img-src", OTHER), "img-src", OTHER, None, id="img-origin"),
        pytest.param(
            _group("script-src-elem", "https://cdn.example"),
            "script-src",
            "https://cdn.example",
            None,
            id="script-elem-changes-script-src",
        ),
        pytest.param(
            _group("img-src", "https://a.example", pages=["https://a.example/p"]),
            "img-src",
            "'self'",
            None,
            id="own-origin-is-self",
        ),
        pytest.param(
            _group("img-src", "data"), "img-src", "data:", None, id="img-data"
        ),
        pytest.param(
            _group("script-src-elem", "inline"),
            None,
            None,
            "'unsafe-inline'",
            id="inline",
        ),
        pytest.param(
            _group("script-src-attr", "inline"),
            None,
            None,
            "'unsafe-inline'",
            id="handler",
        ),
        pytest.param(
            _group("script-src", "eval"), None, None, "'unsafe-eval'", id="eval"
        ),
        pytest.param(
            _group("script-src-elem", "data"),
            None,
            None,
            "data: in script-src",
            id="data-script",
        ),
        pytest.param(_group("style-src-elem", "inline"), None, None, None, id="style"),
        pytest.param(
            _group("script-src", "wasm-eval"),
            "script-src",
            "'wasm-unsafe-eval'",
            None,
            id="wasm",
        ),
        pytest.param(
            _group("trusted-types", "trusted-types-policy", samples=["dompurify"]),
            "trusted-types",
            "dompurify",
            None,
            id="trusted-types",
        ),
        pytest.param(
            _group("frame-ancestors", "https://partner.example"),
            "frame-ancestors",
            "https://partner.example",
            None,
            id="frame-ancestors",
        ),
    ],
)
def test_advice(
    group: Group, directive: str | None, source: str | None, warns: str | None
) -> None:
    advice = advise(group)
    assert (advice.directive, advice.source) == (directive, source)
    if warns is None:
        assert advice.warning is None
    else:
        assert advice.warning is not None and warns in advice.warning
        assert advice.warning.startswith("WARNING")
    assert "*" not in advice.change  # never a wildcard


def test_inline_script_advice_is_a_nonce_or_a_hash_not_unsafe_inline() -> None:
    advice = advise(_group("script-src-elem", "inline"))
    assert "nonce" in advice.change and "hashes" in advice.change
    assert "add 'unsafe-inline'" not in advice.change


def test_cli_text_shows_each_group_its_change_and_the_warnings(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["reports", str(FIXTURES / "receiver.log")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "violations: 18 in 7 groups; from browser extensions and pages: 0"
    )
    assert f"img-src  {OTHER}  (4 reports, first 20" in out
    assert f"change:  csp_header: img-src: add {OTHER}" in out
    assert out.count("WARNING: 'unsafe-inline'") == 2  # inline script, handler
    assert out.count("WARNING: 'unsafe-eval'") == 1


def test_cli_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    noisy = tmp_path / "noisy.log"
    noisy.write_text(_line(blocked_uri="chrome-extension://x/y.js") + "\nnope\n")
    files = [str(FIXTURES / "csp-report.jsonl"), str(noisy)]
    assert main(["reports", "--json", *files]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["violations"] == 9
    assert data["extensions"] == {"count": 1, "by_scheme": {"chrome-extension": 1}}
    assert data["bad_lines"] == []
    assert data["skipped_lines"] == 1
    img = next(g for g in data["groups"] if g["origin"] == OTHER)
    assert img["suggestion"] == {
        "change": f"csp_header: img-src: add {OTHER}",
        "key": "csp_header",
        "directive": "img-src",
        "add": OTHER,
    }
    assert img["count"] == 2 and img["warning"] is None


def test_cli_missing_file_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["reports", "/nonexistent/csp.log"]) == 2
    assert "error: /nonexistent/csp.log:" in capsys.readouterr().err


def test_cli_reads_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(_line() + "\nbad\n"))
    assert main(["reports", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "violations: 1 in 1 groups; from browser extensions and pages: 0"
    )
    assert "lines without a report (skipped): 1" in out
