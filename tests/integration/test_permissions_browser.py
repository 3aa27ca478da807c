"""Chromium knows every Permissions-Policy feature any preset sends.

Chromium logs ``Error with Permissions-Policy header: Unrecognized feature``
on every page for a feature it does not know (``web-share`` in its Linux
build). The test loads a page under each preset and reads the console.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from secheaders_wsgi import SecureHeaders

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from playwright.sync_api import Page


def page(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/html")])
    return [b"<!doctype html><title>features</title>"]


def _console(in_browser: Any, url: str) -> tuple[list[str], str | None]:
    def load(page: Page) -> tuple[list[str], str | None]:
        messages: list[str] = []
        page.on("console", lambda message: messages.append(message.text))
        response = page.goto(url)
        assert response is not None
        page.wait_for_load_state("load")
        return messages, response.headers.get("permissions-policy")

    result: tuple[list[str], str | None] = in_browser(load)
    return result


@pytest.mark.parametrize("preset", [None, "standard", "strict"])
def test_chromium_knows_every_feature_a_preset_sends(
    in_browser: Any, serve: Any, preset: str | None
) -> None:
    config = {} if preset is None else {"preset": preset}
    messages, sent = _console(in_browser, serve(SecureHeaders(page, config)))

    assert [m for m in messages if "Permissions-Policy" in m] == []
    if preset == "strict":
        assert sent is not None and "camera=()" in sent


def test_the_console_shows_a_feature_chromium_does_not_know(
    in_browser: Any, serve: Any
) -> None:
    # What the test above would see if a preset sent web-share again.
    config = {"permissions_policy": {"web-share": [], "camera": []}}
    messages, _ = _console(in_browser, serve(SecureHeaders(page, config)))

    assert "Unrecognized feature: 'web-share'." in " ".join(messages)
