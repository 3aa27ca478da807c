"""The headers beyond the core set: each off unless configured, exact values, fixed order."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from secheaders_wsgi import SecurityWarning, load_config
from secheaders_wsgi.policy import headers
from tests.support import DEFAULT_CSP, HTTPS, served, values

NEW_HEADERS = (
    "Permissions-Policy",
    "Cross-Origin-Opener-Policy",
    "Cross-Origin-Embedder-Policy",
    "Cross-Origin-Resource-Policy",
    "X-Frame-Options",
    "Origin-Agent-Cluster",
    "X-DNS-Prefetch-Control",
    "X-Permitted-Cross-Domain-Policies",
)


def header(config: dict[str, Any], name: str, https: bool = True) -> str | None:
    found = dict(headers(load_config(config), https=https))
    return found.get(name)


def test_defaults_send_none_of_the_new_headers() -> None:
    sent = {name for name, _ in headers(load_config({}), https=True)}
    assert sent.isdisjoint(NEW_HEADERS)


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        pytest.param({"camera": []}, "camera=()", id="none"),
        pytest.param({"fullscreen": ["self"]}, "fullscreen=(self)", id="self"),
        pytest.param({"autoplay": ["*"]}, "autoplay=*", id="star"),
        pytest.param({"fullscreen": ["src"]}, "fullscreen=(src)", id="src"),
        pytest.param(
            {"camera": [], "geolocation": ["self", "https://maps.example"]},
            'camera=(), geolocation=(self "https://maps.example")',
            id="issue-example",
        ),
        pytest.param(
            {"payment": ["self", "self", "https://pay.example:8443"]},
            'payment=(self "https://pay.example:8443")',
            id="duplicates-dropped-port-kept",
        ),
        pytest.param(
            {"usb": ["https://*.example.com"]},
            'usb=("https://*.example.com")',
            id="wildcard-subdomain-origin",
        ),
        pytest.param({"ch-ua-model": ["self"]}, "ch-ua-model=(self)", id="client-hint"),
    ],
)
def test_permissions_policy_serialization(
    policy: dict[str, list[str]], expected: str
) -> None:
    assert header({"permissions_policy": policy}, "Permissions-Policy") == expected


def test_permissions_policy_keeps_the_order_given() -> None:
    policy = {"usb": [], "camera": [], "microphone": []}
    assert header({"permissions_policy": policy}, "Permissions-Policy") == (
        "usb=(), camera=(), microphone=()"
    )


def test_permissions_policy_false_and_empty_mapping_send_nothing() -> None:
    assert header({"permissions_policy": False}, "Permissions-Policy") is None
    assert header({"permissions_policy": {}}, "Permissions-Policy") is None


@pytest.mark.parametrize(
    ("feature", "fix"),
    [
        pytest.param("interest-cohort", "FLoC", id="interest-cohort"),
        pytest.param("document-domain", "origin_agent_cluster", id="document-domain"),
        pytest.param("vr", "xr-spatial-tracking", id="vr"),
        pytest.param("wake-lock", "screen-wake-lock", id="wake-lock"),
    ],
)
def test_obsolete_feature_warns_and_is_sent(feature: str, fix: str) -> None:
    with pytest.warns(
        SecurityWarning, match=rf"permissions_policy\.{feature}: .*{fix}"
    ):
        value = header({"permissions_policy": {feature: []}}, "Permissions-Policy")
    assert value == f"{feature}=()"


def test_unknown_feature_without_near_miss_warns_and_is_sent() -> None:
    with pytest.warns(SecurityWarning, match="'teleport' is not a Permissions-Policy"):
        value = header({"permissions_policy": {"teleport": []}}, "Permissions-Policy")
    assert value == "teleport=()"


@pytest.mark.parametrize(
    ("key", "value", "name", "expected"),
    [
        (
            "cross_origin_opener_policy",
            "same-origin",
            "Cross-Origin-Opener-Policy",
            None,
        ),
        (
            "cross_origin_opener_policy",
            "same-origin-allow-popups",
            "Cross-Origin-Opener-Policy",
            None,
        ),
        (
            "cross_origin_opener_policy",
            "noopener-allow-popups",
            "Cross-Origin-Opener-Policy",
            None,
        ),
        (
            "cross_origin_opener_policy",
            "unsafe-none",
            "Cross-Origin-Opener-Policy",
            None,
        ),
        (
            "cross_origin_embedder_policy",
            "require-corp",
            "Cross-Origin-Embedder-Policy",
            None,
        ),
        (
            "cross_origin_embedder_policy",
            "credentialless",
            "Cross-Origin-Embedder-Policy",
            None,
        ),
        (
            "cross_origin_resource_policy",
            "same-site",
            "Cross-Origin-Resource-Policy",
            None,
        ),
        (
            "cross_origin_resource_policy",
            "cross-origin",
            "Cross-Origin-Resource-Policy",
            None,
        ),
        ("origin_agent_cluster", True, "Origin-Agent-Cluster", "?1"),
        ("origin_agent_cluster", False, "Origin-Agent-Cluster", "?0"),
        ("x_dns_prefetch_control", False, "X-DNS-Prefetch-Control", "off"),
        ("x_dns_prefetch_control", True, "X-DNS-Prefetch-Control", "on"),
        ("x_dns_prefetch_control", "off", "X-DNS-Prefetch-Control", "off"),
        ("x_dns_prefetch_control", "On", "X-DNS-Prefetch-Control", "on"),
        (
            "x_permitted_cross_domain_policies",
            "none",
            "X-Permitted-Cross-Domain-Policies",
            None,
        ),
        (
            "x_permitted_cross_domain_policies",
            "master-only",
            "X-Permitted-Cross-Domain-Policies",
            None,
        ),
    ],
    ids=lambda v: str(v),
)
def test_token_headers(key: str, value: Any, name: str, expected: str | None) -> None:
    assert header({key: value}, name) == (expected if expected is not None else value)


@pytest.mark.parametrize(
    "key",
    [
        "cross_origin_opener_policy",
        "cross_origin_embedder_policy",
        "cross_origin_resource_policy",
        "x_permitted_cross_domain_policies",
        "x_frame_options",
    ],
)
def test_false_sends_no_header(key: str) -> None:
    sent = {name for name, _ in headers(load_config({key: False}), https=True)}
    assert sent.isdisjoint(NEW_HEADERS)


def test_yaml_bare_off_means_off_not_no_header(tmp_path: Any) -> None:
    # YAML 1.1 reads `off` as false: it must still send "off".
    path = tmp_path / "security.yaml"
    path.write_text("x_dns_prefetch_control: off\n", encoding="utf-8")
    config = load_config(path)
    assert dict(headers(config, https=False))["X-DNS-Prefetch-Control"] == "off"


# -- X-Frame-Options


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param({}, None, id="default-no-frame-ancestors"),
        pytest.param({"csp_frame_ancestors": False}, "DENY", id="false"),
        pytest.param({"csp_frame_ancestors": []}, "DENY", id="empty-list"),
        pytest.param({"csp_frame_ancestors": ["'none'"]}, "DENY", id="none"),
        pytest.param({"csp_frame_ancestors": ["'self'"]}, "SAMEORIGIN", id="self"),
        pytest.param(
            {"csp_frame_ancestors": ["'safe-src'"]}, "SAMEORIGIN", id="safe-src-is-self"
        ),
        pytest.param(
            {"csp_frame_ancestors": ["'self'", "https://partner.example"]},
            None,
            id="self-and-partner",
        ),
        pytest.param(
            {"csp_frame_ancestors": ["https://partner.example"]}, None, id="partner"
        ),
        pytest.param(
            {"csp_header": {"default-src": "'self'", "frame-ancestors": "'none'"}},
            "DENY",
            id="custom-policy-frame-ancestors",
        ),
        pytest.param(
            {"csp_header": False, "csp_frame_ancestors": False},
            "DENY",
            id="no-csp-x-frame-options-alone-says-it",
        ),
        pytest.param(
            {"csp_frame_ancestors": False, "x_frame_options": "sameorigin"},
            "SAMEORIGIN",
            id="explicit-wins-normalized",
        ),
        pytest.param({"x_frame_options": "DENY"}, "DENY", id="explicit-deny"),
        pytest.param(
            {"csp_frame_ancestors": False, "x_frame_options": False},
            None,
            id="explicit-false",
        ),
    ],
)
def test_x_frame_options(config: dict[str, Any], expected: str | None) -> None:
    assert header(config, "X-Frame-Options") == expected


# -- X-XSS-Protection


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param({}, "1; mode=block", id="default"),
        pytest.param({"xss_protection": "0"}, "0", id="zero"),
        pytest.param({"xss_protection": 0}, "0", id="yaml-number-zero"),
        pytest.param({"xss_protection": "1"}, "1", id="one"),
        pytest.param({"xss_protection": "1;mode=block"}, "1; mode=block", id="spacing"),
        pytest.param({"xss_protection": False}, None, id="false"),
        pytest.param({"csp_header": False}, None, id="no-csp-contract"),
        pytest.param(
            {"csp_header": False, "xss_protection": "0"}, "0", id="explicit-without-csp"
        ),
    ],
)
def test_xss_protection(config: dict[str, Any], expected: str | None) -> None:
    assert header(config, "X-XSS-Protection") == expected


# -- order and determinism


def test_every_header_in_a_fixed_order() -> None:
    config = {
        "server_secured": True,
        "csp_frame_ancestors": False,
        "permissions_policy": {"camera": []},
        "cross_origin_opener_policy": "same-origin",
        "cross_origin_embedder_policy": "require-corp",
        "cross_origin_resource_policy": "same-origin",
        "xss_protection": "0",
        "origin_agent_cluster": True,
        "x_dns_prefetch_control": False,
        "x_permitted_cross_domain_policies": "none",
    }
    names = [name for name, _ in headers(load_config(config), https=True)]
    assert names == [
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "X-XSS-Protection",
        "Referrer-Policy",
        "Strict-Transport-Security",
        *NEW_HEADERS,
    ]


def test_byte_identical_across_hash_seeds(tmp_path: Any) -> None:
    script = (
        "from secheaders_wsgi import load_config\n"
        "from secheaders_wsgi.policy import headers\n"
        "c = load_config({'permissions_policy': {'camera': [], 'usb': ['self'], "
        "'geolocation': ['self', 'https://a.example', 'https://b.example']}, "
        "'remove_headers': ['X-Powered-By', 'X-AspNet-Version'], "
        "'paths': [{'prefix': '/a', 'csp_header': {'img-src': \"'self'\"}}]})\n"
        "print(headers(c, https=True), headers(c.paths[0][1], https=True))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": "."},
        ).stdout
        for seed in ("0", "1", "12345")
    }
    assert len(outputs) == 1


# -- app level: remove_headers, app override


def test_x_powered_by_removed_by_default() -> None:
    app = served(headers=[("Content-Type", "text/html"), ("x-powered-by", "PHP/5")])
    response = app.get("/")
    assert values(response, "X-Powered-By") == []
    assert values(response, "Content-Type") == ["text/html"]


def test_remove_headers_custom_list_keeps_everything_else() -> None:
    app_headers = [
        ("Content-Type", "text/html"),
        ("X-Powered-By", "PHP/5"),
        ("X-AspNet-Version", "4.0"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
    ]
    app = served({"remove_headers": ["x-aspnet-version"]}, headers=app_headers)
    response = app.get("/")
    assert values(response, "X-AspNet-Version") == []
    assert values(response, "X-Powered-By") == ["PHP/5"]  # [] replaces the default
    assert values(response, "Set-Cookie") == ["a=1", "b=2"]


def test_remove_headers_empty_list_removes_nothing() -> None:
    app = served({"remove_headers": []}, headers=[("X-Powered-By", "PHP/5")])
    assert values(app.get("/"), "X-Powered-By") == ["PHP/5"]


def test_removing_our_own_header_name_makes_ours_win_over_the_apps() -> None:
    app_headers = [("Content-Type", "text/html"), ("Referrer-Policy", "unsafe-url")]
    app = served({"remove_headers": ["Referrer-Policy"]}, headers=app_headers)
    assert values(app.get("/"), "Referrer-Policy") == [
        "strict-origin-when-cross-origin"
    ]


def test_removing_server_warns_it_is_out_of_reach() -> None:
    with pytest.warns(SecurityWarning, match=r"remove_headers\[0\]: 'Server'.*WSGI"):
        load_config({"remove_headers": ["Server"]})


@pytest.mark.parametrize(
    "name", ["Permissions-Policy", "x-frame-options", "CROSS-ORIGIN-OPENER-POLICY"]
)
def test_app_set_header_wins_per_response(name: str) -> None:
    config = {
        "permissions_policy": {"camera": []},
        "csp_frame_ancestors": False,
        "cross_origin_opener_policy": "same-origin",
    }
    app_headers = [("Content-Type", "text/html"), (name, "app-value")]
    app = served(config, headers=app_headers)
    response = app.get("/")
    assert values(response, name) == ["app-value"]
    others = {
        "permissions-policy": "camera=()",
        "x-frame-options": "DENY",
        "cross-origin-opener-policy": "same-origin",
    }
    del others[name.lower()]
    for other, value in others.items():
        assert values(response, other) == [value]


def test_app_level_new_headers_on_http_and_https() -> None:
    app = served({"permissions_policy": {"camera": []}, "x_frame_options": "DENY"})
    for extra in ({}, HTTPS):
        response = app.get("/", extra_environ=extra)
        assert values(response, "Permissions-Policy") == ["camera=()"]
        assert values(response, "X-Frame-Options") == ["DENY"]
        assert values(response, "Content-Security-Policy") == [DEFAULT_CSP]
