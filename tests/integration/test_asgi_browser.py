"""Headless Chromium against the ASGI adapter under uvicorn: the inline script
without the nonce is blocked, the nonced one runs, framing is refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.integration import test_browser as shared
from tests.support import free_port, running

if TYPE_CHECKING:
    from playwright.sync_api import Page


# The browser tests' page fixtures (the session's one Chromium and the waitress
# server come from conftest.py), and their framer page, which says whether the
# page it frames loaded.
page, console = shared.page, shared.console
framer = shared.framer


@pytest.fixture(scope="module")
def origin() -> Iterator[str]:
    port = free_port()
    command = ["-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
               "--no-access-log", "tests.integration.asgi_browser_app:app"]  # fmt: skip
    with running(command, port):
        yield f"http://127.0.0.1:{port}"


def test_inline_script_is_blocked_and_the_nonced_one_runs(
    page: Page, console: list[str], origin: str
) -> None:
    page.goto(f"{origin}/")

    page.wait_for_function("window.nonceRan === true")
    assert page.evaluate("window.inlineRan") is None
    assert any("Executing inline script violates" in text for text in console)


def _framed(page: Page, framer_origin: str, src: str) -> str:
    page.goto(f"{framer_origin}/?src={src}")
    output = page.locator("#framed:not([data-result=pending])")
    return output.get_attribute("data-result") or ""


def test_framing_is_refused(page: Page, serve: Any, origin: str) -> None:
    other = serve(framer)  # another port: another origin

    assert _framed(page, other, f"{origin}/") == "refused"
    # The control: the same page under a rule that allows the framer loads.
    assert _framed(page, other, f"{origin}/framable/") == "loaded"
