"""Cross-Origin-Opener-Policy-Report-Only: a COOP token, reported, enforced never.

What it shares with the COEP twin (``report-to``, Reporting-Endpoints,
sampling) is in test_isolation_reporting.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import assert_refused, header_value

KEY = "cross_origin_opener_policy_report_only"
NAME = "Cross-Origin-Opener-Policy-Report-Only"
RECEIVER = {"csp_report_path": "/_/csp-reports"}
ALLOWED = (
    "(allowed: same-origin, same-origin-allow-popups, noopener-allow-popups, "
    "or false for no header)"
)

BAD = [
    pytest.param(
        {KEY: "unsafe-none"},
        f"{KEY}: 'unsafe-none' is not allowed {ALLOWED}",
        id="unsafe-none-reports-nothing",
    ),
    pytest.param(
        {KEY: "same-orign"},
        f"{KEY}: 'same-orign' is not allowed {ALLOWED}. Did you mean 'same-origin'?",
        id="typo",
    ),
    pytest.param(
        {KEY: "Same-Origin"},
        f"{KEY}: 'Same-Origin' is not allowed {ALLOWED}. Did you mean 'same-origin'?",
        id="case",
    ),
    pytest.param(
        {KEY: "same-origin; report-to=csp-endpoint"},
        f"{KEY}: 'same-origin; report-to=csp-endpoint' is not allowed (allowed: "
        "the token alone, 'same-origin'; report-to is added for the endpoint of "
        "csp_report_uri or csp_report_path)",
        id="report-to-written-by-hand",
    ),
    pytest.param(
        {KEY: "require-corp"},
        f"{KEY}: 'require-corp' is not allowed {ALLOWED}",
        id="a-coep-token",
    ),
    pytest.param({KEY: True}, f"{KEY}: True is not allowed {ALLOWED}", id="true"),
    pytest.param(
        {KEY: "false"}, f"{KEY}: 'false' is not allowed {ALLOWED}", id="string-false"
    ),
    pytest.param({KEY: ""}, f"{KEY}: '' is not allowed {ALLOWED}", id="empty"),
    pytest.param(
        {KEY: ["same-origin"]},
        f"{KEY}: ['same-origin'] is not allowed {ALLOWED}",
        id="list",
    ),
    pytest.param(
        {KEY: "same-origin\r\nX-Evil: 1"},
        f"{KEY}: 'same-origin\\r\\nX-Evil: 1' is not allowed {ALLOWED}. "
        "Did you mean 'same-origin'?",
        id="injection",
    ),
    pytest.param(
        {"paths": [{"prefix": "/a/", KEY: "same-site"}]},
        f"paths[0].{KEY}: 'same-site' is not allowed {ALLOWED}. Did you mean "
        "'same-origin'?",
        id="in-a-rule",
    ),
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_value_is_refused_at_start_up(
    config: dict[str, Any], message: str, tmp_path: Path
) -> None:
    assert_refused(config, message, tmp_path)


@pytest.mark.parametrize(
    "token", ["same-origin", "same-origin-allow-popups", "noopener-allow-popups"]
)
def test_the_token_is_sent_with_report_to(token: str) -> None:
    assert header_value({KEY: token, **RECEIVER}, NAME) == (
        f'{token}; report-to="csp-endpoint"'
    )


def test_beside_the_enforced_header() -> None:
    config = {
        "cross_origin_opener_policy": "same-origin-allow-popups",
        KEY: "same-origin",
        **RECEIVER,
    }
    assert header_value(config, "Cross-Origin-Opener-Policy") == (
        "same-origin-allow-popups"
    )
    assert header_value(config, NAME) == 'same-origin; report-to="csp-endpoint"'


def test_off_by_default_and_with_false() -> None:
    assert header_value({}, NAME) is None
    assert header_value({KEY: False}, NAME) is None
