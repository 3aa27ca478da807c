"""Capture Chromium's own reports of every type our headers can trigger.

One site, served over HTTPS through :class:`SecureHeaders` with the receiver
(``csp_report_path``) and the SQLite sink, and a second origin for images:

- ``/``: the middleware's enforced CSP (``img-src 'self'``: the second origin's
  image is blocked), its ``csp_report_only_header`` (no inline script: the
  page's inline script is reported) and ``integrity_policy_report_only``
  (``/app.js`` without integrity metadata is reported);
- ``/coep``: the app sets ``Cross-Origin-Embedder-Policy: require-corp`` with
  ``report-to`` and a CSP that allows any image (an app-set header wins over
  ours), and an image of the second origin without
  ``Cross-Origin-Resource-Policy`` is blocked and reported;
- ``/tt``: the app sets a Trusted Types policy, and a string given to
  ``innerHTML`` is blocked and reported.

``python -m tests.integration.reports_capture`` rewrites
``tests/fixtures/reports/types.jsonl`` (each Reporting API body as POSTed, one a
line); ``tests/integration/test_reports_browser.py`` runs the same capture live.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from secheaders_wsgi import SecureHeaders
from secheaders_wsgi.reports import flush
from secheaders_wsgi.reports.sqlite import Stored, read
from tests.integration.browser_support import Tls, https_server, launch, make_tls
from tests.integration.rollout_capture import FIXTURES, PNG, REPORT_PATH

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from playwright.sync_api import Browser

TYPES_FILE = FIXTURES / "types.jsonl"

#: What the capture must find in the store: (type, directive, disposition).
EXPECTED = {
    ("csp-violation", "img-src", "enforce"),
    ("csp-violation", "script-src-elem", "report"),
    ("integrity-violation", "script", "report"),
    ("coep", "corp", "enforce"),
    ("csp-violation", "require-trusted-types-for", "enforce"),
}


def config(db: Path) -> dict[str, object]:
    return {
        "csp_report_path": REPORT_PATH,
        "report_sink": {"sqlite": str(db)},
        "csp_unsafe_inline": False,
        "csp_unsafe_eval": False,
        "csp_header": {
            "default-src": ["'self'"],
            "img-src": ["'self'"],
            "script-src": ["'self'", "'unsafe-inline'"],
        },
        "csp_report_only_header": {"default-src": ["'self'"]},
        "integrity_policy_report_only": {
            "blocked-destinations": ["script"],
            "endpoints": ["csp-endpoint"],
        },
    }


def site(other: str) -> WSGIApplication:
    """The three pages, app.js, and the second origin's image URL."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        html = [("Content-Type", "text/html; charset=utf-8")]
        if path == "/app.js":
            start_response("200 OK", [("Content-Type", "text/javascript")])
            return [b"document.body.dataset.app = 'ran';\n"]
        if path == "/coep":
            start_response(
                "200 OK",
                [
                    *html,
                    (
                        "Cross-Origin-Embedder-Policy",
                        'require-corp; report-to="csp-endpoint"',
                    ),
                    # Its own CSP, which allows the image: COEP is what blocks it.
                    ("Content-Security-Policy", "default-src 'self'; img-src *"),
                ],
            )
            return [f'<!doctype html><img src="{other}/coep.png" alt="">'.encode()]
        if path == "/tt":
            policy = "require-trusted-types-for 'script'; report-to csp-endpoint"
            start_response("200 OK", [*html, ("Content-Security-Policy", policy)])
            return [
                b"<!doctype html><body><script>"
                b"try { document.body.innerHTML = '<b>x</b>'; } catch (e) {}"
                b"</script></body>"
            ]
        start_response("200 OK", html)
        return [
            f"""<!doctype html><body>
<img src="{other}/blocked.png" alt="">
<script>document.title = "inline";</script>
<script src="/app.js"></script>
</body>""".encode()
        ]

    return app


def images(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
    """The second origin: a PNG at every path, without CORP."""
    start_response("200 OK", [("Content-Type", "image/png")])
    return [PNG]


@dataclass
class Recorder:
    """The raw Reporting API bodies the receiver gets, passed on untouched."""

    app: WSGIApplication
    bodies: list[bytes] = field(default_factory=list)

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == REPORT_PATH:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            self.bodies.append(body)
            environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)


def found(stored: Stored) -> set[tuple[str, str, str]]:
    return {(g.type, g.directive, g.disposition) for g in stored.groups}


def capture(browser: Browser, tls: Tls, db: Path) -> tuple[Stored, list[bytes]]:
    """Load the three pages; wait (at most ~15 s) until the store has every type."""
    with https_server(images, tls) as other:
        recorder = Recorder(SecureHeaders(site(other), config(db)))
        with https_server(recorder, tls) as origin:
            context = browser.new_context()
            try:
                page = context.new_page()
                for path in ("/", "/coep", "/tt"):
                    page.goto(f"{origin}{path}")
                for _ in range(150):
                    flush()
                    stored = read(str(db))
                    if found(stored) >= EXPECTED:
                        break
                    page.wait_for_timeout(100)
            finally:
                context.close()
    return read(str(db)), recorder.bodies


def main() -> None:  # pragma: no cover - run by hand to refresh the fixture
    import tempfile

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        tls = make_tls(Path(tmp))
        assert tls is not None, "openssl is needed for the HTTPS servers"
        browser = launch(playwright, tls)
        try:
            stored, bodies = capture(browser, tls, Path(tmp) / "reports.db")
        finally:
            browser.close()
    TYPES_FILE.write_bytes(
        b"".join(json.dumps(json.loads(b)).encode() + b"\n" for b in bodies)
    )
    print(f"{len(bodies)} bodies, {sorted(found(stored))} -> {TYPES_FILE}")


if __name__ == "__main__":
    main()
