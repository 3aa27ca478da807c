"""What the two report-only isolation headers share: ``report-to`` naming the
CSP's Reporting-Endpoints group, that group sent for them alone, sampling, the
warning without an endpoint, and their place in the header order."""

from __future__ import annotations

from typing import Any

import pytest

from secheaders_wsgi import SecurityWarning, load_config
from secheaders_wsgi.policy import headers
from tests.support import served, values

COOP = ("cross_origin_opener_policy_report_only", "same-origin")
COEP = ("cross_origin_embedder_policy_report_only", "require-corp")
NAMES = {
    COOP[0]: "Cross-Origin-Opener-Policy-Report-Only",
    COEP[0]: "Cross-Origin-Embedder-Policy-Report-Only",
}
BOTH = pytest.mark.parametrize(("key", "token"), [COOP, COEP], ids=["coop", "coep"])


def _sent(config: dict[str, Any], *, reporting: bool = True) -> dict[str, str]:
    return dict(headers(load_config(config), https=True, reporting=reporting))


@BOTH
@pytest.mark.parametrize(
    "endpoint",
    [
        pytest.param({"csp_report_path": "/_/csp-reports"}, id="receiver"),
        pytest.param({"csp_report_uri": "https://r.example/reports"}, id="uri"),
    ],
)
@pytest.mark.parametrize("csp", [True, False], ids=["with-csp", "without-csp"])
def test_report_to_names_the_group_reporting_endpoints_defines(
    key: str, token: str, endpoint: dict[str, str], csp: bool
) -> None:
    sent = _sent({key: token, "csp_header": csp, **endpoint})
    assert sent[NAMES[key]] == f'{token}; report-to="csp-endpoint"'
    [url] = endpoint.values()
    assert sent["Reporting-Endpoints"] == f'csp-endpoint="{url}"'


@BOTH
def test_without_an_endpoint_the_token_goes_alone_and_it_warns(
    key: str, token: str
) -> None:
    with pytest.warns(
        SecurityWarning,
        match=rf"^{key}: the report-only header has no report endpoint, so what "
        "it would block only shows in the browser's console; set csp_report_uri "
        "or csp_report_path to collect the reports$",
    ):
        config = load_config({key: token})
    sent = dict(headers(config, https=True))
    assert sent[NAMES[key]] == token
    assert "Reporting-Endpoints" not in sent


@BOTH
def test_a_policy_reporting_itself_is_no_endpoint_for_them(
    key: str, token: str
) -> None:
    """report-uri written into the CSP reports the CSP only: it still warns."""
    with pytest.warns(SecurityWarning, match=rf"^{key}: "):
        load_config({key: token, "csp_header": {"report-uri": "/r"}})


@BOTH
def test_the_unsampled_variant_carries_no_report_to(key: str, token: str) -> None:
    sent = _sent(
        {key: token, "csp_header": False, "csp_report_path": "/r"}, reporting=False
    )
    assert sent[NAMES[key]] == token
    assert "Reporting-Endpoints" not in sent


@BOTH
def test_sample_rate_zero_never_reports(key: str, token: str) -> None:
    config = {key: token, "csp_report_path": "/r", "csp_report_sample_rate": 0}
    response = served(config).get("/")
    assert values(response, NAMES[key]) == [token]
    assert values(response, "Reporting-Endpoints") == []


def test_both_at_once_share_one_reporting_endpoints() -> None:
    response = served(
        {COOP[0]: COOP[1], COEP[0]: COEP[1], "csp_report_path": "/r"}
    ).get("/")
    assert values(response, "Reporting-Endpoints") == ['csp-endpoint="/r"']
    names = [name.lower() for name, _ in response.headerlist]
    coop, coep = NAMES[COOP[0]].lower(), NAMES[COEP[0]].lower()
    assert names.index(coop) + 1 == names.index(coep)


def test_they_follow_the_enforced_trio_and_precede_x_frame_options() -> None:
    config = {
        "preset": "strict",
        COOP[0]: "same-origin",
        COEP[0]: "credentialless",
        "csp_report_path": "/r",
    }
    names = list(_sent(config))
    trio_and_twins = [
        "Cross-Origin-Opener-Policy",
        "Cross-Origin-Embedder-Policy",
        "Cross-Origin-Resource-Policy",
        NAMES[COOP[0]],
        NAMES[COEP[0]],
        "X-Frame-Options",
    ]
    start = names.index(trio_and_twins[0])
    assert names[start : start + len(trio_and_twins)] == trio_and_twins
