"""The rollout tools against the real browser (headless Chromium, as test_browser.py).

- Chromium still sends the reports the fixtures hold: the capture of
  ``tests/integration/rollout_capture.py`` runs live and groups exactly as expected.
- A suggestion from ``reports``, applied to the config, stops its violation.
- A hash from ``hashes`` lets its block run under a policy without
  ``'unsafe-inline'``, and a changed block is blocked; the same for an event
  handler with ``'unsafe-hashes'``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from secheaders_wsgi import SecureHeaders
from secheaders_wsgi.inline.hashes import find_blocks, yaml_snippet
from secheaders_wsgi.rollout.advice import advise
from secheaders_wsgi.rollout.violations import summarize
from tests.integration.browser_support import Tls, _missing
from tests.integration.rollout_capture import (
    EXPECTED,
    FIXTURES,
    RAW_FILES,
    capture,
    images,
    receiver_log,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from playwright.sync_api import Browser, Page

Serve = Callable[["WSGIApplication"], str]


def _fields(bodies: list[bytes]) -> set[str]:
    """Every key of every report, body fields as ``body.name``."""
    keys: set[str] = set()
    for raw in bodies:
        data = json.loads(raw)
        for entry in data if isinstance(data, list) else [data]:
            for key, value in entry.items():
                keys.add(key)
                if isinstance(value, dict):
                    keys.update(f"{key}.{name}" for name in value)
    return keys


def test_chromium_still_sends_the_reports_the_fixtures_hold(
    browser: Browser, tls: Tls | None
) -> None:
    if tls is None:
        _missing("no openssl to make a certificate for the HTTPS test server")
    found = capture(browser, tls)

    summary = summarize([("live", "\n".join(found.log))])
    assert summary.bad == []
    assert {(g.directive, g.origin): g.count for g in summary.groups.values()} == {
        (directive, found.other if origin == "OTHER" else origin): 2 * count
        for (directive, origin), count in EXPECTED.items()
    }
    for name, kind in RAW_FILES:
        live = [body for ctype, body in found.bodies if ctype.startswith(kind)]
        kept = (FIXTURES / name).read_bytes().splitlines()
        assert _fields(live) == _fields(kept), name
        live_summary = summarize([(name, b"\n".join(live).decode())])
        assert live_summary.violations == sum(EXPECTED.values()), name


# -- A suggestion, applied, stops the violation.

REPORTS = "/_/csp-reports"


def _page_with_image(other: str) -> WSGIApplication:
    # The inline script at the end is blocked too: its report is the sign that
    # every report of the page has arrived.
    html = f"""<!doctype html><title>image</title>
<img id="pic" src="{other}/pic.png" alt="pic">
<script>document.title = "sentinel";</script>
""".encode()

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [html]

    return app


def _visit(browser: Browser, url: str, log: list[str]) -> int:
    """Load ``url``; wait for the sentinel's report; the image's natural width."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(url)
        for _ in range(200):  # at most ~10 s
            if any('"script-src-elem"' in line for line in log):
                break
            page.wait_for_timeout(50)
        width: int = page.evaluate("document.getElementById('pic').naturalWidth")
        return width
    finally:
        context.close()


def test_the_suggested_change_stops_the_violation(
    browser: Browser, serve_https: Serve
) -> None:
    other = serve_https(images)
    config: dict[str, Any] = {
        "csp_unsafe_inline": False,
        "csp_unsafe_eval": False,
        "csp_report_path": REPORTS,
        "csp_header": {"default-src": ["'self'"], "img-src": ["'self'"]},
    }
    before = serve_https(SecureHeaders(_page_with_image(other), config))
    with receiver_log() as log:
        width = _visit(browser, f"{before}/", log)
    assert width == 0  # blocked
    summary = summarize([("log", "\n".join(log))])
    advice = advise(summary.group("csp-violation", "img-src", other, "enforce"))
    assert (advice.directive, advice.source) == ("img-src", other)

    config["csp_header"][advice.directive].append(advice.source)
    after = serve_https(SecureHeaders(_page_with_image(other), config))
    with receiver_log() as log:
        width = _visit(browser, f"{after}/", log)
    assert width == 1  # the 1x1 PNG loaded
    directives = [json.loads(line.split(": ", 1)[1]).get("directive") for line in log]
    assert directives == ["script-src-elem"]  # the sentinel alone


# -- Hashes.

SCRIPT = (
    "<!doctype html><title>hash</title><p id=out>not run</p>\r\n"
    "<script>\r\n  // &amp; stays as written: script text is never decoded\r\n"
    '  document.getElementById("out").textContent = "ran";\r\n</script>\r\n'
)
STYLE_ATTR = (
    "<!doctype html><title>style</title>"
    '<p id=out style="color: rgb(0, 128, 0)">styled</p>'
)
HANDLER = (
    "<!doctype html><title>handler</title>"
    '<button id=out onclick="this.textContent = &quot;clicked&quot;">not run</button>'
)
# The tokenizer's hard cases: a "</script>" inside "<!-- <script>" does not end
# the script (double-escaped script data), and in an attribute "&amp=" stays
# as written while "&quot;" is decoded. A scanner that got either wrong would
# hash other text than Chromium does, and the block would not run.
ESCAPED_SCRIPT = (
    "<!doctype html><title>escaped</title><p id=out>not run</p>\n"
    "<script><!--\nvar s = '<script>x</script>';\n"
    'document.getElementById("out").textContent = "ran " + s.length;\n'
    "--></script>\n"
)
LEGACY_REFERENCE = (
    "<!doctype html><title>references</title>"
    "<button id=out onclick=\"this.textContent = '?a=1&amp=2&copy=3' + &quot;"
    '!&quot;">not run</button>'
)


def _serve_page(serve: Serve, html: str, config: dict[str, Any]) -> str:
    body = html.encode()

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body]

    return serve(SecureHeaders(app, config)) + "/"


def _result(page: Page, url: str, click: bool) -> str:
    """The probe's text, or its colour on the style page (no script there)."""
    page.goto(url)
    if click:
        page.click("#out")
    text = page.text_content("#out") or ""
    if text == "styled":
        # Reading the computed style from outside runs no code in the page.
        color: str = page.evaluate("getComputedStyle(out).color")
        return color
    return text


def _hashed_config(html: str) -> dict[str, Any]:
    """The config the ``hashes`` snippet gives, strict otherwise."""
    snippet = yaml.safe_load(yaml_snippet(find_blocks("page.html", html)))
    return {**snippet, "csp_unsafe_inline": False, "csp_unsafe_eval": False}


@pytest.mark.parametrize(
    ("html", "changed", "click", "ran"),
    [
        pytest.param(
            SCRIPT, SCRIPT.replace('= "ran"', '= "Ran"'), False, "ran", id="script-crlf"
        ),
        pytest.param(
            HANDLER,
            HANDLER.replace("&quot;clicked", "&quot;Clicked"),
            True,
            "clicked",
            id="handler-unsafe-hashes",
        ),
        pytest.param(
            STYLE_ATTR,
            STYLE_ATTR.replace("128, 0)", "128, 1)"),
            False,
            "rgb(0, 128, 0)",
            id="style-attribute-unsafe-hashes",
        ),
        pytest.param(
            ESCAPED_SCRIPT,
            ESCAPED_SCRIPT.replace('"ran "', '"Ran "'),
            False,
            "ran 18",
            id="double-escaped-script",
        ),
        pytest.param(
            LEGACY_REFERENCE,
            LEGACY_REFERENCE.replace("&amp=2", "&amp;=2"),
            True,
            "?a=1&amp=2&copy=3!",
            id="legacy-references-in-a-handler",
        ),
    ],
)
def test_a_hashed_block_runs_and_a_changed_one_is_blocked(
    browser: Browser, serve_https: Serve, html: str, changed: str, click: bool, ran: str
) -> None:
    config = _hashed_config(html)
    assert "'unsafe-inline'" not in json.dumps(config)
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(5000)
        assert _result(page, _serve_page(serve_https, html, config), click) == ran
        blocked = _result(page, _serve_page(serve_https, changed, config), click)
        assert blocked in ("not run", "rgb(0, 0, 0)")  # the default black
    finally:
        context.close()


def test_a_handler_hash_without_unsafe_hashes_is_blocked(
    browser: Browser, serve_https: Serve
) -> None:
    config = _hashed_config(HANDLER)
    config["csp_header"]["script-src-attr"].remove("'unsafe-hashes'")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(5000)
        assert (
            _result(page, _serve_page(serve_https, HANDLER, config), True) == "not run"
        )
    finally:
        context.close()
