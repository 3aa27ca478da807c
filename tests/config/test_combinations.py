"""Checks across keys: risky-but-valid settings warn, the good ones stay silent."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import pytest

from secheaders_wsgi import SecureHeaders, SecurityWarning, load_config


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


# A custom policy says what it gets: the 'unsafe-*' the default switches add.

_CUSTOM = {"default-src": "'self'"}
_BOTH = (
    "csp_header: the custom policy is not sent as written: csp_unsafe_inline and "
    "csp_unsafe_eval default to true and add 'unsafe-inline' to script-src, "
    "style-src; 'unsafe-eval' to script-src, style-src. Set csp_unsafe_inline: "
    "false and csp_unsafe_eval: false to send it as written, or set them to true "
    "to keep those sources and silence this warning"
)


def test_custom_policy_with_default_switches_warns_naming_the_fix() -> None:
    with pytest.warns(SecurityWarning) as record:
        load_config({"csp_header": _CUSTOM})
    assert [str(w.message) for w in record] == [_BOTH]


def test_the_warning_names_only_the_switch_left_at_its_default() -> None:
    with pytest.warns(SecurityWarning) as record:
        load_config({"csp_header": _CUSTOM, "csp_unsafe_inline": False})
    assert [str(w.message) for w in record] == [
        "csp_header: the custom policy is not sent as written: csp_unsafe_eval "
        "defaults to true and adds 'unsafe-eval' to script-src, style-src. Set "
        "csp_unsafe_eval: false to send it as written, or set it to true to keep "
        "those sources and silence this warning"
    ]


def test_the_warning_names_only_what_is_really_added() -> None:
    policy = {"script-src": "'self' 'unsafe-inline'", "style-src": "'self'"}
    with pytest.warns(SecurityWarning) as record:
        load_config({"csp_header": policy, "csp_unsafe_eval": False})
    assert "adds 'unsafe-inline' to style-src." in str(record[0].message)


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"csp_unsafe_inline": True, "csp_unsafe_eval": True}, id="true"),
        pytest.param(
            {"csp_unsafe_inline": False, "csp_unsafe_eval": False}, id="false"
        ),
        pytest.param({"csp_unsafe_inline": False, "csp_unsafe_eval": True}, id="mixed"),
        pytest.param({"preset": "strict"}, id="preset"),
    ],
)
def test_switches_set_on_purpose_stay_silent(extra: dict[str, Any]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_config({"csp_header": _CUSTOM, **extra})


def test_a_policy_without_script_or_style_sources_gets_nothing_and_is_silent() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_config({"csp_header": {"img-src": "'self'"}})
        load_config({"csp_header": True})  # the default policy: documented as is


def test_a_yaml_file_warns_the_same(tmp_path: Path) -> None:
    path = tmp_path / "security.yaml"
    path.write_text("csp_header:\n  default-src: \"'self'\"\n", encoding="utf-8")
    with pytest.warns(SecurityWarning) as record:
        load_config(path)
    assert [str(w.message) for w in record] == [_BOTH]


def test_a_rule_with_its_own_policy_warns_with_its_place() -> None:
    config = {"paths": [{"prefix": "/a/", "csp_header": {"script-src": "'self'"}}]}
    with pytest.warns(SecurityWarning) as record:
        load_config(config)
    assert [str(w.message) for w in record] == ["paths[0]." + _BOTH]


@pytest.mark.parametrize("where", ["top", "rule"])
def test_a_rule_is_silent_when_the_switches_are_set_on_purpose(where: str) -> None:
    flags = {"csp_unsafe_inline": False, "csp_unsafe_eval": False}
    rule: dict[str, Any] = {"prefix": "/a/", "csp_header": {"script-src": "'self'"}}
    config: dict[str, Any] = {"paths": [rule]}
    (config if where == "top" else rule).update(flags)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_config(config)
