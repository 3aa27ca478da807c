"""Per-path rules meet modern CSP: presets, nonces, report-only and the receiver in rules."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from webtest import TestApp

from secheaders_wsgi import ConfigError, SecureHeaders, csp_nonce, load_config
from secheaders_wsgi.policy import headers
from secheaders_wsgi.presets import STRICT_HSTS
from tests.support import HTTPS, RecordingApp, served, values


def noncing_app(
    environ: dict[str, Any], start_response: Callable[..., Any]
) -> list[bytes]:
    value = csp_nonce(environ)
    start_response("200 OK", [("Content-Type", "text/html")])
    return [value.encode()]


def test_preset_in_a_rule_replaces_the_base_policy_instead_of_merging() -> None:
    config = {"paths": [{"prefix": "/admin/", "preset": "strict"}]}
    rule = load_config(config).paths[0][1]
    assert rule == load_config({"preset": "strict"})
    admin = dict(headers(rule, https=True))
    assert "img-src * data: blob:" not in admin["Content-Security-Policy"]
    assert admin["X-XSS-Protection"] == "0"


def test_rule_keys_beside_a_preset_win_as_at_the_top_level() -> None:
    config = {
        "permissions_policy": {"camera": []},
        "paths": [
            {
                "prefix": "/admin/",
                "preset": "strict",
                "csp_header": {
                    "default-src": "'self'",
                    "img-src": "https://img.example",
                },
                "permissions_policy": {"usb": []},
            }
        ],
    }
    rule = load_config(config).paths[0][1]
    assert rule.csp_header == (
        ("default-src", ("'self'",)),
        ("img-src", ("https://img.example",)),
    )
    assert rule.permissions_policy == (("usb", ()),)  # replaced, not merged
    assert rule.csp_unsafe_inline is False  # from the preset
    assert dict(headers(rule, https=False))["Content-Security-Policy"] == (
        "default-src 'self'; img-src https://img.example; frame-ancestors 'none'"
    )


def test_a_strict_base_reaches_its_rules() -> None:
    config = {
        "preset": "strict",
        "server_secured": True,
        "paths": [{"prefix": "/api/", "csp_header": False}],
    }
    app = served(config)
    api = app.get("/api/x")
    assert values(api, "Content-Security-Policy") == []
    assert values(api, "X-XSS-Protection") == []  # it goes with the CSP
    assert values(api, "Strict-Transport-Security") == [STRICT_HSTS]
    # The preset's csp_frame_ancestors: false, said without a CSP to carry it.
    assert values(api, "X-Frame-Options") == ["DENY"]


def test_explicit_xss_protection_beats_the_preset() -> None:
    config = load_config({"preset": "strict", "xss_protection": "1; mode=block"})
    assert dict(headers(config, https=False))["X-XSS-Protection"] == "1; mode=block"


def test_force_https_gets_the_strict_hsts_under_the_strict_preset() -> None:
    config = load_config({"preset": "strict", "force_https": True})
    assert dict(headers(config, https=True))["Strict-Transport-Security"] == STRICT_HSTS


def test_nonce_goes_into_the_rule_policy() -> None:
    config = {
        "csp_unsafe_inline": False,
        "paths": [{"prefix": "/admin", "csp_header": {"script-src": "'self'"}}],
    }
    app = TestApp(SecureHeaders(noncing_app, config))
    response = app.get("/admin/x")
    policy = response.headers["Content-Security-Policy"]
    assert f"script-src 'self' 'unsafe-eval' 'nonce-{response.text}';" in policy
    assert response.headers["Cache-Control"] == "private"


def test_report_only_policy_derives_no_x_frame_options() -> None:
    with pytest.warns(Warning, match="no report endpoint"):
        config = load_config({"csp_frame_ancestors": False, "csp_report_only": True})
    sent = dict(headers(config, https=False))
    assert "frame-ancestors 'none'" in sent["Content-Security-Policy-Report-Only"]
    assert "X-Frame-Options" not in sent


def test_receiver_answers_whatever_the_rules_say() -> None:
    config = {
        "csp_report_path": "/_/csp",
        "force_https": True,
        "paths": [{"prefix": "/_", "csp_header": False}],
    }
    recorder = RecordingApp()
    app = served(config, app=recorder)
    response = app.post(
        "/_/csp",
        params=b'{"csp-report": {"blocked-uri": "inline"}}',
        content_type="application/csp-report",
        extra_environ=HTTPS,
        expect_errors=True,
    )
    assert response.status_int == 204
    assert recorder.calls == []


@pytest.mark.parametrize("key", ["csp_report_path", "csp_report_max_bytes"])
def test_receiver_keys_are_site_wide(key: str) -> None:
    value = "/_/csp" if key == "csp_report_path" else 1024
    with pytest.raises(
        ConfigError,
        match=re.escape(
            f"paths[0].{key}: not allowed in a rule: the report receiver is one "
            "endpoint for the whole site"
        ),
    ):
        load_config({"paths": [{"prefix": "/a", key: value}]})


def test_a_rule_can_trial_a_report_only_policy() -> None:
    config = {
        "csp_report_uri": "https://reports.example/csp",
        "paths": [
            {"prefix": "/beta", "csp_report_only_header": {"default-src": "'self'"}}
        ],
    }
    app = served(config)
    assert values(app.get("/"), "Content-Security-Policy-Report-Only") == []
    beta = values(app.get("/beta/x"), "Content-Security-Policy-Report-Only")
    assert beta == [
        "default-src 'self'; report-uri https://reports.example/csp; report-to csp-endpoint"
    ]


def test_bad_preset_in_a_rule_names_the_rule() -> None:
    with pytest.raises(
        ConfigError, match=r"^paths\[0\]\.preset: 'strcit' is not a preset"
    ):
        load_config({"paths": [{"prefix": "/a", "preset": "strcit"}]})
