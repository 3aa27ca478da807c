"""Reports in the real browser (headless Chromium, as test_browser.py).

- Chromium's own reports of every type our headers can trigger (CSP enforced and
  report-only, COEP, Integrity-Policy, a Trusted Types violation) arrive,
  normalize and land in the SQLite sink, with the shapes the fixture
  ``tests/fixtures/reports/types.jsonl`` holds (``reports_capture.py``).
- The ``reports --html`` page renders under ``preset: strict`` (its style block
  allowed by its hash) and its own policy with no CSP violation, styled, and
  shows the counts of a known fixture.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from secheaders_wsgi import SecureHeaders
from secheaders_wsgi.cli import main
from secheaders_wsgi.config.presets import PRESETS
from secheaders_wsgi.rollout.page import style_hash
from tests.integration.browser_support import Tls, _missing
from tests.integration.reports_capture import EXPECTED, TYPES_FILE, capture, found
from tests.integration.rollout_capture import FIXTURES, REPORT_PATH

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from playwright.sync_api import Browser, Page


def _shapes(bodies: list[bytes]) -> dict[str, set[str]]:
    """Each report type's body field names."""
    shapes: dict[str, set[str]] = {}
    for raw in bodies:
        for entry in json.loads(raw):
            shapes.setdefault(entry["type"], set()).update(entry["body"])
    return shapes


def test_chromiums_reports_of_every_type_land_in_the_sqlite_sink(
    browser: Browser, tls: Tls | None, tmp_path: Path, capsys: Any
) -> None:
    if tls is None:
        _missing("no openssl to make a certificate for the HTTPS test server")
    stored, bodies = capture(browser, tls, tmp_path / "reports.db")
    assert found(stored) >= EXPECTED
    by_type = {(g.type, g.directive, g.disposition): g for g in stored.groups}
    sink = by_type[("csp-violation", "require-trusted-types-for", "enforce")]
    assert sink.blocked == "Element innerHTML"  # grouped by the sink
    coep = by_type[("coep", "corp", "enforce")]
    assert coep.destination == "image" and coep.blocked_url is not None
    assert coep.blocked_url.endswith("/coep.png")
    kept = TYPES_FILE.read_bytes().splitlines()
    assert _shapes(bodies) == _shapes(kept)

    assert main(["reports", str(tmp_path / "reports.db")]) == 0
    out = capsys.readouterr().out
    assert "needs Cross-Origin-Resource-Policy: cross-origin from its server" in out
    assert "pass Element innerHTML a TrustedHTML" in out
    assert 'add integrity="sha384-...' in out
    assert "change:  csp_report_only_header: script-src-elem" not in out  # inline
    assert "csp_report_only_header: script-src" in out


def test_the_html_page_passes_the_strict_preset_and_shows_the_counts(
    in_browser: Callable[[Callable[[Page], Any]], Any],
    serve_https: Callable[[WSGIApplication], str],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    page_file = tmp_path / "report.html"
    assert (
        main(["reports", "--html", str(page_file), str(FIXTURES / "receiver.log")]) == 0
    )
    html = page_file.read_bytes()

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [html]

    strict = dict(PRESETS["strict"]["csp_header"])
    config = {
        "preset": "strict",
        "csp_report_path": REPORT_PATH,
        # What `hashes report.html` prints for the page's one style block.
        "csp_header": {**strict, "style-src": ["'self'", style_hash()]},
    }
    origin = serve_https(SecureHeaders(app, config))

    def look(page: Page) -> dict[str, Any]:
        page.add_init_script(
            "window.__violations = [];"
            "document.addEventListener('securitypolicyviolation',"
            " e => window.__violations.push(e.violatedDirective));"
        )
        errors: list[str] = []
        page.on(
            "console", lambda m: errors.append(m.text) if m.type == "error" else None
        )
        page.goto(f"{origin}/")
        page.wait_for_load_state("load")
        page.wait_for_timeout(300)
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        return {
            "violations": page.evaluate("window.__violations"),
            "errors": errors,
            "total": page.text_content("#total-violations b"),
            "groups": page.text_content("#total-groups b"),
            "bars": page.locator("svg.chart rect").count(),
            "rows": page.locator("table").last.locator("tr").count(),
            "background": page.evaluate(
                "getComputedStyle(document.querySelector('.total')).backgroundColor"
            ),
        }

    with caplog.at_level(logging.WARNING, logger="secheaders.csp"):
        seen = in_browser(look)
    assert seen["violations"] == [] and seen["errors"] == []
    assert not [r for r in caplog.records if r.name == "secheaders.csp"]
    assert (seen["total"], seen["groups"]) == ("18", "7")
    assert seen["bars"] >= 1
    assert seen["rows"] == 1 + 7  # the head and one row per group
    assert seen["background"] == "rgb(255, 255, 255)"  # the hashed style applied
