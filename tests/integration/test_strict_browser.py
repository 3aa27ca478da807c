"""A real page works in headless Chromium under ``preset: strict``.

The page is served by waitress on 127.0.0.1; a second server on another port is
the other origin. Under the preset a nonced script runs and an injected one does
not, a same-origin image and stylesheet load, and a cross-origin image without
``Cross-Origin-Resource-Policy`` is blocked by ``Cross-Origin-Embedder-Policy:
require-corp`` while the same image with CORP loads (so COEP, not CSP, blocks
it). Uses the session's Chromium and the waitress server of
tests/integration/browser_support.py.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import pytest

from secheaders_wsgi import SecureHeaders, csp_nonce

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from playwright.sync_api import Page

PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
    "AAAABJRU5ErkJggg=="
)
CHECKS = ("script", "injected", "same-image", "style", "cross-image", "cross-corp")

PAGE = """<!doctype html><html><head><title>strict</title>
<link rel="stylesheet" href="/style.css">
<script nonce="{nonce}">
  function mark(id, result) {{ document.getElementById(id).dataset.result = result; }}
</script></head><body>
{outputs}
<form id="form" method="post" action="/submit"><input name="q" value="1"></form>
<script>mark("injected", "ran");</script>
<script nonce="{nonce}">
  mark("script", "ran");
  mark("injected", document.getElementById("injected").dataset.result === "ran"
    ? "ran" : "blocked");
  function image(id, src) {{
    var img = new Image();
    img.onload = function () {{ mark(id, "loaded"); }};
    img.onerror = function () {{ mark(id, "blocked"); }};
    img.src = src;
  }}
  image("same-image", "/pixel.png");
  image("cross-image", "{other}/pixel.png");
  image("cross-corp", "{other}/pixel.png?corp");
  window.addEventListener("load", function () {{
    var width = getComputedStyle(document.getElementById("style")).width;
    mark("style", width === "42px" ? "applied" : "missing");
  }});
</script></body></html>
"""


def other_origin(environ: WSGIEnvironment, start_response: StartResponse) -> Any:
    """The other origin's image; with ``?corp`` it lets any origin embed it."""
    headers = [("Content-Type", "image/png")]
    if environ.get("QUERY_STRING") == "corp":
        headers.append(("Cross-Origin-Resource-Policy", "cross-origin"))
    start_response("200 OK", headers)
    return [PIXEL]


def site(other: str, origins: list[str]) -> WSGIApplication:
    """The page, its stylesheet and image, and a form target recording Origin."""

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        path = environ["PATH_INFO"]
        if path == "/pixel.png":
            start_response("200 OK", [("Content-Type", "image/png")])
            return [PIXEL]
        if path == "/style.css":
            start_response("200 OK", [("Content-Type", "text/css")])
            return [b"#style { display: block; width: 42px; }"]
        if path == "/submit":
            origins.append(environ.get("HTTP_ORIGIN", "(none)"))
            start_response("200 OK", [("Content-Type", "text/html")])
            return [b"<!doctype html><title>posted</title>"]
        outputs = "\n".join(
            f'<output id="{c}" data-result="pending"></output>' for c in CHECKS
        )
        body = PAGE.format(nonce=csp_nonce(environ), other=other, outputs=outputs)
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [body.encode()]

    return app


def _results(page: Page, url: str) -> dict[str, str]:
    page.goto(url)
    results = {}
    for check in CHECKS:
        output = page.locator(f"#{check}:not([data-result=pending])")
        results[check] = output.get_attribute("data-result") or ""
    return results


def _strict(other: str, **more: Any) -> dict[str, Any]:
    # The other origin is allowed by CSP, so what blocks its image is COEP.
    return {"preset": "strict", "csp_safe_src": ["'self'", other], **more}


def test_a_page_works_under_strict_and_coep_blocks_an_image_without_corp(
    in_browser: Any, serve: Any
) -> None:
    other = serve(other_origin)
    url = serve(SecureHeaders(site(other, []), _strict(other)))
    console: list[str] = []

    def check(page: Page) -> dict[str, str]:
        page.on("console", lambda message: console.append(message.text))
        return _results(page, url)

    results = in_browser(check)

    assert results == {
        "script": "ran",
        "injected": "blocked",
        "same-image": "loaded",
        "style": "applied",
        "cross-image": "blocked",
        "cross-corp": "loaded",
    }
    # Chromium logs an error for each feature it does not know; the preset
    # lists none of those (test_permissions_browser.py covers every preset).
    assert [m for m in console if "Unrecognized feature" in m] == []
    assert [m for m in console if "Permissions-Policy" in m and "Unrec" not in m] == []


def test_without_coep_the_same_image_loads(in_browser: Any, serve: Any) -> None:
    other = serve(other_origin)
    config = _strict(other, cross_origin_embedder_policy=False)
    url = serve(SecureHeaders(site(other, []), config))

    assert in_browser(lambda page: _results(page, url))["cross-image"] == "loaded"


@pytest.mark.parametrize(
    ("referrer_policy", "expected"),
    [
        pytest.param(None, "self", id="strict-same-origin-keeps-origin"),
        pytest.param("no-referrer", "null", id="no-referrer-sends-null"),
    ],
)
def test_a_same_origin_form_post_carries_the_origin_header(
    in_browser: Any, serve: Any, referrer_policy: str | None, expected: str
) -> None:
    # Why strict sends same-origin and not OSHP's no-referrer: under no-referrer
    # a form POST to the site itself says "Origin: null", which Django's CSRF
    # check rejects ("Origin checking failed - null does not match any
    # trusted origins").
    origins: list[str] = []
    other = serve(other_origin)
    more = {} if referrer_policy is None else {"referrer_policy": referrer_policy}
    url = serve(SecureHeaders(site(other, origins), _strict(other, **more)))

    def post(page: Page) -> None:
        page.goto(url)
        with page.expect_navigation():
            page.evaluate("document.getElementById('form').submit()")

    in_browser(post)

    assert origins == [url if expected == "self" else expected]
