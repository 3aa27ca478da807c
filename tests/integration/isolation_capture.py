"""Capture the COEP, COOP and Trusted Types report-only reports headless Chromium
sends to our receiver.

One site served through :class:`SecureHeaders` over HTTPS, one ``paths``
rule per trial, every report sent to the built-in receiver
(``csp_report_path``), which stores them normalized in a SQLite file
(``report_sink: {sqlite: ...}``):

- ``/coep/``: ``cross_origin_embedder_policy_report_only: require-corp``; the
  page loads an image from a second origin that sends no
  Cross-Origin-Resource-Policy, so Chromium reports a ``coep`` report.
- ``/coop/``: ``cross_origin_opener_policy_report_only: same-origin``; a page
  of the second origin opens it in a popup, which same-origin would cut off
  from its opener, so Chromium reports a ``coop`` report.
- ``/tt/``: ``csp_report_only_header: {require-trusted-types-for:
  "'script'"}``; the page assigns a string to ``innerHTML``, so Chromium
  reports a ``csp-violation`` for the Trusted Types sink.

The raw POSTs are also copied on their way to the receiver
(:class:`~tests.integration.rollout_capture.Recorder` passes them on
untouched): ``python -m tests.integration.isolation_capture`` rewrites one body
of each kind in ``tests/fixtures/reports/``, and
``test_isolation_reports_browser.py`` runs the same capture live, reads the
store, and checks the raw shape against those files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from secheaders_wsgi import SecureHeaders
from secheaders_wsgi.reports import flush
from secheaders_wsgi.reports.sqlite import Stored, StoredGroup, read
from tests.integration.browser_support import Tls, https_server, launch, make_tls
from tests.integration.rollout_capture import FIXTURES, PNG, REPORT_PATH, Recorder

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from playwright.sync_api import Browser


def config(db: Path) -> dict[str, Any]:
    return {
        "csp_header": False,  # no CSP reports but the Trusted Types trial's
        "csp_report_path": REPORT_PATH,
        "report_sink": {"sqlite": str(db)},
        "paths": [
            {
                "prefix": "/coep/",
                "cross_origin_embedder_policy_report_only": "require-corp",
            },
            {
                "prefix": "/coop/",
                "cross_origin_opener_policy_report_only": "same-origin",
            },
            {
                "prefix": "/tt/",
                "csp_report_only_header": {"require-trusted-types-for": "'script'"},
            },
        ],
    }


#: What the store must hold, one group of each kind: (type, directive,
#: disposition), as the receiver normalizes them.
STORED = {
    "coep": ("coep", "corp", "report"),
    "coop": ("coop", "navigation-to-response", "report"),
    "trusted-types": ("csp-violation", "require-trusted-types-for", "report"),
}

#: The fixture file of each kind, and what picks its report out of a batch.
KINDS = {
    "coep": ("coep-report-only.jsonl", lambda r: r["type"] == "coep"),
    "coop": ("coop-report-only.jsonl", lambda r: r["type"] == "coop"),
    "trusted-types": (
        "trusted-types.jsonl",
        lambda r: (
            r["type"] == "csp-violation"
            and r["body"].get("effectiveDirective") == "require-trusted-types-for"
        ),
    ),
}


def _html(body: str) -> list[bytes]:
    return [f"<!doctype html><html><body>{body}</body></html>".encode()]


def site(other: str) -> WSGIApplication:
    """The three trial pages; ``other`` is the second origin."""
    pages = {
        "/coep/": f'<img src="{other}/a.png" alt="no CORP">',
        "/coop/": "<p>opened in a popup</p>",
        "/tt/": '<div id="d"></div><script>'
        'document.getElementById("d").innerHTML = "<b>sink</b>";</script>',
    }

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return _html(pages.get(environ.get("PATH_INFO", ""), "not here"))

    return app


def second_origin(
    environ: WSGIEnvironment, start_response: StartResponse
) -> list[bytes]:
    """The other origin: a PNG without CORP, and a page that opens a popup."""
    query = environ.get("QUERY_STRING", "")
    if environ.get("PATH_INFO") == "/opener" and query.startswith("url="):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return _html(f"<script>window.open({json.dumps(query[4:])});</script>")
    start_response("200 OK", [("Content-Type", "image/png")])
    return [PNG]


def kind_of(group: StoredGroup) -> tuple[str, str, str]:
    """A stored group as :data:`STORED` names it."""
    return (group.type, group.directive, group.disposition)


def stored_kinds(stored: Stored) -> set[tuple[str, str, str]]:
    return {kind_of(group) for group in stored.groups}


def capture(
    browser: Browser, tls: Tls, db: Path
) -> tuple[Stored, dict[str, list[dict[str, Any]]]]:
    """Load each trial page; what the store holds once it has each kind (at
    most ~10 s), and the reports of each kind as Chromium POSTed them."""
    with https_server(second_origin, tls) as other:
        recorder = Recorder(SecureHeaders(site(other), config(db)))
        with https_server(recorder, tls) as origin:
            context = browser.new_context()
            try:
                page = context.new_page()
                page.goto(f"{origin}/coep/")
                page.goto(f"{origin}/tt/")
                page.goto(f"{other}/opener?url={origin}/coop/")
                for _ in range(100):
                    flush()  # the receiver writes from a thread of its own
                    if stored_kinds(read(str(db))) >= set(STORED.values()):
                        break
                    page.wait_for_timeout(100)
            finally:
                context.close()
    flush()
    return read(str(db)), _by_kind(recorder.bodies)


def _reports(bodies: list[tuple[str, bytes]]) -> Iterator[dict[str, Any]]:
    for content_type, body in bodies:
        if content_type.startswith("application/reports+json"):
            yield from json.loads(body)


def _by_kind(bodies: list[tuple[str, bytes]]) -> dict[str, list[dict[str, Any]]]:
    reports = list(_reports(bodies))
    return {
        kind: [report for report in reports if wanted(report)]
        for kind, (_, wanted) in KINDS.items()
    }


def write_fixtures(folder: Path, found: dict[str, list[dict[str, Any]]]) -> None:
    """One report of each kind, as the one-report batch Chromium would POST."""
    for kind, (name, _) in KINDS.items():
        line = json.dumps([found[kind][0]], separators=(",", ":"))
        (folder / name).write_text(line + "\n", encoding="utf-8")


def main() -> None:  # pragma: no cover - run by hand to refresh the fixtures
    import tempfile

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        tls = make_tls(Path(tmp))
        assert tls is not None, "openssl is needed for the HTTPS servers"
        browser = launch(playwright, tls)
        try:
            _, found = capture(browser, tls, Path(tmp) / "reports.db")
        finally:
            browser.close()
    missing = [kind for kind, reports in found.items() if not reports]
    assert not missing, f"Chromium sent no {missing} report"
    write_fixtures(FIXTURES, found)
    print({kind: len(reports) for kind, reports in found.items()}, "->", FIXTURES)


if __name__ == "__main__":
    main()
