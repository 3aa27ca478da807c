"""``reports``: each advice checked against the policy that produced the reports,
the advice for the other report types, what the command prints escaped (and
``--json`` exact), ``--since`` and ``--html``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from secheaders_wsgi.cli import main
from secheaders_wsgi.rollout.advice import advise
from secheaders_wsgi.rollout.page import STYLE, style_hash
from secheaders_wsgi.rollout.violations import Group
from tests.integration.rollout_capture import FIXTURES

STRICT = "default-src 'none'; script-src 'nonce-abc' 'strict-dynamic' https: 'self'"


def group(directive: str, origin: str, **more: Any) -> Group:
    return Group(directive, origin, **more)


@pytest.mark.parametrize(
    ("given", "change", "directive", "source"),
    [
        pytest.param(
            group("script-src-elem", "https://cdn.example", policy=STRICT),
            "give the <script> a nonce (csp_nonce(environ) in the template), or load "
            "it from a script that has one: under 'strict-dynamic' browsers ignore "
            "https://cdn.example and every host in script-src, so adding it would "
            "change nothing",
            None,
            None,
            id="strict-dynamic-host",
        ),
        pytest.param(
            group(
                "script-src-elem",
                "https://site.example",
                pages=["https://site.example/"],
                policy=STRICT,
            ),
            "give the <script> a nonce (csp_nonce(environ) in the template), or load "
            "it from a script that has one: under 'strict-dynamic' browsers ignore "
            "'self' and every host in script-src, so adding it would change nothing",
            None,
            None,
            id="strict-dynamic-self",
        ),
        pytest.param(
            group("script-src-elem", "https://cdn.example"),
            "csp_header: script-src: add https://cdn.example",
            "script-src",
            "https://cdn.example",
            id="no-policy-known",
        ),
        pytest.param(
            group(
                "script-src-elem",
                "https://cdn.example",
                policy="script-src 'self'; script-src-elem 'self'",
            ),
            "csp_header: script-src-elem: add https://cdn.example",
            "script-src-elem",
            "https://cdn.example",
            id="the-directive-that-governs",
        ),
        pytest.param(
            group("img-src", "https://cdn.example", policy="default-src 'self' data:"),
            "csp_header: img-src: add https://cdn.example (the policy has no "
            "img-src: it falls back to default-src, so list default-src's sources "
            "too: 'self' data:)",
            "img-src",
            "https://cdn.example",
            id="default-src-fallback",
        ),
        pytest.param(
            group("img-src", "https://cdn.example", policy="default-src 'none'; img-src 'self'"),
            "csp_header: img-src: add https://cdn.example",
            "img-src",
            "https://cdn.example",
            id="own-directive",
        ),
        pytest.param(
            group("img-src", "https://cdn.example", disposition="report"),
            "csp_report_only_header: img-src: add https://cdn.example",
            "img-src",
            "https://cdn.example",
            id="report-only-header",
        ),
        pytest.param(
            group("frame-ancestors", "https://partner.example", disposition="report"),
            "csp_report_only_header: frame-ancestors: add https://partner.example",
            "frame-ancestors",
            "https://partner.example",
            id="report-only-frame-ancestors",
        ),
        pytest.param(
            group("script-src-elem", "inline", disposition="report"),
            "give the inline script a nonce (csp_nonce(environ) in the template) or "
            "add its hash (python -m secheaders_wsgi hashes TEMPLATE) to "
            "csp_report_only_header: script-src",
            None,
            None,
            id="report-only-inline",
        ),
    ],
)  # fmt: skip
def test_csp_advice_follows_the_policy_that_reported(
    given: Group, change: str, directive: str | None, source: str | None
) -> None:
    advice = advise(given)
    assert (advice.change, advice.directive, advice.source) == (
        change,
        directive,
        source,
    )


def test_under_csp_report_only_the_report_only_reports_name_csp_header() -> None:
    advice = advise(group("img-src", "data", disposition="report"), "csp_header")
    assert advice.change == "csp_header: img-src: add data:"


@pytest.mark.parametrize(
    ("given", "says", "key"),
    [
        pytest.param(
            group("corp", "https://cdn.example", type="coep", destination="image",
                  blocked_url="https://cdn.example/a.png",
                  pages=["https://site.example/"]),
            "the image https://cdn.example/a.png needs Cross-Origin-Resource-Policy: "
            "cross-origin from its server (https://cdn.example)",
            None,
            id="coep-other-origin",
        ),
        pytest.param(
            group("corp", "https://site.example", type="coep", destination="script",
                  blocked_url="https://site.example/app.js",
                  pages=["https://site.example/"]),
            "the script https://site.example/app.js comes from this site: send "
            "Cross-Origin-Resource-Policy with it",
            "cross_origin_resource_policy",
            id="coep-own-origin",
        ),
        pytest.param(
            group("navigation-to-response", "https://idp.example", type="coop"),
            "cross_origin_opener_policy: same-origin-allow-popups",
            "cross_origin_opener_policy",
            id="coop",
        ),
        pytest.param(
            group("script", "https://cdn.example", type="integrity-violation",
                  destination="script", blocked_url="https://cdn.example/lib.js"),
            'add integrity="sha384-..."',
            None,
            id="integrity",
        ),
        pytest.param(
            group("geolocation", "", type="permissions-policy-violation"),
            "permissions_policy: geolocation: add self",
            "permissions_policy",
            id="permissions-policy",
        ),
        pytest.param(
            group("require-trusted-types-for", "Element innerHTML"),
            "pass Element innerHTML a TrustedHTML made by a Trusted Types policy",
            None,
            id="trusted-types-html-sink",
        ),
        pytest.param(
            group("require-trusted-types-for", "HTMLScriptElement src"),
            "pass HTMLScriptElement src a TrustedScriptURL",
            None,
            id="trusted-types-url-sink",
        ),
    ],
)  # fmt: skip
def test_the_other_report_types_get_their_own_fix(
    given: Group, says: str, key: str | None
) -> None:
    advice = advise(given)
    assert says in advice.change
    assert advice.key == key
    assert "*" not in advice.change


def _record(**fields: Any) -> str:
    record = {
        "type": "csp-violation",
        "directive": "img-src",
        "blocked": "https://cdn.example",
        "blocked_url": "https://cdn.example/a.png",
        "page": "https://site.example/",
        "disposition": "enforce",
        "count": 1,
        "time": "2026-03-04T05:06:07.000Z",
    }
    return json.dumps({**record, **fields})


# An OSC 8 link, a screen clear, a bell and a forged line of advice.
HOSTILE = (
    "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\x1b[2J\r\n"
    "  change:  csp_header: script-src: add 'unsafe-inline'\u202e"
)


def test_every_field_printed_is_escaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "csp.log"
    log.write_text(
        _record(page=f"https://site.example/{HOSTILE}", sample=HOSTILE,
                blocked=f"https://x.example{HOSTILE}", directive=f"img-src{HOSTILE}")
        + "\n"
    )  # fmt: skip
    assert main(["reports", str(log)]) == 0
    out = capsys.readouterr().out
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e]", out)
    assert not any(
        line.startswith("  change:  csp_header: script-src")
        for line in out.splitlines()
    )
    assert "\\x1b]8;;https://evil.example\\x07" in out

    assert main(["reports", "--json", str(log)]) == 0
    [data] = json.loads(capsys.readouterr().out)["groups"]
    assert data["samples"] == [HOSTILE]  # --json stays exact
    assert data["pages"] == [f"https://site.example/{HOSTILE}"]


def test_since_leaves_out_older_and_undated_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "csp.log"
    log.write_text(
        "\n".join(
            [
                _record(time="2026-03-01T00:00:00.000Z"),
                _record(time="2026-03-05T00:00:00.000Z"),
                _record(time="2026-03-06T12:00:00.000Z", blocked="https://b.example"),
                _record(time=None),
            ]
        )
    )
    assert main(["reports", "--json", "--since", "2026-03-05", str(log)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["violations"] == 2 and data["undated"] == 1
    assert main(["reports", "--json", "--since", "2026-03-06 06:00", str(log)]) == 0
    assert json.loads(capsys.readouterr().out)["violations"] == 1
    with pytest.raises(SystemExit):
        main(["reports", "--since", "last tuesday", str(log)])
    assert "'last tuesday' is not a time" in capsys.readouterr().err


def test_the_config_says_which_key_a_report_only_policy_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "csp.log"
    log.write_text(_record(disposition="report") + "\n")
    config = tmp_path / "security.yaml"
    config.write_text("csp_report_only: true\ncsp_report_path: /_/csp-reports\n")
    assert main(["reports", str(log)]) == 0
    assert "change:  csp_report_only_header: img-src" in capsys.readouterr().out
    assert main(["reports", "--config", str(config), str(log)]) == 0
    assert "change:  csp_header: img-src" in capsys.readouterr().out


def test_summary_lines_are_added_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = {"type": "summary", "time": "2026-03-04T05:06:07.000Z",
               "first_seen": "2026-03-04T05:05:07.000Z", "dropped": 7, "folded": 30,
               "noise": 2, "lost": 0}  # fmt: skip
    log = tmp_path / "csp.log"
    log.write_text(_record() + "\n" + json.dumps(summary) + "\n" + json.dumps(summary))
    assert main(["reports", "--json", str(log)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["receiver"] == {"dropped": 14, "folded": 60, "noise": 4, "lost": 0}
    assert data["bad_lines"] == [] and data["skipped_lines"] == 0


def test_html_page_shows_the_counts_and_loads_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "report.html"
    log = tmp_path / "csp.log"
    log.write_text(_record(sample="</style><script>alert(1)</script>") + "\n")
    files = [str(FIXTURES / "receiver.log"), str(log)]
    assert main(["reports", "--html", str(page), *files]) == 0
    html = page.read_text()
    assert '<div class="total" id="total-violations"><b>19</b>' in html
    assert f"style-src {style_hash()}" in html
    assert html.count("<style>") == 1 and f"<style>{STYLE}</style>" in html
    assert "<script" not in html and "src=" not in html and "href=" not in html
    assert html.count("<rect ") >= 1  # the chart


def test_reports_reads_a_store_next_to_a_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    not_a_store = tmp_path / "broken.db"
    not_a_store.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    assert main(["reports", str(not_a_store)]) == 2
    assert f"error: {not_a_store}: not a reports store" in capsys.readouterr().err
