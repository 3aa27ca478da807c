"""Headless Chromium enforces what a view's per-response calls send.

A partner (a second 127.0.0.1 port) may frame a page only under its named
override; an image from a CDN origin (another port) loads only on the view
that calls ``update_csp``; ``drop_headers`` really removes the header. The
browser is the session's one Chromium, and the servers are waitress, both from
tests/integration/browser_support.py (registered by conftest.py). Skips without
Chromium, except in CI.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from secheaders_wsgi import (
    SecureHeaders,
    csp_nonce,
    drop_headers,
    update_csp,
    use_override,
)
from tests.integration.test_browser import framer

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from playwright.sync_api import Page

PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
    "AAAABJRU5ErkJggg=="
)
# No 'unsafe-inline': only the nonced script runs; images from this origin only.
POLICY = {
    "csp_unsafe_inline": False,
    "csp_unsafe_eval": False,
    "csp_header": {
        "default-src": "'self'",
        "img-src": "'self'",
        "script-src": "'self'",
    },
    "csp_frame_ancestors": False,
}

PAGE = """<!doctype html><title>view</title>
<output id="image" data-result="pending"></output>
<output id="inline" data-result="blocked"></output>
<script>document.getElementById("inline").dataset.result = "ran";</script>
<script nonce="{nonce}">
  var image = new Image();
  function mark(result) {{ document.getElementById("image").dataset.result = result; }}
  image.onload = function () {{ mark("loaded"); }};
  image.onerror = function () {{ mark("blocked"); }};
  image.src = "{cdn}/pixel.png";
  if (window.parent !== window) window.parent.postMessage("secheaders-demo:framed", "*");
</script>
"""


def cdn(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "image/png")])
    return [PIXEL]


def site(cdn_origin: str, partner: str) -> WSGIApplication:
    """One page under several views; the path picks what the view asks for."""

    def view(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        path = environ["PATH_INFO"]
        if path == "/embed":
            use_override(environ, "partner")
        elif path == "/gallery":
            update_csp(environ, {"img-src": [cdn_origin]})
        elif path == "/bare":
            drop_headers(environ, "Content-Security-Policy")
        page = PAGE.format(nonce=csp_nonce(environ), cdn=cdn_origin)
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]

    config = {**POLICY, "overrides": {"partner": {"csp_frame_ancestors": [partner]}}}
    return SecureHeaders(view, config)


def _framed(page: Page, partner: str, url: str) -> str | None:
    page.goto(f"{partner}/?src={url}")
    return page.locator("#framed:not([data-result=pending])").get_attribute(
        "data-result"
    )


def _results(page: Page, url: str) -> dict[str, Any]:
    response = page.goto(url)
    assert response is not None
    image = page.locator("#image:not([data-result=pending])")
    return {
        "image": image.get_attribute("data-result"),
        "inline": page.locator("#inline").get_attribute("data-result"),
        "csp": "content-security-policy" in response.headers,
    }


def test_a_partner_frames_the_page_only_under_its_override(
    in_browser: Any, serve: Any
) -> None:
    partner = serve(framer)
    target = serve(site(serve(cdn), partner))

    results = in_browser(
        lambda page: {
            path: _framed(page, partner, f"{target}{path}") for path in ("/embed", "/")
        }
    )

    assert results == {"/embed": "loaded", "/": "refused"}


def test_a_cdn_image_loads_only_on_the_view_with_csp_update(
    in_browser: Any, serve: Any
) -> None:
    target = serve(site(serve(cdn), serve(framer)))

    results = in_browser(
        lambda page: {
            path: _results(page, f"{target}{path}")["image"]
            for path in ("/gallery", "/")
        }
    )

    assert results == {"/gallery": "loaded", "/": "blocked"}


def test_omit_headers_really_removes_the_policy(in_browser: Any, serve: Any) -> None:
    target = serve(site(serve(cdn), serve(framer)))

    results = in_browser(
        lambda page: {
            path: _results(page, f"{target}{path}") for path in ("/bare", "/")
        }
    )

    # Without the header nothing restricts the page: the inline script without
    # a nonce runs and the other origin's image loads.
    assert results == {
        "/bare": {"image": "loaded", "inline": "ran", "csp": False},
        "/": {"image": "blocked", "inline": "blocked", "csp": True},
    }
