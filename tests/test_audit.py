"""``audit``: each rule fires on the weakness it names and not on the fix."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from secheaders_wsgi import load_config
from secheaders_wsgi.audit import Finding, at_least, audit
from secheaders_wsgi.cli import main

HASH = "'sha256-" + "A" * 43 + "='"

# As strict as the config keys allow: only X-XSS-Protection: 1 remains, which
# the policy always sends beside a CSP.
STRICT: dict[str, Any] = {
    "server_secured": True,
    "csp_report_path": "/_/csp-reports",
    "csp_header": {
        "default-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
    },
    "csp_unsafe_inline": False,
    "csp_unsafe_eval": False,
    "csp_frame_ancestors": False,
    # The rest of the OWASP Secure Headers Project's site-wide headers.
    "permissions_policy": {"camera": []},
    "cross_origin_opener_policy": "same-origin",
    "cross_origin_embedder_policy": "require-corp",
    "cross_origin_resource_policy": "same-origin",
    "x_permitted_cross_domain_policies": "none",
    "cross_origin": {"mode": "csrf"},
}


def _findings(**changes: Any) -> dict[str, Finding]:
    """Findings for STRICT with ``changes``; a change to None drops the key."""
    config = {k: v for k, v in {**STRICT, **changes}.items() if v is not None}
    return {f.rule: f for f in audit(load_config(config))}


def _policy(**directives: str) -> dict[str, str]:
    return {**STRICT["csp_header"], **directives}


def test_strict_config_leaves_only_x_xss_protection() -> None:
    assert list(_findings()) == ["x-xss-protection-on"]


def test_strict_preset_with_a_receiver_has_no_findings() -> None:
    config = {"preset": "strict", "server_secured": True, "csp_report_path": "/r"}

    assert audit(load_config(config)) == ()


@pytest.mark.parametrize(
    ("changes", "rule", "severity"),
    [
        pytest.param({"csp_header": False}, "no-csp", "high", id="no-csp"),
        pytest.param(
            {"csp_report_only": True}, "csp-report-only", "high", id="report-only"
        ),
        pytest.param(
            {"csp_report_path": None}, "no-reporting", "low", id="no-reporting"
        ),
        pytest.param({"csp_header": False}, "no-nosniff", "medium", id="no-nosniff"),
        pytest.param(
            {"cross_origin": None}, "no-cross-origin", "low", id="no-cross-origin"
        ),
        pytest.param(
            {"cross_origin": False}, "no-cross-origin", "low", id="cross-origin-off"
        ),
        pytest.param(
            {"cross_origin": {"mode": "isolation", "report_only": True}},
            "cross-origin-report-only",
            "info",
            id="cross-origin-report-only",
        ),
        pytest.param(
            {"csp_unsafe_inline": True}, "script-unsafe-inline", "high", id="inline"
        ),
        pytest.param(
            {"debug": True}, "script-unsafe-inline", "high", id="inline-by-debug"
        ),
        pytest.param(
            {"csp_unsafe_inline": True}, "style-unsafe-inline", "low", id="inline-style"
        ),
        pytest.param(
            {"csp_unsafe_eval": True}, "script-unsafe-eval", "medium", id="eval"
        ),
        pytest.param(
            {"csp_header": _policy(**{"script-src": "'self' *"})},
            "script-any-host",
            "high",
            id="script-star",
        ),
        pytest.param(
            {"csp_header": _policy(**{"script-src": "'self' https:"})},
            "script-any-host",
            "high",
            id="script-https-scheme",
        ),
        pytest.param(
            {"csp_header": _policy(**{"default-src": "'self' data:"})},
            "script-any-host",
            "high",
            id="script-data-via-default-src",
        ),
        pytest.param(
            {"csp_header": {"img-src": "'self'"}},
            "script-src-missing",
            "high",
            id="script-src-missing",
        ),
        pytest.param(
            {"csp_header": {"img-src": "'self'"}},
            "object-src-missing",
            "medium",
            id="object-src-missing",
        ),
        pytest.param(
            {"csp_header": _policy(**{"object-src": "*"})},
            "object-src-any-host",
            "medium",
            id="object-src-star",
        ),
        pytest.param(
            {"csp_header": True}, "object-src-any-host", "medium", id="object-default"
        ),
        pytest.param(
            {"csp_header": _policy(**{"object-src": "'self'"})},
            "object-src-not-none",
            "low",
            id="object-src-self",
        ),
        pytest.param(
            {"csp_frame_ancestors": True}, "no-frame-ancestors", "medium", id="framing"
        ),
        pytest.param(
            {"csp_frame_ancestors": ["https:"]},
            "frame-ancestors-any-host",
            "medium",
            id="framing-any-https",
        ),
        pytest.param({"hsts_header": False}, "no-hsts", "high", id="no-hsts"),
        pytest.param(
            {"hsts_header": "max-age=300; includeSubDomains"},
            "hsts-short",
            "medium",
            id="hsts-minutes",
        ),
        pytest.param(
            {"hsts_header": "max-age=2592000; includeSubDomains"},
            "hsts-short",
            "low",
            id="hsts-a-month",
        ),
        pytest.param(
            {"hsts_header": "max-age=31556926"},
            "hsts-no-subdomains",
            "low",
            id="hsts-no-subdomains",
        ),
        pytest.param(
            {"csp_header": {k: v for k, v in _policy().items() if k != "base-uri"}},
            "no-base-uri",
            "medium",
            id="no-base-uri",
        ),
        pytest.param(
            {"csp_header": {k: v for k, v in _policy().items() if k != "form-action"}},
            "no-form-action",
            "low",
            id="no-form-action",
        ),
        pytest.param(
            {"csp_header": _policy(**{"object-src": "data:"})},
            "object-src-any-host",
            "medium",
            id="object-src-data",
        ),
        pytest.param(
            {"referrer_policy": "unsafe-url"},
            "referrer-leaks-urls",
            "medium",
            id="referrer-unsafe-url",
        ),
        pytest.param(
            {"referrer_policy": "no-referrer, no-referrer-when-downgrade"},
            "referrer-leaks-urls",
            "medium",
            id="referrer-last-token-counts",
        ),
    ],
)
def test_rule_fires(changes: dict[str, Any], rule: str, severity: str) -> None:
    findings = _findings(**changes)

    assert rule in findings, list(findings)
    assert findings[rule].severity == severity
    assert findings[rule].message and findings[rule].fix


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        pytest.param(
            {
                "csp_unsafe_inline": True,
                "csp_header": _policy(**{"script-src": f"'self' {HASH}"}),
            },
            "script-unsafe-inline",
            id="inline-ignored-beside-a-hash",
        ),
        pytest.param(
            {"server_secured": False, "hsts_header": False},
            "no-hsts",
            id="no-hsts-over-http-is-fine",
        ),
        pytest.param(
            {"csp_frame_ancestors": ["'self'"]},
            "frame-ancestors-any-host",
            id="framing-self",
        ),
        pytest.param(
            {"referrer_policy": "unsafe-url, strict-origin"},
            "referrer-leaks-urls",
            id="referrer-fallback-token",
        ),
        pytest.param(
            {"referrer_policy": False}, "referrer-leaks-urls", id="no-referrer-header"
        ),
        pytest.param(
            {"csp_report_path": None, "csp_report_uri": "https://r.example.com/csp"},
            "no-reporting",
            id="external-report-uri",
        ),
        pytest.param(
            {"csp_report_only_header": {"default-src": "'none'"}},
            "csp-report-only",
            id="trial-beside-an-enforced-policy",
        ),
        pytest.param(
            {"csp_frame_ancestors": True, "x_frame_options": "DENY"},
            "no-frame-ancestors",
            id="x-frame-options-alone",
        ),
        pytest.param(
            {"xss_protection": "0"}, "x-xss-protection-on", id="xss-protection-0"
        ),
        pytest.param(
            {"cross_origin": {"mode": "isolation"}},
            "no-cross-origin",
            id="cross-origin-isolation",
        ),
        pytest.param(
            {"cross_origin": {"mode": "csrf", "report_only": False}},
            "cross-origin-report-only",
            id="cross-origin-enforced",
        ),
    ],
)
def test_rule_stays_quiet(changes: dict[str, Any], rule: str) -> None:
    assert rule not in _findings(**changes)


@pytest.mark.parametrize(
    ("changes", "rule", "fix"),
    [
        pytest.param(
            {"csp_unsafe_inline": True},
            "script-unsafe-inline",
            "csp_unsafe_inline: false",
            id="inline",
        ),
        pytest.param(
            {"debug": True}, "script-unsafe-inline", "debug: false", id="debug"
        ),
        pytest.param(
            {"csp_header": True, "csp_safe_src": ["'self'", "*"]},
            "script-any-host",
            "remove '*' from csp_safe_src",
            id="wildcard-in-safe-src",
        ),
        pytest.param(
            {"csp_header": _policy(**{"script-src": "'self' data:"})},
            "script-any-host",
            "remove 'data:' from csp_header.script-src",
            id="wildcard-in-script-src",
        ),
        pytest.param(
            {"csp_header": _policy(**{"default-src": "'self' https:"})},
            "script-any-host",
            "remove 'https:' from csp_header.default-src",
            id="wildcard-in-default-src",
        ),
    ],
)
def test_fix_names_the_setting_to_change(
    changes: dict[str, Any], rule: str, fix: str
) -> None:
    assert _findings(**changes)[rule].fix.startswith(fix)


def test_paths_rules_report_only_what_the_top_level_does_not() -> None:
    paths = [
        {"prefix": "/embed/", "csp_frame_ancestors": ["*"], "x_frame_options": False},
        {"prefix": "/legacy/", "csp_unsafe_inline": True},
    ]
    findings = audit(load_config({**STRICT, "paths": paths}))

    scoped = sorted((f.prefix, f.rule) for f in findings if f.prefix is not None)
    assert scoped == [
        ("/embed/", "frame-ancestors-any-host"),
        ("/embed/", "oshp-x-frame-options"),
        ("/legacy/", "script-unsafe-inline"),
        ("/legacy/", "style-unsafe-inline"),
    ]
    # The top level's own finding is not repeated for each rule.
    assert [f.rule for f in findings].count("x-xss-protection-on") == 1
    assert at_least(findings, "high")


def test_findings_are_most_severe_first() -> None:
    severities = [f.severity for f in audit(load_config({}))]

    assert severities == sorted(severities, key=["high", "medium", "low"].index)
    assert severities[0] == "high"


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        pytest.param("high", False, id="high"),
        pytest.param("medium", False, id="medium"),
        pytest.param("low", True, id="low"),
    ],
)
def test_at_least(severity: Any, expected: bool) -> None:
    assert at_least(audit(load_config(STRICT)), severity) is expected


@pytest.mark.parametrize(
    ("args", "code"),
    [
        pytest.param([], 0, id="defaults-report-only"),
        pytest.param(["--fail-on", "high"], 1, id="defaults-fail-on-high"),
        pytest.param(
            ["examples/security.yaml", "--fail-on", "high"], 0, id="example-high"
        ),
        pytest.param(
            ["examples/security.yaml", "--fail-on", "medium"], 1, id="example-medium"
        ),
        pytest.param(["missing.yaml", "--fail-on", "high"], 2, id="bad-config"),
    ],
)
def test_audit_exit_codes(args: list[str], code: int, capsys: Any) -> None:
    assert main(["audit", *args]) == code


def test_audit_output_names_the_paths_rule(yaml_file: Any, capsys: Any) -> None:
    path = yaml_file(
        "csp_unsafe_inline: false\n"
        "paths:\n  - prefix: /legacy/\n    csp_unsafe_inline: true\n"
    )

    assert main(["audit", str(path), "--fail-on", "high"]) == 1
    assert (
        capsys.readouterr()
        .out.splitlines()[0]
        .startswith("HIGH    [paths /legacy/] script-unsafe-inline: ")
    )


def test_audit_output_lists_each_finding_with_its_fix(yaml_file: Any) -> None:
    path = yaml_file("csp_unsafe_eval: false\ncsp_frame_ancestors: false\n")

    ran = subprocess.run(
        [
            sys.executable,
            "-m",
            "secheaders_wsgi",
            "audit",
            str(path),
            "--fail-on",
            "high",
        ],
        capture_output=True,
        text=True,
    )

    assert ran.returncode == 1, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[:2] == [
        "HIGH    script-unsafe-inline: script-src allows 'unsafe-inline' without a "
        "nonce or hash: any injected <script> or onclick= runs, which is what CSP "
        "is for stopping",
        "        fix: csp_unsafe_inline: false (move inline scripts to files, or use "
        "nonces)",
    ]
    assert lines[-1] == "14 findings (1 high, 2 medium, 11 low, 0 info)"


@pytest.mark.parametrize(
    ("hsts", "rule"),
    [(False, "no-hsts"), ("max-age=60", "hsts-short")],
    ids=["none", "short"],
)
def test_force_https_sites_are_held_to_hsts_too(hsts: Any, rule: str) -> None:
    config = load_config({"force_https": True, "hsts_header": hsts})
    assert rule in {finding.rule for finding in audit(config)}


@pytest.mark.parametrize(
    ("allowed", "fires"), [(None, True), (["example.com"], False)], ids=["any", "set"]
)
def test_force_https_without_allowed_hosts_is_flagged(
    allowed: Any, fires: bool
) -> None:
    config = {"force_https": True, **({"allowed_hosts": allowed} if allowed else {})}
    rules = {finding.rule for finding in audit(load_config(config))}
    assert ("force-https-any-host" in rules) is fires


def test_redirect_host_fixes_the_location_so_any_host_is_not_flagged() -> None:
    config = {"force_https": True, "redirect_host": "www.example.com"}
    rules = {finding.rule for finding in audit(load_config(config))}
    assert "force-https-any-host" not in rules


@pytest.mark.parametrize(("permanent", "fires"), [(True, False), (False, True)])
def test_a_temporary_redirect_is_a_low_finding(permanent: bool, fires: bool) -> None:
    config = {
        "force_https": True,
        "allowed_hosts": ["example.com"],
        "force_https_permanent": permanent,
    }
    found = [f for f in audit(load_config(config)) if f.rule == "force-https-temporary"]
    assert bool(found) is fires
    if fires:
        assert found[0].severity == "low"
        assert found[0].fix.startswith("force_https_permanent: true")


def test_inline_styles_written_in_the_policy_name_the_directive_to_fix() -> None:
    [finding] = [
        f
        for f in audit(load_config({"preset": "standard"}))
        if f.rule == "style-unsafe-inline"
    ]
    assert finding.fix == "remove 'unsafe-inline' from csp_header.style-src"


def test_audit_shows_the_new_headers_through_show(
    capsys: pytest.CaptureFixture[str], tmp_path: Any
) -> None:
    path = tmp_path / "security.yaml"
    path.write_text(
        "x_download_options: noopen\n"
        "cache_control: no-store\n"
        "integrity_policy: {blocked-destinations: [script]}\n"
        "paths: [{prefix: /logout, clear_site_data: [cookies]}]\n",
        encoding="utf-8",
    )
    assert main(["show", str(path)]) == 0
    out, _ = capsys.readouterr()
    assert "X-Download-Options: noopen\n" in out
    assert "Cache-Control: no-store\n" in out
    assert "Integrity-Policy: blocked-destinations=(script)\n" in out
    assert main(["show", str(path), "--path", "/logout"]) == 0
    out, _ = capsys.readouterr()
    assert 'Clear-Site-Data: "cookies"\n' in out
