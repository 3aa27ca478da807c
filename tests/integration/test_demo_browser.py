"""The demo's live checks, in headless Chromium: each reads "blocked" with the
demo's config, and "runs" once the header it names is removed or loosened.

A check that still read "blocked" without its header would be crediting the
header with something else's work: the framing check once did, when the page's
own ``default-src 'none'`` refused the frame it made to test frame-ancestors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from examples.demo.app import CONFIG, make_app

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from playwright.sync_api import Page

CHECKS = ("inline", "nonce", "eval", "frame", "camera")
#: What each check reads under the demo's own config.
HOLDS = {
    "inline": "blocked",
    "nonce": "allowed",
    "eval": "blocked",
    "frame": "blocked",
    "camera": "blocked",
}
#: What Chromium logs when the framed page's header refuses the frame.
REFUSED_BY = {
    "frame-ancestors": "violates the following Content Security Policy directive: "
    "\"frame-ancestors 'none'\"",
    "X-Frame-Options": "because it set 'X-Frame-Options' to 'deny'",
}


def demo_config(**changes: Any) -> dict[str, Any]:
    """The demo's security.yaml, with ``changes`` on top."""
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    return {**config, **changes}


def demo_checks(
    in_browser: Callable[..., Any], url: str
) -> tuple[dict[str, str], list[str]]:
    """What the demo page's own scripts found (each check's ``data-result``),
    and the console messages of the page and its frame."""

    def run(page: Page) -> tuple[dict[str, str], list[str]]:
        console: list[str] = []
        page.on("console", lambda message: console.append(message.text))
        page.goto(url)
        results = {}
        for check in CHECKS:
            output = page.locator(f"#check-{check}:not([data-result=pending])")
            results[check] = output.get_attribute("data-result") or ""
        return results, console

    result: tuple[dict[str, str], list[str]] = in_browser(run)
    return result


def refusals(console: Iterable[str]) -> set[str]:
    """Which headers the console says refused the frame."""
    return {
        header
        for header, says in REFUSED_BY.items()
        if any(says in text for text in console)
    }


def test_every_check_holds_with_the_demo_config(
    in_browser: Callable[..., Any], serve: Callable[..., str]
) -> None:
    results, console = demo_checks(in_browser, serve(make_app()))

    assert results == HOLDS
    # The framed page's frame-ancestors refused the frame (Chromium then
    # ignores X-Frame-Options); the framing page's own policy let it load.
    assert refusals(console) == {"frame-ancestors"}, console
    assert not [text for text in console if "'frame-src'" in text], console


@pytest.mark.parametrize(
    ("changes", "fails"),
    [
        pytest.param(
            {"csp_frame_ancestors": ["'self'"]}, {"frame"}, id="frame-ancestors-self"
        ),
        # No frame-ancestors, and X-Frame-Options follows it: none.
        pytest.param({"csp_frame_ancestors": True}, {"frame"}, id="no-frame-ancestors"),
        pytest.param({"csp_unsafe_eval": True}, {"eval"}, id="unsafe-eval"),
        pytest.param(
            {"permissions_policy": {"camera": ["self"]}}, {"camera"}, id="camera-self"
        ),
        pytest.param({"permissions_policy": False}, {"camera"}, id="no-permissions"),
        # X-Frame-Options: DENY stays (the strict preset's), and still refuses.
        pytest.param({"csp_header": False}, {"inline", "eval"}, id="no-csp"),
        pytest.param(
            {"csp_header": False, "x_frame_options": False},
            {"inline", "eval", "frame"},
            id="no-csp-no-x-frame-options",
        ),
    ],
)
def test_a_check_fails_once_its_header_is_loosened(
    in_browser: Callable[..., Any],
    serve: Callable[..., str],
    changes: dict[str, Any],
    fails: set[str],
) -> None:
    results, _ = demo_checks(in_browser, serve(make_app(demo_config(**changes))))

    assert results == {
        check: "allowed" if check in fails else held for check, held in HOLDS.items()
    }


def test_x_frame_options_alone_holds_the_framing_check(
    in_browser: Callable[..., Any], serve: Callable[..., str]
) -> None:
    config = demo_config(csp_frame_ancestors=True, x_frame_options="DENY")

    results, console = demo_checks(in_browser, serve(make_app(config)))

    assert results["frame"] == "blocked"
    assert refusals(console) == {"X-Frame-Options"}, console


def test_the_framing_check_credits_nothing_when_the_page_refuses_its_own_frame(
    in_browser: Callable[..., Any], serve: Callable[..., str]
) -> None:
    # A second policy (browsers enforce every CSP header they get) that refuses
    # all frames: the frame never reaches the framed page's headers.
    def no_frames(app: WSGIApplication) -> WSGIApplication:
        def wrapped(environ: WSGIEnvironment, start_response: StartResponse) -> Any:
            def _start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
                headers = [*headers, ("Content-Security-Policy", "frame-src 'none'")]
                return start_response(status, headers, exc_info)

            return app(environ, _start_response)

        return wrapped

    results, console = demo_checks(in_browser, serve(no_frames(make_app())))

    assert results == {**HOLDS, "frame": "unknown"}
    assert refusals(console) == set(), console
