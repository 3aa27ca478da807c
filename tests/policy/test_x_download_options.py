"""X-Download-Options: noopen, or no header."""

from __future__ import annotations

from tests.support import header_value


def test_noopen() -> None:
    config = {"x_download_options": "noopen"}
    assert header_value(config, "X-Download-Options") == "noopen"
    assert header_value(config, "X-Download-Options", https=False) == "noopen"


def test_no_header_by_default_or_when_false() -> None:
    assert header_value({}, "X-Download-Options") is None
    assert header_value({"x_download_options": False}, "X-Download-Options") is None
