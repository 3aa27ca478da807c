"""``preset: standard``: helmet's policy and headers, every key beside it winning,
and its grade by Mozilla Observatory's header tests and Google's CSP Evaluator."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

import pytest
from webtest import TestApp

from secheaders_wsgi import SecureHeaders, load_config
from secheaders_wsgi.audit import audit
from secheaders_wsgi.config import Config
from secheaders_wsgi.config.presets import PRESETS
from tests.support import HTTPS, RecordingApp, csp_of, served

STANDARD = {"preset": "standard", "server_secured": True}

# The issue's policy, as helmet sends it.
ISSUE_POLICY = (
    "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; "
    "form-action 'self'; frame-ancestors 'self'; img-src 'self' data:; "
    "object-src 'none'; script-src 'self'; script-src-attr 'none'; "
    "style-src 'self' https: 'unsafe-inline'; upgrade-insecure-requests"
)
# What is sent: the same directives with the same sources; frame-ancestors
# comes last, as it always does here (it has its own key, csp_frame_ancestors).
SENT_POLICY = (
    "default-src 'self'; base-uri 'self'; font-src 'self' https: data:; "
    "form-action 'self'; img-src 'self' data:; object-src 'none'; "
    "script-src 'self'; script-src-attr 'none'; "
    "style-src 'self' https: 'unsafe-inline'; upgrade-insecure-requests; "
    "frame-ancestors 'self'"
)
STANDARD_HEADERS = {
    "Content-Security-Policy": SENT_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-XSS-Protection": "0",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Strict-Transport-Security": "max-age=31556926; includeSubDomains",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
    "Origin-Agent-Cluster": "?1",
}


def _ours(config: Any, path: str = "/", nonce: bool = False) -> dict[str, str]:
    response = served(config, nonce=nonce).get(path, extra_environ=HTTPS)
    skip = {"content-type", "content-length"}
    return {k: v for k, v in response.headerlist if k.lower() not in skip}


def test_standard_sends_exactly_the_issues_headers_over_https() -> None:
    assert _ours(STANDARD) == STANDARD_HEADERS


def test_standard_policy_is_the_issues_directive_for_directive() -> None:
    sent = csp_of(_ours(STANDARD)["Content-Security-Policy"])
    assert sent == csp_of(ISSUE_POLICY)


def test_standard_without_server_secured_sends_the_same_but_hsts() -> None:
    expected = dict(STANDARD_HEADERS)
    del expected["Strict-Transport-Security"]
    assert _ours({"preset": "standard"}) == expected


def test_standard_needs_no_nonce_and_takes_one_in_script_src_only() -> None:
    response = served(STANDARD, nonce=True).get("/", extra_environ=HTTPS)
    policy = csp_of(response.headers["Content-Security-Policy"])
    # style-src holds 'unsafe-inline', which a nonce would switch off.
    assert policy["script-src"] == ["'self'", f"'nonce-{response.text}'"]
    assert policy["style-src"] == ["'self'", "https:", "'unsafe-inline'"]


# A value for every key, unlike the standard preset's and the default.
OTHER_VALUES: dict[str, Any] = {
    "server_secured": False,
    "hsts_header": "max-age=600",
    "csp_header": {"default-src": "'self'", "img-src": "*"},
    "csp_safe_src": ["'self'", "cdn.example.com"],
    "csp_unsafe_inline": True,
    "csp_unsafe_eval": True,
    "csp_frame_ancestors": False,
    "referrer_policy": "no-referrer",
    "debug": True,
    "preset": "standard",
    "csp_nonce_directives": ["script-src-elem"],
    "csp_nonce_cache_control": "no-store",
    "csp_report_only": True,
    "csp_report_only_header": {"default-src": "'none'"},
    "csp_report_uri": "https://reports.example.com/csp",
    "csp_report_path": "/_/csp-reports",
    "csp_report_max_bytes": 1000,
    "csp_report_sample_rate": 0.5,
    "report_sink": {"sqlite": "reports.db"},
    "report_rate": 5,
    "report_window_seconds": 0,
    "report_summary_seconds": 600,
    "permissions_policy": {"camera": []},
    "cross_origin_opener_policy": "unsafe-none",
    "cross_origin_embedder_policy": "credentialless",
    "cross_origin_resource_policy": "cross-origin",
    "cross_origin_opener_policy_report_only": "same-origin",
    "cross_origin_embedder_policy_report_only": "require-corp",
    "cross_origin": {"mode": "isolation"},
    "x_frame_options": "DENY",
    "xss_protection": "1",
    "origin_agent_cluster": False,
    "x_dns_prefetch_control": True,
    "x_permitted_cross_domain_policies": "none",
    "x_download_options": "noopen",
    "clear_site_data": ["cookies"],
    "cache_control": "no-store",
    "integrity_policy": {"blocked-destinations": ["script"]},
    "integrity_policy_report_only": {"blocked-destinations": ["style"]},
    "remove_headers": [],
    "force_https": True,
    "force_https_permanent": False,
    "redirect_host": "www.example.com",
    "force_https_exempt": ["/healthz"],
    "allowed_hosts": ["example.com"],
    "trusted_proxies": 1,
    "cookie_samesite": "Lax",
    "cookie_httponly": True,
}
# Keys that go with another to make a valid config.
_COMPANIONS: dict[str, dict[str, Any]] = {
    "csp_report_only": {"csp_report_path": "/_/csp-reports"},
    "csp_report_sample_rate": {"csp_report_path": "/_/csp-reports"},
    "report_sink": {"csp_report_path": "/_/csp-reports"},
    "report_rate": {"csp_report_path": "/_/csp-reports"},
    "report_window_seconds": {"csp_report_path": "/_/csp-reports"},
    "report_summary_seconds": {"csp_report_path": "/_/csp-reports"},
    "csp_report_only_header": {"csp_report_path": "/_/csp-reports"},
    "force_https": {"server_secured": False},
    "force_https_permanent": {"force_https": True, "server_secured": False},
    "redirect_host": {"force_https": True, "server_secured": False},
    "force_https_exempt": {"force_https": True, "server_secured": False},
    "allowed_hosts": {"force_https": True, "server_secured": False},
    "debug": {"csp_header": {"default-src": "'self'"}},
    "csp_unsafe_inline": {"csp_header": {"default-src": "'self'"}},
    "csp_unsafe_eval": {"csp_header": {"default-src": "'self'"}},
    "x_frame_options": {"csp_frame_ancestors": False},
    "cookie_samesite": {},
    "cross_origin_opener_policy_report_only": {"csp_report_path": "/_/csp-reports"},
    "cross_origin_embedder_policy_report_only": {"csp_report_path": "/_/csp-reports"},
}
# Rules and page lists no preset sets: each builds on the settings instead.
_NOT_A_SETTING = {"paths", "preset", "overrides", "framework_pages"}


def test_the_table_has_a_value_for_every_key() -> None:
    keys = {f.name for f in fields(Config)} - _NOT_A_SETTING
    assert keys <= set(OTHER_VALUES)


@pytest.mark.filterwarnings("ignore:clear_site_data. at the top level")
# The same keys without the preset: a custom policy beside the default
# switches warns there, which is not what this test is about.
@pytest.mark.filterwarnings("ignore:csp_header. the custom policy is not sent")
@pytest.mark.parametrize(
    "key", sorted(set(OTHER_VALUES) - _NOT_A_SETTING), ids=lambda k: str(k)
)
def test_every_key_beside_the_preset_overrides_it(key: str) -> None:
    given = {**STANDARD, **_COMPANIONS.get(key, {}), key: OTHER_VALUES[key]}
    with_preset = load_config(given)
    without = load_config({k: v for k, v in given.items() if k != "preset"})

    # The key holds what it would hold without the preset.
    assert getattr(with_preset, key) == getattr(without, key)
    # And it differs from the preset's own value (or the default).
    alone = load_config({**STANDARD, **_COMPANIONS.get(key, {})})
    assert getattr(with_preset, key) != getattr(alone, key) or key in _COMPANIONS


@pytest.mark.parametrize(
    ("override", "name", "expected"),
    [
        pytest.param(
            {"csp_frame_ancestors": ["'self'", "https://partner.example"]},
            "X-Frame-Options",
            None,
            id="frame-ancestors-partner-drops-xfo",
        ),
        pytest.param(
            {"csp_frame_ancestors": False}, "X-Frame-Options", "DENY", id="xfo-deny"
        ),
        pytest.param(
            {"xss_protection": "1; mode=block"},
            "X-XSS-Protection",
            "1; mode=block",
            id="xss",
        ),
        pytest.param(
            {"cross_origin_opener_policy": False},
            "Cross-Origin-Opener-Policy",
            None,
            id="coop-off",
        ),
        pytest.param(
            {"cross_origin_resource_policy": "same-site"},
            "Cross-Origin-Resource-Policy",
            "same-site",
            id="corp",
        ),
        pytest.param(
            {"origin_agent_cluster": False},
            "Origin-Agent-Cluster",
            "?0",
            id="oac-off",
        ),
        pytest.param(
            {"csp_header": {"default-src": "'self'"}},
            "Content-Security-Policy",
            "default-src 'self'; frame-ancestors 'self'",
            id="own-policy-keeps-frame-ancestors",
        ),
        pytest.param(
            {"csp_unsafe_eval": True},
            "Content-Security-Policy",
            SENT_POLICY.replace(
                "script-src 'self';", "script-src 'self' 'unsafe-eval';"
            ).replace(
                "https: 'unsafe-inline';", "https: 'unsafe-inline' 'unsafe-eval';"
            ),
            id="unsafe-eval",
        ),
    ],
)
def test_header_keys_beside_the_preset_change_their_header_only(
    override: dict[str, Any], name: str, expected: str | None
) -> None:
    sent = _ours({**STANDARD, **override})
    assert sent.get(name) == expected
    others = {k: v for k, v in STANDARD_HEADERS.items() if k != name}
    if name == "Content-Security-Policy" or "frame" in str(override):
        others.pop("X-Frame-Options", None)
        others.pop("Content-Security-Policy", None)
    assert {k: sent.get(k) for k in others} == others


def test_standard_in_a_path_rule_applies_there_only() -> None:
    config = {"paths": [{"prefix": "/app/", "preset": "standard"}]}
    app = TestApp(SecureHeaders(RecordingApp(), config))
    assert "Origin-Agent-Cluster" not in app.get("/").headers
    inside = app.get("/app/x").headers
    assert inside["Content-Security-Policy"] == SENT_POLICY
    assert inside["Origin-Agent-Cluster"] == "?1"


def test_standard_is_one_of_the_presets() -> None:
    assert set(PRESETS) == {"standard", "strict"}


# -- Grading


# Mozilla Observatory's content_security_policy test, as http-observatory's
# httpobs/scanner/analyzer/headers.py runs it, for one policy over https.
_BROAD = ("ftp:", "http:", "https:", "*", "http://*", "http://*.*", "https://*")
_INLINE = ("'unsafe-inline'", "data:")


def observatory_csp(value: str) -> str:
    csp = {name: set(sources) for name, sources in csp_of(value).items()}
    default = csp.get("default-src")
    script = csp.get("script-src") or default or {"*"}
    style = csp.get("style-src") or default or {"*"}
    objects = csp.get("object-src") or default or {"*"}
    nonced = any(s.startswith(("'nonce-", "'sha")) for s in script)
    if nonced and "'strict-dynamic'" in script:
        script = {s for s in script if s not in ("'self'", "'unsafe-inline'")}
        script = {s for s in script if not s.startswith(_BROAD)}
    if script & {*_BROAD, *_INLINE} or objects & set(_BROAD):
        return "csp-implemented-with-unsafe-inline"
    if (script | style) & {"'unsafe-eval'"}:
        return "csp-implemented-with-unsafe-eval"
    if style & {*_BROAD, *_INLINE}:
        return "csp-implemented-with-unsafe-inline-in-style-src-only"
    if default == {"'none'"}:
        return "csp-implemented-with-no-unsafe-default-src-none"
    return "csp-implemented-with-no-unsafe"


# The score of each result (developer.mozilla.org/en-US/observatory/docs/
# tests_and_scoring).
_CSP_SCORE = {
    "csp-implemented-with-no-unsafe-default-src-none": 10,
    "csp-implemented-with-no-unsafe": 5,
    "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
    "csp-implemented-with-unsafe-eval": -10,
    "csp-implemented-with-unsafe-inline": -20,
}


def observatory(headers: dict[str, str]) -> dict[str, int]:
    csp = headers["Content-Security-Policy"]
    hsts = headers.get("Strict-Transport-Security", "")
    max_age = int(hsts.split("max-age=")[1].split(";")[0]) if hsts else 0
    private = {"no-referrer", "same-origin", "strict-origin"}
    private.add("strict-origin-when-cross-origin")
    xfo = headers.get("X-Frame-Options", "").lower()
    return {
        "csp": _CSP_SCORE[observatory_csp(csp)],
        # referrer-policy-private: +5
        "referrer": 5 if headers.get("Referrer-Policy") in private else 0,
        # hsts-implemented-max-age-at-least-six-months: 0
        "hsts": 0 if max_age >= 15768000 else -20,
        "nosniff": 0 if headers.get("X-Content-Type-Options") == "nosniff" else -5,
        # x-frame-options-implemented-via-csp: +5 (any frame-ancestors);
        # x-frame-options-sameorigin-or-deny: 0
        "framing": 5
        if "frame-ancestors" in csp_of(csp)
        else 0
        if xfo in ("deny", "sameorigin")
        else -20,
        "corp": 0
        if headers.get("Cross-Origin-Resource-Policy") in ("same-origin", "same-site")
        else -5,
    }


def test_observatory_emulation_agrees_on_the_strict_preset() -> None:
    strict = _ours({"preset": "strict", "server_secured": True}, nonce=True)
    assert observatory_csp(strict["Content-Security-Policy"]) == (
        "csp-implemented-with-no-unsafe-default-src-none"
    )
    assert 100 + sum(observatory(strict).values()) == 120


def test_standard_grades_a_plus_on_the_observatory_header_tests() -> None:
    modifiers = observatory(_ours(STANDARD))

    assert modifiers == {
        "csp": 0,  # 'unsafe-inline' and https: in style-src only
        "referrer": 5,
        "hsts": 0,
        "nosniff": 0,
        "framing": 5,
        "corp": 0,
    }
    assert 100 + sum(modifiers.values()) == 110  # A+ from 100 up


def test_the_styles_are_what_keeps_standard_from_the_csp_bonus() -> None:
    strict_styles = {**STANDARD, "csp_header": {"default-src": "'self'"}}
    assert observatory_csp(_ours(strict_styles)["Content-Security-Policy"]) == (
        "csp-implemented-with-no-unsafe"
    )


# Google's CSP Evaluator (csp_evaluator on npm, run by hand on this policy:
# docs/configuration.md quotes its output): its checks that look at these directives.
def csp_evaluator(value: str) -> list[tuple[str, str]]:
    csp = csp_of(value)
    script = csp.get("script-src", csp.get("default-src"))
    findings = []
    for name in ("script-src", "object-src", "base-uri"):
        if name not in csp and not (name != "base-uri" and "default-src" in csp):
            findings.append(("HIGH", f"{name} missing"))
    for source in script or []:
        if source in ("'unsafe-inline'", "'unsafe-eval'", "*", "data:", "https:"):
            findings.append(("HIGH", f"script-src {source}"))
        elif source == "'self'" and "'strict-dynamic'" not in script:
            findings.append(
                (
                    "MEDIUM_MAYBE",
                    "'self' can be problematic if you host JSONP, AngularJS or "
                    "user uploaded files.",
                )
            )
    return findings


def test_standard_has_one_maybe_finding_and_nothing_high_by_the_csp_evaluator() -> None:
    findings = csp_evaluator(_ours(STANDARD)["Content-Security-Policy"])
    assert findings == [
        (
            "MEDIUM_MAYBE",
            "'self' can be problematic if you host JSONP, AngularJS or user "
            "uploaded files.",
        )
    ]


def test_standard_audit_findings() -> None:
    found = {(f.rule, f.severity) for f in audit(load_config(STANDARD))}
    assert found == {
        ("style-unsafe-inline", "low"),
        ("no-reporting", "low"),
        ("oshp-cross-origin-embedder-policy", "low"),
        ("oshp-permissions-policy", "low"),
        ("oshp-x-permitted-cross-domain-policies", "low"),
        ("cross-origin-report-only", "info"),
    }
