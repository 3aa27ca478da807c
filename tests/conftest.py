from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

# The one Chromium of the session (Playwright's sync API allows one per thread)
# and the TLS server, registered here for every browser test module.
from browser_support import browser, serve_https, tls  # noqa: F401


@pytest.fixture
def yaml_file(tmp_path: Any) -> Callable[[str], Any]:
    def write(text: str) -> Any:
        path = tmp_path / "security.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write
