"""Checks across keys: risky-but-valid settings warn, the good ones stay silent."""

from __future__ import annotations

import re
from typing import Any

import pytest

from secheaders_wsgi import SecureHeaders, SecurityWarning


@pytest.mark.parametrize(
    ("config", "message"),
    [
        pytest.param(
            {"allowed_hosts": ["example.com"]},
            "allowed_hosts: does nothing without force_https: true",
            id="allowed-hosts-alone",
        ),
        pytest.param(
            {"force_https_exempt": ["/healthz"]},
            "force_https_exempt: does nothing without force_https: true",
            id="exempt-alone",
        ),
        pytest.param(
            {"cookie_samesite": "None"},
            "cookie_samesite: 'None' makes cookies Secure too",
            id="samesite-none-over-http",
        ),
        pytest.param(
            {"remove_headers": ["server"]},
            "remove_headers[0]: 'Server' usually comes from the WSGI server",
            id="remove-server",
        ),
        pytest.param(
            {"permissions_policy": {"interest-cohort": []}},
            "permissions_policy.interest-cohort: 'interest-cohort' is obsolete",
            id="obsolete-feature",
        ),
        pytest.param(
            {"permissions_policy": {"quantum-entanglement": []}},
            "permissions_policy.quantum-entanglement: 'quantum-entanglement' is not a "
            "Permissions-Policy feature this version knows",
            id="unknown-feature",
        ),
        pytest.param(
            {"x_frame_options": "DENY", "csp_frame_ancestors": ["https://p.example"]},
            "x_frame_options: 'DENY' forbids framing that frame-ancestors allows "
            "(https://p.example)",
            id="xfo-contradicts-frame-ancestors",
        ),
        pytest.param(
            {
                "x_frame_options": "SAMEORIGIN",
                "csp_header": {"frame-ancestors": "'self' https://p.example"},
            },
            "x_frame_options: 'SAMEORIGIN' forbids framing that frame-ancestors "
            "allows (https://p.example)",
            id="xfo-contradicts-custom-frame-ancestors",
        ),
        pytest.param(
            {"paths": [{"prefix": "/a", "cookie_samesite": "None"}]},
            "paths[0].cookie_samesite: 'None' makes cookies Secure too",
            id="rule-warning-names-the-rule",
        ),
    ],
)
def test_risky_but_valid_settings_warn(config: dict[str, Any], message: str) -> None:
    with pytest.warns(SecurityWarning, match=f"^{re.escape(message)}"):
        SecureHeaders(lambda environ, start_response: [], config)


@pytest.mark.parametrize(
    "config",
    [
        pytest.param({"cookie_samesite": "None", "server_secured": True}, id="secured"),
        pytest.param({"cookie_samesite": "None", "force_https": True}, id="forced"),
        pytest.param(
            {"force_https": True, "allowed_hosts": ["a.example"]}, id="hosts-with-force"
        ),
        pytest.param({"trusted_proxies": 0}, id="zero-proxies"),
        pytest.param(
            {
                "force_https": True,
                "allowed_hosts": ["a.example"],
                "force_https_exempt": ["/healthz"],
                "paths": [{"prefix": "/legacy", "force_https": False}],
            },
            id="rule-turns-force-https-off",
        ),
        pytest.param(
            {
                "allowed_hosts": ["a.example"],
                "paths": [{"prefix": "/secure", "force_https": True}],
            },
            id="force-https-only-in-a-rule",
        ),
        pytest.param({"x_frame_options": "deny"}, id="xfo-lower-case"),
        pytest.param(
            {"x_frame_options": "SAMEORIGIN", "csp_frame_ancestors": ["'self'"]},
            id="xfo-agrees-with-frame-ancestors",
        ),
        pytest.param(
            {"x_frame_options": "DENY", "csp_frame_ancestors": False},
            id="xfo-deny-agrees-with-none",
        ),
        pytest.param(
            {
                "x_frame_options": "DENY",
                "csp_header": False,
                "csp_frame_ancestors": ["https://p.example"],
            },
            id="xfo-without-csp",
        ),
        pytest.param({"cookie_samesite": "strict"}, id="samesite-lower-case"),
    ],
)
def test_good_settings_do_not_warn(config: dict[str, Any]) -> None:
    SecureHeaders(lambda environ, start_response: [], config)  # filterwarnings=error
