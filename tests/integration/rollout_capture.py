"""Capture real CSP reports from headless Chromium against our receiver.

A page served through :class:`SecureHeaders` (``csp_report_path`` on) breaks
several directives at once: inline scripts, an inline style and a style
attribute, an event-handler attribute, images from a second origin and a
``data:`` image, and ``eval``. Loaded at ``/`` it carries the middleware's
policy, so Chromium sends Reporting API reports (report-to); at ``/legacy``
the app sets the same policy with ``report-uri`` only, so Chromium sends the
legacy ``application/csp-report`` bodies. Both are recorded raw, as POSTed,
and as the receiver logs them (one JSON line on ``secheaders.csp``, behind a
timestamped logging prefix).

``python -m tests.integration.rollout_capture`` rewrites ``tests/fixtures/reports/``;
``tests/test_rollout_browser.py`` runs the same capture live and checks its
shape against those files.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from secheaders_wsgi import SecureHeaders, load_config
from secheaders_wsgi.policy import headers
from secheaders_wsgi.reports import flush
from secheaders_wsgi.rollout.violations import summarize
from tests.integration.browser_support import Tls, https_server, launch, make_tls

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from playwright.sync_api import Browser

FIXTURES = Path(__file__).parent.parent / "fixtures" / "reports"
REPORT_PATH = "/_/csp-reports"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# A 1x1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001a5f645400000000049454e44ae426082"
)

#: Reports one page load gives, by (effective directive, blocked origin).
EXPECTED = {
    ("script-src-elem", "inline"): 2,
    ("script-src-attr", "inline"): 1,
    ("style-src-elem", "inline"): 1,
    ("style-src-attr", "inline"): 1,
    ("img-src", "OTHER"): 2,
    ("img-src", "data"): 1,
    ("script-src", "eval"): 1,
}


def config() -> dict[str, Any]:
    """The policy under test: everything from 'self', nothing inline, no eval."""
    return {
        "csp_unsafe_inline": False,
        "csp_unsafe_eval": False,
        "csp_report_path": REPORT_PATH,
        "csp_header": {
            "default-src": ["'self'"],
            "img-src": ["'self'"],
            "script-src": ["'self'", "'report-sample'"],
            "style-src": ["'self'", "'report-sample'"],
        },
    }


def page(other: str) -> bytes:
    """The violating page; ``other`` is the second origin the images come from."""
    return f"""<!doctype html>
<html><head><title>violations</title>
<style>body {{ color: #333; }}</style>
<script>document.title = "inline one";</script>
</head>
<body onload="document.body.dataset.loaded = 'yes'">
<p style="color: red">styled</p>
<img id="a" src="{other}/a.png" alt="a"><img id="b" src="{other}/b.png" alt="b">
<img id="d" src="data:image/png;base64,iVBORw0KGgo=" alt="d">
<script>document.title = "inline two";</script>
<script src="/app.js"></script>
</body></html>
""".encode()


def site(other: str, header: str) -> WSGIApplication:
    """The page at ``/`` and ``/legacy`` (own report-uri-only policy), and app.js."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/app.js":
            start_response("200 OK", [("Content-Type", "text/javascript")])
            return [b'try { eval("1 + 1"); } catch (e) {}\n']
        headers = [("Content-Type", "text/html; charset=utf-8")]
        if path == "/legacy":
            # App-set headers win: this policy reports through report-uri only.
            legacy = header.split("; report-to")[0]
            headers.append(("Content-Security-Policy", legacy))
        start_response("200 OK", headers)
        return [page(other)]

    return app


def images(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
    """The second origin: a PNG at every path."""
    start_response("200 OK", [("Content-Type", "image/png")])
    return [PNG]


@dataclass
class Recorder:
    """The raw report POSTs the receiver gets, then passes on untouched."""

    app: WSGIApplication
    bodies: list[tuple[str, bytes]] = field(default_factory=list)

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == REPORT_PATH:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            self.bodies.append((str(environ.get("CONTENT_TYPE", "")), body))
            environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@contextmanager
def receiver_log() -> Iterator[list[str]]:
    """The ``secheaders.csp`` log lines, formatted as a log file would hold them."""
    handler = _Lines()
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    logger = logging.getLogger("secheaders.csp")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    try:
        yield handler.lines
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


@dataclass
class Capture:
    origin: str
    other: str
    log: list[str]
    bodies: list[tuple[str, bytes]]


def capture(browser: Browser, tls: Tls) -> Capture:
    """Load the page both ways and record what the receiver gets and logs."""
    with https_server(images, tls) as other:
        recorder = Recorder(SecureHeaders(site(other, policy()), config()))
        flush()  # what other receivers of this process hold is not this capture's
        with https_server(recorder, tls) as origin, receiver_log() as log:
            total = sum(EXPECTED.values())
            _load(browser, f"{origin}/", total, log)
            _load(browser, f"{origin}/legacy", 2 * total, log)
    return Capture(origin, other, log, recorder.bodies)


def policy() -> str:
    """The Content-Security-Policy the middleware sends over HTTPS."""
    return dict(headers(load_config(config()), https=True))["Content-Security-Policy"]


def _load(browser: Browser, url: str, wanted: int, log: list[str]) -> None:
    """Open ``url``; wait until ``log`` counts ``wanted`` reports (at most ~10 s).

    The receiver folds repeats into one record's count: each wait flushes it.
    """
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        for _ in range(200):
            flush()
            if summarize([("log", "\n".join(log))]).violations >= wanted:
                break
            page.wait_for_timeout(50)
    finally:
        context.close()


def write_fixtures(folder: Path, found: Capture) -> None:
    """The receiver's log, the raw bodies by format, and the two origins."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "receiver.log").write_text("".join(f"{line}\n" for line in found.log))
    for name, kind in RAW_FILES:
        raw = [body for ctype, body in found.bodies if ctype.startswith(kind)]
        (folder / name).write_bytes(b"".join(body.strip() + b"\n" for body in raw))
    meta = {"origin": found.origin, "other_origin": found.other}
    (folder / "capture.json").write_text(json.dumps(meta, indent=2) + "\n")


RAW_FILES = (
    ("reporting-api.jsonl", "application/reports+json"),
    ("csp-report.jsonl", "application/csp-report"),
)


def main() -> None:  # pragma: no cover - run by hand to refresh the fixtures
    import tempfile

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        tls = make_tls(Path(tmp))
        assert tls is not None, "openssl is needed for the HTTPS servers"
        browser = launch(playwright, tls)
        try:
            found = capture(browser, tls)
        finally:
            browser.close()
    write_fixtures(FIXTURES, found)
    print(f"{len(found.log)} log lines, {len(found.bodies)} bodies -> {FIXTURES}")


if __name__ == "__main__":
    main()
