"""Cross-Origin-Embedder-Policy-Report-Only: a COEP token, reported, enforced never.

The way to try the strict preset's ``require-corp`` first. What it shares
with the COOP twin (``report-to``, Reporting-Endpoints, sampling) is in
test_isolation_reporting.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import assert_refused, header_value

KEY = "cross_origin_embedder_policy_report_only"
NAME = "Cross-Origin-Embedder-Policy-Report-Only"
RECEIVER = {"csp_report_path": "/_/csp-reports"}
ALLOWED = "(allowed: require-corp, credentialless, or false for no header)"

BAD = [
    pytest.param(
        {KEY: "unsafe-none"},
        f"{KEY}: 'unsafe-none' is not allowed {ALLOWED}",
        id="unsafe-none-reports-nothing",
    ),
    pytest.param(
        {KEY: "require-corps"},
        f"{KEY}: 'require-corps' is not allowed {ALLOWED}. Did you mean "
        "'require-corp'?",
        id="typo",
    ),
    pytest.param(
        {KEY: "Require-Corp"},
        f"{KEY}: 'Require-Corp' is not allowed {ALLOWED}. Did you mean 'require-corp'?",
        id="case",
    ),
    pytest.param(
        {KEY: "credentialess"},
        f"{KEY}: 'credentialess' is not allowed {ALLOWED}. Did you mean "
        "'credentialless'?",
        id="credentialless-typo",
    ),
    pytest.param(
        {KEY: 'require-corp; report-to="csp-endpoint"'},
        f"{KEY}: 'require-corp; report-to=\"csp-endpoint\"' is not allowed "
        "(allowed: the token alone, 'require-corp'; report-to is added for the "
        "endpoint of csp_report_uri or csp_report_path)",
        id="report-to-written-by-hand",
    ),
    pytest.param(
        {KEY: "same-origin"},
        f"{KEY}: 'same-origin' is not allowed {ALLOWED}",
        id="a-coop-token",
    ),
    pytest.param({KEY: True}, f"{KEY}: True is not allowed {ALLOWED}", id="true"),
    pytest.param({KEY: 1}, f"{KEY}: 1 is not allowed {ALLOWED}", id="int"),
    pytest.param({KEY: ""}, f"{KEY}: '' is not allowed {ALLOWED}", id="empty"),
    pytest.param(
        {KEY: {"require-corp": True}},
        f"{KEY}: {{'require-corp': True}} is not allowed {ALLOWED}",
        id="mapping",
    ),
    pytest.param(
        {KEY: "require-corp\nX-Evil: 1"},
        f"{KEY}: 'require-corp\\nX-Evil: 1' is not allowed {ALLOWED}. Did you "
        "mean 'require-corp'?",
        id="injection",
    ),
    pytest.param(
        {"overrides": {"o": {KEY: "require-cors"}}},
        f"overrides.o.{KEY}: 'require-cors' is not allowed {ALLOWED}. Did you mean "
        "'require-corp'?",
        id="in-an-override",
    ),
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_value_is_refused_at_start_up(
    config: dict[str, Any], message: str, tmp_path: Path
) -> None:
    assert_refused(config, message, tmp_path)


@pytest.mark.parametrize("token", ["require-corp", "credentialless"])
def test_the_token_is_sent_with_report_to(token: str) -> None:
    assert header_value({KEY: token, **RECEIVER}, NAME) == (
        f'{token}; report-to="csp-endpoint"'
    )


def test_the_strict_preset_s_coep_tried_first() -> None:
    """The rollout: strict's COEP off, the same token report-only."""
    config = {
        "preset": "strict",
        "cross_origin_embedder_policy": False,
        KEY: "require-corp",
        **RECEIVER,
    }
    assert header_value(config, "Cross-Origin-Embedder-Policy") is None
    assert header_value(config, NAME) == 'require-corp; report-to="csp-endpoint"'


def test_beside_a_weaker_enforced_one() -> None:
    config = {
        "cross_origin_embedder_policy": "credentialless",
        KEY: "require-corp",
        **RECEIVER,
    }
    assert header_value(config, "Cross-Origin-Embedder-Policy") == "credentialless"
    assert header_value(config, NAME) == 'require-corp; report-to="csp-endpoint"'


def test_off_by_default_and_with_false() -> None:
    assert header_value({}, NAME) is None
    assert header_value({KEY: False}, NAME) is None
