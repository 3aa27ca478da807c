"""Everything here runs real servers, a browser, subprocesses or long soaks: all of
it is marked ``slow``, so ``pytest -m "not slow"`` is the fast loop."""

from __future__ import annotations

from pathlib import Path

import pytest

# The one Chromium of the session (Playwright's sync API allows one per thread),
# a fresh page of it, and the waitress and TLS servers, registered here for every
# browser test module.
from tests.integration.browser_support import (  # noqa: F401
    browser,
    in_browser,
    serve,
    serve_https,
    tls,
)

HERE = Path(__file__).resolve().parent
# A Django project the browser tests serve in a process of its own: its
# modules need its settings, so the doctest collection must not import them.
collect_ignore = ["django_login"]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The hook sees the whole session's items, not only this directory's.
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.slow)
