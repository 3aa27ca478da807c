"""Integrity-Policy in headless Chromium: a script without integrity metadata is
blocked under ``integrity_policy`` and only reported under the report-only twin."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from secheaders_wsgi import SecureHeaders

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from playwright.sync_api import Browser

CHECKED = b"document.body.dataset.checked = 'ran';"
UNCHECKED = b"document.body.dataset.unchecked = 'ran';"
SRI = "sha384-" + base64.b64encode(hashlib.sha384(CHECKED).digest()).decode()
# crossorigin: the policy blocks no-cors loads too, same-origin ones included.
PAGE = (
    f'<!doctype html><body><script src="/checked.js" integrity="{SRI}" '
    'crossorigin="anonymous"></script>'
    '<script src="/unchecked.js"></script></body>'
).encode()


def site(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
    path = environ.get("PATH_INFO", "")
    if path.endswith(".js"):
        start_response("200 OK", [("Content-Type", "text/javascript")])
        return [CHECKED if path == "/checked.js" else UNCHECKED]
    start_response("200 OK", [("Content-Type", "text/html")])
    return [PAGE]


@pytest.mark.parametrize(
    ("key", "unchecked"),
    [("integrity_policy", None), ("integrity_policy_report_only", "ran")],
)
def test_a_script_without_integrity_is_blocked_or_only_reported(
    browser: Browser,
    serve_https: Callable[[WSGIApplication], str],
    key: str,
    unchecked: str | None,
) -> None:
    config: dict[str, Any] = {
        key: {"blocked-destinations": ["script"]},
        "csp_header": False,
    }
    origin = serve_https(SecureHeaders(site, config))
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(5000)
        page.goto(f"{origin}/")
        page.wait_for_load_state("load")
        ran = page.evaluate(
            "[document.body.dataset.checked, document.body.dataset.unchecked]"
        )
    finally:
        context.close()
    assert ran == ["ran", unchecked]
