"""Headless Chromium sends the COEP, COOP and Trusted Types report-only reports
to the configured endpoint, and still sends what the fixtures hold.

The capture (``tests/integration/isolation_capture.py``) records the raw POSTs
in front of the built-in receiver, which logs only CSP violations.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from tests.integration.browser_support import Tls, _missing
from tests.integration.isolation_capture import KINDS, capture
from tests.integration.rollout_capture import FIXTURES

if TYPE_CHECKING:
    from playwright.sync_api import Browser


def _keys(report: dict[str, Any]) -> set[str]:
    """Every key of a report, the body's as ``body.name``."""
    return set(report) | {f"body.{name}" for name in report["body"]}


@pytest.fixture(scope="module")
def found(browser: Browser, tls: Tls | None) -> dict[str, list[dict[str, Any]]]:
    if tls is None:
        _missing("no openssl to make a certificate for the HTTPS test server")
    return capture(browser, tls)


def test_coep_report_only_reports_the_image_without_corp(
    found: dict[str, list[dict[str, Any]]],
) -> None:
    [report] = found["coep"]
    assert report["url"].endswith("/coep/")
    assert report["body"]["type"] == "corp"
    assert report["body"]["destination"] == "image"
    assert report["body"]["disposition"] == "reporting"
    assert report["body"]["blockedURL"].endswith("/a.png")


def test_coop_report_only_reports_the_opener_it_would_cut_off(
    found: dict[str, list[dict[str, Any]]],
) -> None:
    [report] = found["coop"]
    assert report["url"].endswith("/coop/")
    assert report["body"]["type"] == "navigation-to-response"
    assert report["body"]["effectivePolicy"] == "same-origin"
    assert report["body"]["disposition"] == "reporting"


def test_trusted_types_report_only_names_the_sink(
    found: dict[str, list[dict[str, Any]]],
) -> None:
    [report] = found["trusted-types"]
    body = report["body"]
    assert body["disposition"] == "report"
    assert body["blockedURL"] == "trusted-types-sink"
    assert body["sample"] == "Element innerHTML|<b>sink</b>"
    assert body["documentURL"].endswith("/tt/")


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_fixture_has_the_shape_chromium_sends(
    kind: str, found: dict[str, list[dict[str, Any]]]
) -> None:
    name, wanted = KINDS[kind]
    [kept] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    assert wanted(kept)
    assert _keys(kept) == _keys(found[kind][0])
