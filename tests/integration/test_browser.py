"""A real browser enforces what the middleware sends.

Debian's Chromium (``apt-get install chromium``) driven by Playwright, no browser
download. The pages are the demo app (``examples/demo``) under different
configs, served by waitress on loopback; framing tests use a second port as
the other origin, and the report receiver test serves over TLS with a
throwaway certificate (made with openssl) that only this browser trusts.
Without Chromium or Playwright these tests skip, except in CI (``CI=true``),
where a missing browser fails them.
"""

from __future__ import annotations

import html
import json
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import pytest

from examples import flask_app
from examples.demo.app import demo, make_app, recorder
from secheaders_wsgi import SecureHeaders

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from playwright.sync_api import Browser, Page

STRICT = {"csp_unsafe_inline": False, "csp_unsafe_eval": False}


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(5000)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def console(page: Page) -> list[str]:
    """The console messages of the page and its frames, as the test goes."""
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    return messages


def framer(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
    """Another origin's page that frames ``?src=`` and says whether it loaded."""
    src = html.escape(parse_qs(environ.get("QUERY_STRING", ""))["src"][0])
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    page = f"""<!doctype html><title>framer</title>
<output id="framed" data-result="pending"></output>
<script>
  var output = document.getElementById("framed");
  window.addEventListener("message", function (event) {{
    if (event.data === "secheaders-demo:framed") output.dataset.result = "loaded";
  }});
  function loaded() {{
    // A refused frame fires load too, with an error page that posts nothing.
    setTimeout(function () {{
      if (output.dataset.result === "pending") output.dataset.result = "refused";
    }}, 300);
  }}
</script>
<iframe src="{src}" onload="loaded()"></iframe>
"""
    return [page.encode()]


def _checks(page: Page, url: str) -> dict[str, str]:
    """What the demo page's own scripts found, run by the page, not by DevTools.

    Code run through page.evaluate() is exempt from CSP (like the DevTools
    console), so eval() there proves nothing; static/checks.js runs under the
    page's policy and records what happened in data attributes.
    """
    page.goto(url)
    results = {}
    for check in ("inline", "nonce", "eval", "frame", "camera"):
        output = page.locator(f"#check-{check}:not([data-result=pending])")
        results[check] = output.get_attribute("data-result") or ""
        if output.get_attribute("data-detail"):
            results[f"{check}-detail"] = output.get_attribute("data-detail") or ""
    return results


# The demo page asks for a nonce, which these policies cannot use: that warns.
@pytest.mark.filterwarnings("ignore:csp_nonce:secheaders_wsgi.errors.SecurityWarning")
def test_defaults_run_inline_script_and_eval(page: Page, serve: Any) -> None:
    url = serve(make_app({}))

    assert _checks(page, url) == {
        "inline": "allowed",
        "nonce": "allowed",
        "eval": "allowed",
        "frame": "allowed",
        "camera": "allowed",
    }
    assert page.evaluate("window.demoInlineRan") is True
    assert page.locator("#violations li").count() == 0


def test_unsafe_inline_false_blocks_inline_script_visibly(
    page: Page, console: list[str], serve: Any
) -> None:
    url = serve(make_app({"csp_unsafe_inline": False}))

    checks = _checks(page, url)

    assert (checks["inline"], checks["eval"]) == ("blocked", "allowed")
    assert page.evaluate("window.demoInlineRan") is None
    # The violation is visible twice: the event the page saw, and the console.
    assert "script-src-elem refused inline" in page.locator("#violations").inner_text()
    assert any("Executing inline script violates" in text for text in console)


# The demo page asks for a nonce, which these policies cannot use: that warns.
@pytest.mark.filterwarnings("ignore:csp_nonce:secheaders_wsgi.errors.SecurityWarning")
def test_unsafe_eval_false_makes_eval_throw(page: Page, serve: Any) -> None:
    url = serve(make_app({"csp_unsafe_eval": False}))

    checks = _checks(page, url)

    assert (checks["eval"], checks["eval-detail"]) == ("blocked", "EvalError")
    assert checks["inline"] == "allowed"
    assert "script-src refused eval" in page.locator("#violations").inner_text()


def test_shipped_demo_config_blocks_all_three(page: Page, serve: Any) -> None:
    checks = _checks(page, serve(make_app()))

    assert checks == {
        "inline": "blocked",
        "nonce": "allowed",
        "eval": "blocked",
        "eval-detail": "EvalError",
        "frame": "blocked",
        "camera": "blocked",
    }
    # The refused frame shows the browser's error page: the demo labels it.
    label = page.locator("#frame-label")
    label.wait_for()
    assert label.inner_text().startswith("Blocked: the browser refused")


def test_flask_example_in_the_browser(page: Page, serve: Any) -> None:
    # examples/security.yaml says server_secured: the browser speaks plain http
    # to waitress, as a TLS proxy would, and still gets https links and cookies
    # it stores as Secure (Chromium lets loopback http keep them).
    origin = serve(flask_app.app)

    page.goto(f"{origin}/")

    port = origin.rsplit(":", 1)[1]
    assert page.locator("#self").get_attribute("href") == f"https://127.0.0.1:{port}/"
    # The template's inline script carries the nonce: it ran under a policy
    # without 'unsafe-inline'.
    assert page.evaluate("window.ready") is True
    cookies = {cookie["name"]: cookie for cookie in page.context.cookies()}
    assert sorted(cookies) == ["session", "theme"]
    assert all(cookie["secure"] for cookie in cookies.values())


# The demo page asks for a nonce, which these policies cannot use: that warns.
@pytest.mark.filterwarnings("ignore:csp_nonce:secheaders_wsgi.errors.SecurityWarning")
def test_debug_keeps_inline_script_despite_unsafe_inline_false(
    page: Page, serve: Any
) -> None:
    url = serve(make_app({"csp_unsafe_inline": False, "debug": True}))

    assert _checks(page, url)["inline"] == "allowed"


def test_nonce_runs_the_nonced_script_and_not_the_injected_one(
    page: Page, serve: Any
) -> None:
    # The demo page asks for its nonce: one inline script carries it, the
    # other, standing for an injected one, does not.
    url = serve(make_app({"csp_unsafe_inline": False}))

    checks = _checks(page, url)

    assert (checks["nonce"], checks["inline"]) == ("allowed", "blocked")
    assert page.evaluate("[window.demoNoncedRan, window.demoInlineRan]") == [True, None]


@pytest.mark.parametrize(
    ("ancestors", "expected"),
    [
        pytest.param(True, "loaded", id="unset-any-origin-frames"),
        pytest.param(False, "refused", id="false-none-frames"),
        pytest.param([], "refused", id="empty-list-none-frames"),
        pytest.param(["'self'"], "refused", id="self-other-origin-refused"),
    ],
)
def test_frame_ancestors_from_another_origin(
    page: Page, console: list[str], serve: Any, ancestors: Any, expected: str
) -> None:
    other = serve(framer)
    target = serve(make_app({**STRICT, "csp_frame_ancestors": ancestors}))

    page.goto(f"{other}/?src={target}/")
    outcome = page.locator("#framed:not([data-result=pending])")

    assert outcome.get_attribute("data-result") == expected
    # A refusal is the browser's doing, and it says so.
    refusals = [text for text in console if "frame-ancestors" in text]
    assert bool(refusals) == (expected == "refused"), console


def test_frame_ancestors_list_lets_the_listed_origin_frame_and_no_other(
    page: Page, console: list[str], serve: Any
) -> None:
    listed = serve(framer)
    unlisted = serve(framer)
    target = serve(make_app({**STRICT, "csp_frame_ancestors": [listed]}))

    results = {}
    for name, origin in (("listed", listed), ("unlisted", unlisted)):
        page.goto(f"{origin}/?src={target}/")
        outcome = page.locator("#framed:not([data-result=pending])")
        results[name] = outcome.get_attribute("data-result")

    assert results == {"listed": "loaded", "unlisted": "refused"}
    assert [text for text in console if "frame-ancestors" in text] == [
        f"Framing '{target}/' violates the following Content Security Policy "
        f'directive: "frame-ancestors {listed}". The request has been blocked.\n'
    ]


def test_a_path_rule_lets_a_partner_frame_only_its_prefix(
    page: Page, console: list[str], serve: Any
) -> None:
    partner = serve(framer)

    def mounted(environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        # The demo page also answers under /embed/ (as SCRIPT_NAME /embed).
        path = environ.get("PATH_INFO", "")
        if path.startswith("/embed/"):
            environ["SCRIPT_NAME"] += "/embed"
            environ["PATH_INFO"] = path[len("/embed") :]
        return demo(environ, start_response)

    config = {
        **STRICT,
        "csp_frame_ancestors": False,
        "paths": [{"prefix": "/embed/", "csp_frame_ancestors": [partner]}],
    }
    target = serve(recorder(SecureHeaders(mounted, config)))

    results = {}
    for path in ("/embed/", "/"):
        page.goto(f"{partner}/?src={target}{path}")
        outcome = page.locator("#framed:not([data-result=pending])")
        results[path] = outcome.get_attribute("data-result")

    assert results == {"/embed/": "loaded", "/": "refused"}
    assert any("frame-ancestors 'none'" in text for text in console), console


def test_x_frame_options_alone_refuses_another_origin(
    page: Page, console: list[str], serve: Any
) -> None:
    # No frame-ancestors in the policy: the older header does the job alone.
    other = serve(framer)
    target = serve(make_app({**STRICT, "x_frame_options": "DENY"}))

    page.goto(f"{other}/?src={target}/")
    outcome = page.locator("#framed:not([data-result=pending])")

    assert outcome.get_attribute("data-result") == "refused"
    assert any("'X-Frame-Options' to 'deny'" in text for text in console), console


# -- The built-in receiver. Chromium reads Reporting-Endpoints (and so sends
# report-to reports) only from HTTPS responses, and ignores report-uri once
# report-to is present: over plain http it reports nothing. So this test serves
# over TLS, with a throwaway certificate for 127.0.0.1.


def _inline_on(document: str, records: list[logging.LogRecord]) -> list[Any]:
    reports = [json.loads(record.getMessage()) for record in records]
    return [
        r
        for r in reports
        if r.get("directive") == "script-src-elem" and r.get("page") == document
    ]


def test_receiver_gets_the_browsers_own_violation_report(
    browser: Browser, serve_https: Any, caplog: pytest.LogCaptureFixture
) -> None:
    config = {"csp_unsafe_inline": False, "csp_report_path": "/_/csp-reports"}
    origin = serve_https(make_app(config))
    context = browser.new_context()
    try:
        page = context.new_page()
        with caplog.at_level(logging.WARNING, logger="secheaders.csp"):
            page.goto(f"{origin}/")
            for _ in range(100):  # at most ~5 s
                if _inline_on(f"{origin}/", caplog.records):
                    break
                page.wait_for_timeout(50)
    finally:
        context.close()

    # The page also frames itself (?framed=1), whose blocked script reports
    # too, in either order: pick the top page's report.
    inline = _inline_on(f"{origin}/", caplog.records)
    assert inline, [record.getMessage() for record in caplog.records]
    assert inline[0]["blocked"] == "inline"
    assert inline[0]["page"] == f"{origin}/"
    assert inline[0]["format"] == "reports+json"  # Chromium's Reporting API


@pytest.mark.parametrize(
    ("ci", "exit_code", "says"),
    [
        pytest.param(None, 0, "no Chromium at /nonexistent", id="local-skips"),
        pytest.param(
            "true", 1, "CI=true and the browser tests cannot run", id="ci-fails"
        ),
    ],
)
def test_a_missing_browser_skips_locally_and_fails_in_ci(
    ci: str | None, exit_code: int, says: str
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["CHROMIUM"] = "/nonexistent"
    if ci is not None:
        env["CI"] = ci
    test = f"{__file__}::test_defaults_run_inline_script_and_eval"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", test],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == exit_code, done.stdout + done.stderr
    assert says in done.stdout
