"""Report-only policies, report-uri / report-to and Reporting-Endpoints."""

from __future__ import annotations

from typing import Any

import pytest

from secheaders_wsgi import ConfigError, SecureHeaders, SecurityWarning, load_config
from secheaders_wsgi.cli import main
from tests.support import csp_of, served, values

CSP = "Content-Security-Policy"
CSP_RO = "Content-Security-Policy-Report-Only"
REPORT = {"csp_report_uri": "https://reports.example.com/csp"}


def test_csp_report_only_sends_the_policy_as_report_only() -> None:
    enforced = served({}).get("/")
    trial = served({"csp_report_only": True, **REPORT}).get("/")
    assert CSP not in trial.headers
    assert csp_of(trial.headers[CSP_RO]) == {
        **csp_of(enforced.headers[CSP]),
        "report-uri": ["https://reports.example.com/csp"],
        "report-to": ["csp-endpoint"],
    }
    # the companion headers still come with the policy
    assert trial.headers["X-Content-Type-Options"] == "nosniff"


def test_report_only_policy_gets_the_nonce() -> None:
    config = {"csp_report_only": True, "csp_unsafe_inline": False, **REPORT}
    response = served(config, nonce=True).get("/")
    policy = csp_of(response.headers[CSP_RO])
    assert f"'nonce-{response.text}'" in policy["script-src"]
    assert response.headers["Cache-Control"] == "private"


def test_trial_policy_is_sent_beside_the_enforced_one_as_written() -> None:
    config = {
        "csp_safe_src": ["'self'", "cdn.example.com"],
        "csp_frame_ancestors": False,
        "csp_report_only_header": {
            "default-src": "'none'",
            "script-src": ["'safe-src'", "'strict-dynamic'"],
            "style-src": "'safe-src'",
        },
        **REPORT,
    }
    response = served(config, nonce=True).get("/")
    enforced = csp_of(response.headers[CSP])
    trial = csp_of(response.headers[CSP_RO])
    nonce = f"'nonce-{response.text}'"
    # the unsafe switches (on by default) apply to the enforced policy only...
    assert "'unsafe-inline'" in enforced["script-src"]
    assert "nonce-" not in response.headers[CSP]
    # ...the trial is sent as written, 'safe-src' expanded, with the nonce
    assert trial == {
        "default-src": ["'none'"],
        "script-src": ["'self'", "cdn.example.com", "'strict-dynamic'", nonce],
        "style-src": ["'self'", "cdn.example.com", nonce],
        "report-uri": ["https://reports.example.com/csp"],
        "report-to": ["csp-endpoint"],
    }
    assert enforced["frame-ancestors"] == ["'none'"]  # csp_frame_ancestors: enforced
    assert len(values(response, CSP_RO)) == 1


def test_trial_policy_alone_without_an_enforced_one() -> None:
    config = {"csp_header": False, "csp_report_only_header": {"default-src": "'self'"}}
    response = served({**config, **REPORT}).get("/")
    assert CSP not in response.headers
    assert csp_of(response.headers[CSP_RO])["default-src"] == ["'self'"]
    assert "Reporting-Endpoints" in response.headers


def test_both_report_only_keys_at_once_is_a_config_error() -> None:
    with pytest.raises(
        ConfigError,
        match=r"^csp_report_only: true cannot be combined with csp_report_only_header",
    ):
        load_config(
            {
                "csp_report_only": True,
                "csp_report_only_header": {"default-src": "'self'"},
                **REPORT,
            }
        )


@pytest.mark.parametrize(
    ("config", "key"),
    [
        pytest.param({"csp_report_only": True}, "csp_report_only", id="report-only"),
        pytest.param(
            {"csp_report_only_header": {"default-src": "'self'"}},
            "csp_report_only_header",
            id="trial",
        ),
    ],
)
def test_report_only_without_an_endpoint_warns(
    config: dict[str, Any], key: str
) -> None:
    with pytest.warns(SecurityWarning, match=rf"^{key}: .*no report endpoint"):
        app = SecureHeaders(lambda e, s: [], config)
    assert app.config.csp_report_uri is None


@pytest.mark.parametrize(
    "config",
    [
        pytest.param({"csp_report_only": True, **REPORT}, id="report-uri"),
        pytest.param({"csp_report_only": True, "csp_report_path": "/r"}, id="receiver"),
        pytest.param(
            {"csp_report_only_header": {"default-src": "'self'", "report-uri": "/r"}},
            id="written-in-the-policy",
        ),
        pytest.param({}, id="enforced-only"),
    ],
)
def test_no_warning_with_an_endpoint(config: dict[str, Any]) -> None:
    load_config(config)  # filterwarnings = error: a warning fails the test


@pytest.mark.parametrize(
    ("config", "uri"),
    [
        pytest.param(REPORT, "https://reports.example.com/csp", id="https-url"),
        pytest.param({"csp_report_uri": "/csp-reports"}, "/csp-reports", id="path"),
        pytest.param({"csp_report_path": "/_/csp"}, "/_/csp", id="receiver-path"),
        pytest.param(
            {**REPORT, "csp_report_path": "/_/csp"},
            "https://reports.example.com/csp",
            id="uri-wins-over-receiver",
        ),
    ],
)
def test_one_key_makes_report_uri_report_to_and_reporting_endpoints(
    config: dict[str, Any], uri: str
) -> None:
    response = served(config).get("/")
    policy = csp_of(response.headers[CSP])
    assert policy["report-uri"] == [uri]
    assert policy["report-to"] == ["csp-endpoint"]
    assert values(response, "Reporting-Endpoints") == [f'csp-endpoint="{uri}"']


def test_reporting_reaches_both_policies() -> None:
    config = {"csp_report_only_header": {"default-src": "'self'"}, **REPORT}
    response = served(config).get("/")
    for name in (CSP, CSP_RO):
        assert csp_of(response.headers[name])["report-to"] == ["csp-endpoint"]


def test_no_reporting_headers_by_default_or_without_a_policy() -> None:
    plain = served({}).get("/")
    assert "report-uri" not in plain.headers[CSP]
    assert "Reporting-Endpoints" not in plain.headers
    off = served({"csp_header": False, **REPORT}).get("/")
    assert "Reporting-Endpoints" not in off.headers


def test_reporting_from_yaml_matches_the_dict(tmp_path: Any) -> None:
    path = tmp_path / "security.yaml"
    path.write_text(
        "csp_report_only: true\n"
        "csp_report_uri: https://reports.example.com/csp\n"
        "csp_report_path: /_/csp-reports\n"
        "csp_report_max_bytes: 1024\n",
        encoding="utf-8",
    )
    config = {
        "csp_report_only": True,
        "csp_report_path": "/_/csp-reports",
        "csp_report_max_bytes": 1024,
        **REPORT,
    }
    assert load_config(path) == load_config(config)


def test_cli_show_prints_the_reporting_headers(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "security.yaml"
    path.write_text("csp_report_path: /_/csp-reports\n", encoding="utf-8")
    assert main(["show", str(path)]) == 0
    out = capsys.readouterr().out
    assert 'Reporting-Endpoints: csp-endpoint="/_/csp-reports"\n' in out
    assert "report-uri /_/csp-reports; report-to csp-endpoint\n" in out
