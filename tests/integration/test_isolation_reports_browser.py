"""Headless Chromium sends the COEP, COOP and Trusted Types report-only reports
to our receiver (``csp_report_path``), which stores them normalized in its
SQLite sink; and the fixtures hold the shapes Chromium sends.

The capture is ``tests/integration/isolation_capture.py``: the site's
``paths`` rules turn on ``cross_origin_embedder_policy_report_only``,
``cross_origin_opener_policy_report_only`` and a report-only Trusted Types
policy, each reporting to the receiver through ``Reporting-Endpoints``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from secheaders_wsgi.reports.sqlite import Stored, StoredGroup
from tests.integration.browser_support import Tls, _missing
from tests.integration.isolation_capture import (
    KINDS,
    STORED,
    capture,
    kind_of,
    stored_kinds,
)
from tests.integration.rollout_capture import FIXTURES

if TYPE_CHECKING:
    from playwright.sync_api import Browser

Captured = tuple[Stored, dict[str, list[dict[str, Any]]]]


def _keys(report: dict[str, Any]) -> set[str]:
    """Every key of a report, the body's as ``body.name``."""
    return set(report) | {f"body.{name}" for name in report["body"]}


@pytest.fixture(scope="module")
def captured(
    browser: Browser, tls: Tls | None, tmp_path_factory: pytest.TempPathFactory
) -> Captured:
    if tls is None:
        _missing("no openssl to make a certificate for the HTTPS test server")
    return capture(browser, tls, tmp_path_factory.mktemp("isolation") / "reports.db")


def _group(captured: Captured, kind: str) -> StoredGroup:
    stored, _ = captured
    [group] = [g for g in stored.groups if kind_of(g) == STORED[kind]]
    return group


def test_the_coep_report_only_report_lands_in_the_store(captured: Captured) -> None:
    group = _group(captured, "coep")
    assert group.destination == "image"
    assert group.blocked_url is not None and group.blocked_url.endswith("/a.png")
    assert group.blocked.startswith("https://127.0.0.1:")  # the other origin
    [page] = group.pages
    assert page.endswith("/coep/")
    assert group.user_agents == ["Chrome"]


def test_the_coop_report_only_report_lands_in_the_store(captured: Captured) -> None:
    group = _group(captured, "coop")
    assert group.policy == "same-origin"
    [page] = group.pages
    assert page.endswith("/coop/")


def test_the_trusted_types_report_names_the_sink_in_the_store(
    captured: Captured,
) -> None:
    group = _group(captured, "trusted-types")
    assert group.blocked == "Element innerHTML"
    assert group.samples == ["Element innerHTML|<b>sink</b>"]
    [page] = group.pages
    assert page.endswith("/tt/")


def test_nothing_else_was_stored(captured: Captured) -> None:
    stored, _ = captured
    assert stored_kinds(stored) == set(STORED.values())


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_fixture_has_the_shape_chromium_sends(
    kind: str, captured: Captured
) -> None:
    _, found = captured
    name, wanted = KINDS[kind]
    [kept] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    assert wanted(kept)
    assert _keys(kept) == _keys(found[kind][0])
