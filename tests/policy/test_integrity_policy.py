"""Integrity-Policy and Integrity-Policy-Report-Only: an RFC 8941 dictionary of
inner token lists; endpoints name the Reporting-Endpoints group we define."""

from __future__ import annotations

from typing import Any

import pytest

from secheaders_wsgi import load_config
from secheaders_wsgi.policy import headers
from tests.support import header_value

ENFORCED = "Integrity-Policy"
REPORT_ONLY = "Integrity-Policy-Report-Only"
RECEIVER = {"csp_report_path": "/_/csp-reports"}


@pytest.mark.parametrize(
    ("key", "name"),
    [("integrity_policy", ENFORCED), ("integrity_policy_report_only", REPORT_ONLY)],
)
@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        pytest.param(
            {"blocked-destinations": ["script"]},
            "blocked-destinations=(script)",
            id="script",
        ),
        pytest.param(
            {"blocked-destinations": ["style"]},
            "blocked-destinations=(style)",
            id="style",
        ),
        pytest.param(
            {"sources": ["inline"], "blocked-destinations": ["script", "style"]},
            "blocked-destinations=(script style), sources=(inline)",
            id="members-in-the-headers-order",
        ),
        pytest.param(
            {"blocked-destinations": ["script"], "endpoints": ["csp-endpoint"]},
            "blocked-destinations=(script), endpoints=(csp-endpoint)",
            id="endpoint",
        ),
    ],
)
def test_the_dictionary_is_serialized(
    key: str, name: str, policy: dict[str, Any], expected: str
) -> None:
    assert header_value({key: policy, **RECEIVER}, name) == expected


def test_both_can_go_together() -> None:
    config = load_config(
        {
            "integrity_policy": {"blocked-destinations": ["script"]},
            "integrity_policy_report_only": {"blocked-destinations": ["style"]},
        }
    )
    sent = dict(headers(config, https=True))
    assert sent[ENFORCED] == "blocked-destinations=(script)"
    assert sent[REPORT_ONLY] == "blocked-destinations=(style)"


def test_no_header_by_default() -> None:
    sent = dict(headers(load_config({}), https=True))
    assert ENFORCED not in sent and REPORT_ONLY not in sent


def test_an_endpoint_brings_reporting_endpoints_even_without_a_csp() -> None:
    config = {
        "csp_header": False,
        "integrity_policy": {
            "blocked-destinations": ["script"],
            "endpoints": ["csp-endpoint"],
        },
        **RECEIVER,
    }
    assert header_value(config, "Reporting-Endpoints") == (
        'csp-endpoint="/_/csp-reports"'
    )


def test_without_endpoints_no_reporting_endpoints_without_a_csp() -> None:
    config = {
        "csp_header": False,
        "integrity_policy": {"blocked-destinations": ["script"]},
        **RECEIVER,
    }
    assert header_value(config, "Reporting-Endpoints") is None
