"""Bad values for every key beyond the core and modern-CSP ones: a ConfigError naming key, value and fix."""

from __future__ import annotations

import re
from dataclasses import fields
from typing import Any

import pytest

from secheaders_wsgi import ConfigError, SecureHeaders, SecurityWarning, load_config
from secheaders_wsgi.config import Config

BAD = [
    pytest.param(
        {"permissions_policy": True},
        (
            "permissions_policy: True is not allowed (allowed: a mapping of feature to "
            "allowlist, e.g. {camera: [], geolocation: [self]}, or false)"
        ),
        id="pp-not-mapping",
    ),
    pytest.param(
        {"permissions_policy": "camera=()"},
        (
            "permissions_policy: 'camera=()' is not allowed (allowed: a mapping of "
            "feature to allowlist, e.g. {camera: [], geolocation: [self]}, or false)"
        ),
        id="pp-string",
    ),
    pytest.param(
        {"permissions_policy": {"camera": "none"}},
        (
            "permissions_policy.camera: 'none' is not a list (allowed: [] for none, "
            '[self], [self, "https://maps.example"] or ["*"])'
        ),
        id="pp-allowlist-string",
    ),
    pytest.param(
        {"permissions_policy": {"camera": False}},
        (
            "permissions_policy.camera: False is not a list (allowed: [] for none, "
            '[self], [self, "https://maps.example"] or ["*"])'
        ),
        id="pp-allowlist-false",
    ),
    pytest.param(
        {"permissions_policy": {"camera": None}},
        (
            "permissions_policy.camera: None is not a list (allowed: [] for none, "
            '[self], [self, "https://maps.example"] or ["*"])'
        ),
        id="pp-allowlist-null",
    ),
    pytest.param(
        {"permissions_policy": {"camera": ["none"]}},
        (
            "permissions_policy.camera[0]: 'none' is not allowed: [] is the only "
            "spelling of none (an empty allowlist turns the feature off)"
        ),
        id="pp-none-word",
    ),
    pytest.param(
        {"permissions_policy": {"camera": ["'none'"]}},
        (
            "permissions_policy.camera[0]: \"'none'\" is not allowed: [] is the only "
            "spelling of none (an empty allowlist turns the feature off)"
        ),
        id="pp-none-quoted",
    ),
    pytest.param(
        {"permissions_policy": {"camera": ["'self'"]}},
        (
            "permissions_policy.camera[0]: \"'self'\" must be written self without "
            "quotes (Permissions-Policy is not CSP)"
        ),
        id="pp-self-quoted",
    ),
    pytest.param(
        {"permissions_policy": {"camera": ["*", "self"]}},
        (
            "permissions_policy.camera: '*' already allows every origin; list it "
            "alone, not with self"
        ),
        id="pp-star-with-others",
    ),
    pytest.param(
        {"permissions_policy": {"camera": ["https://a.example/"]}},
        (
            "permissions_policy.camera[0]: 'https://a.example/' is not an origin: an "
            "origin has no path (allowed: 'https://a.example')"
        ),
        id="pp-origin-with-path",
    ),
    pytest.param(
        {"permissions_policy": {"camera": ["a.example"]}},
        (
            "permissions_policy.camera[0]: 'a.example' is not an allowlist entry "
            "(allowed: *, self, src or an origin such as 'https://maps.example')"
        ),
        id="pp-bad-origin",
    ),
    pytest.param(
        {"permissions_policy": {"camra": []}},
        (
            "permissions_policy.camra: 'camra' is not a Permissions-Policy feature. "
            "Did you mean 'camera'?"
        ),
        id="pp-near-miss",
    ),
    pytest.param(
        {"permissions_policy": {"Camera": []}},
        (
            "permissions_policy.Camera: 'Camera' is not a feature name (allowed: "
            "lower-case letters, digits and '-') Did you mean 'camera'?"
        ),
        id="pp-upper",
    ),
    pytest.param(
        {"permissions_policy": {"screen_wake_lock": []}},
        (
            "permissions_policy.screen_wake_lock: 'screen_wake_lock' is not a feature "
            "name (allowed: lower-case letters, digits and '-') Did you mean "
            "'screen-wake-lock'?"
        ),
        id="pp-underscore",
    ),
    pytest.param(
        {"permissions_policy": {"camera": ["https://a.example\r\nX: y"]}},
        (
            "permissions_policy.camera[0]: 'https://a.example\\r\\nX: y' has the "
            "control character '\\r' (allowed: printable characters only; CR and LF "
            "would inject a header)"
        ),
        id="pp-crlf",
    ),
    pytest.param(
        {"permissions_policy": {1: []}},
        "permissions_policy: feature name 1 is not a string",
        id="pp-non-str-name",
    ),
    pytest.param(
        {"cross_origin_opener_policy": "same-orign"},
        (
            "cross_origin_opener_policy: 'same-orign' is not allowed. Did you mean "
            "'same-origin'? (allowed: same-origin, same-origin-allow-popups, "
            "noopener-allow-popups, unsafe-none, or false for no header)"
        ),
        id="coop-bad",
    ),
    pytest.param(
        {"cross_origin_opener_policy": True},
        (
            "cross_origin_opener_policy: True is not allowed (allowed: same-origin, "
            "same-origin-allow-popups, noopener-allow-popups, unsafe-none, or false "
            "for no header)"
        ),
        id="coop-true",
    ),
    pytest.param(
        {"cross_origin_embedder_policy": "require-corps"},
        (
            "cross_origin_embedder_policy: 'require-corps' is not allowed. Did you "
            "mean 'require-corp'? (allowed: require-corp, credentialless, unsafe-none, "
            "or false for no header)"
        ),
        id="coep-bad",
    ),
    pytest.param(
        {"cross_origin_embedder_policy": "Require-Corp"},
        (
            "cross_origin_embedder_policy: 'Require-Corp' is not allowed. Did you mean "
            "'require-corp'? (allowed: require-corp, credentialless, unsafe-none, or "
            "false for no header)"
        ),
        id="coep-case",
    ),
    pytest.param(
        {"cross_origin_resource_policy": "same"},
        (
            "cross_origin_resource_policy: 'same' is not allowed. Did you mean "
            "'same-site'? (allowed: same-site, same-origin, cross-origin, or false for "
            "no header)"
        ),
        id="corp-bad",
    ),
    pytest.param(
        {"x_frame_options": "ALLOW-FROM https://partner.example"},
        (
            "x_frame_options: 'ALLOW-FROM https://partner.example': ALLOW-FROM is "
            "ignored by every current browser (allowed: DENY, SAMEORIGIN or false); to "
            "let one site frame yours, use csp_frame_ancestors: [\"'self'\", "
            "'https://partner.example']"
        ),
        id="xfo-allow-from",
    ),
    pytest.param(
        {"x_frame_options": "allow-from"},
        (
            "x_frame_options: 'allow-from': ALLOW-FROM is ignored by every current "
            "browser (allowed: DENY, SAMEORIGIN or false); to let one site frame "
            "yours, use csp_frame_ancestors: [\"'self'\", 'https://x.example']"
        ),
        id="xfo-allow-from-bare",
    ),
    pytest.param(
        {"x_frame_options": True},
        (
            "x_frame_options: True is not allowed (allowed: DENY, SAMEORIGIN, or false "
            "for no header; leave the key out to derive it from csp_frame_ancestors)"
        ),
        id="xfo-true",
    ),
    pytest.param(
        {"x_frame_options": "SAMEORGIN"},
        (
            "x_frame_options: 'SAMEORGIN' is not allowed (allowed: DENY, SAMEORIGIN, "
            "or false for no header; leave the key out to derive it from "
            "csp_frame_ancestors)"
        ),
        id="xfo-bad",
    ),
    pytest.param(
        {"xss_protection": True},
        (
            "xss_protection: True is not allowed (allowed: '0' (today's advice: the "
            "filter itself could be abused), '1', '1; mode=block', or false for no "
            "header; leave the key out for the default '1; mode=block')"
        ),
        id="xss-true",
    ),
    pytest.param(
        {"xss_protection": "1; mode=allow"},
        (
            "xss_protection: '1; mode=allow' is not allowed (allowed: '0' (today's "
            "advice: the filter itself could be abused), '1', '1; mode=block', or "
            "false for no header; leave the key out for the default '1; mode=block')"
        ),
        id="xss-bad",
    ),
    pytest.param(
        {"xss_protection": 2},
        (
            "xss_protection: 2 is not allowed (allowed: '0' (today's advice: the "
            "filter itself could be abused), '1', '1; mode=block', or false for no "
            "header; leave the key out for the default '1; mode=block')"
        ),
        id="xss-two",
    ),
    pytest.param(
        {"origin_agent_cluster": "?1"},
        "origin_agent_cluster: '?1' is not a boolean (allowed: true, false)",
        id="oac-string",
    ),
    pytest.param(
        {"origin_agent_cluster": "false"},
        "origin_agent_cluster: 'false' is not a boolean (allowed: true, false)",
        id="oac-str-false",
    ),
    pytest.param(
        {"x_dns_prefetch_control": "maybe"},
        (
            "x_dns_prefetch_control: 'maybe' is not allowed (allowed: 'on' or true, "
            "'off' or false; leave the key out for no header)"
        ),
        id="dns-bad",
    ),
    pytest.param(
        {"x_dns_prefetch_control": 0},
        (
            "x_dns_prefetch_control: 0 is not allowed (allowed: 'on' or true, 'off' or "
            "false; leave the key out for no header)"
        ),
        id="dns-int",
    ),
    pytest.param(
        {"x_permitted_cross_domain_policies": "nothing"},
        (
            "x_permitted_cross_domain_policies: 'nothing' is not allowed (allowed: "
            "none, master-only, by-content-type, by-ftp-filename, all, "
            "none-this-response, or false for no header)"
        ),
        id="xpcdp-bad",
    ),
    pytest.param(
        {"remove_headers": "X-Powered-By"},
        (
            "remove_headers: 'X-Powered-By' is not a list (allowed: a list of header "
            "names, e.g. [X-Powered-By]; [] removes nothing)"
        ),
        id="remove-string",
    ),
    pytest.param(
        {"remove_headers": ["X Powered By"]},
        (
            "remove_headers[0]: 'X Powered By' is not a header name (allowed: letters, "
            "digits and !#$%&'*+.^_`|~-)"
        ),
        id="remove-bad-name",
    ),
    pytest.param(
        {"remove_headers": ["X-A\r\nB"]},
        (
            "remove_headers[0]: 'X-A\\r\\nB' has the control character '\\r' (allowed: "
            "printable characters only; CR and LF would inject a header)"
        ),
        id="remove-crlf",
    ),
    pytest.param(
        {"remove_headers": [42]},
        "remove_headers[0]: 42 is not a string",
        id="remove-non-str",
    ),
    pytest.param(
        {"force_https": "true"},
        "force_https: 'true' is not a boolean (allowed: true, false)",
        id="force-str",
    ),
    pytest.param(
        {"force_https": True, "server_secured": True},
        (
            "force_https: true cannot go with server_secured: true: with "
            "server_secured every request already counts as https, so nothing would "
            "ever be redirected. Behind a proxy that terminates TLS, set "
            "trusted_proxies instead, so that X-Forwarded-Proto tells which requests "
            "came over https"
        ),
        id="force-secured",
    ),
    pytest.param(
        {"force_https": True, "force_https_exempt": "/healthz"},
        (
            "force_https_exempt: '/healthz' is not a list (allowed: a list of paths or "
            "prefixes, e.g. ['/healthz'])"
        ),
        id="exempt-string",
    ),
    pytest.param(
        {"force_https": True, "force_https_exempt": ["healthz"]},
        (
            "force_https_exempt[0]: 'healthz' is not a path prefix (allowed: a path "
            "that starts with '/', without query or fragment, e.g. '/embed/')"
        ),
        id="exempt-relative",
    ),
    pytest.param(
        {"force_https": True, "force_https_exempt": ["/healthz?x=1"]},
        (
            "force_https_exempt[0]: '/healthz?x=1' is not a path prefix (allowed: a "
            "path that starts with '/', without query or fragment, e.g. '/embed/')"
        ),
        id="exempt-query",
    ),
    pytest.param(
        {"force_https": True, "allowed_hosts": "example.com"},
        (
            "allowed_hosts: 'example.com' is not a list (allowed: a list of host "
            "names, e.g. ['example.com', '*.example.com'])"
        ),
        id="hosts-string",
    ),
    pytest.param(
        {"force_https": True, "allowed_hosts": []},
        (
            "allowed_hosts: [] would refuse every redirect (allowed: a non-empty list "
            "of host names; leave the key out to accept any valid host)"
        ),
        id="hosts-empty",
    ),
    pytest.param(
        {"force_https": True, "allowed_hosts": ["https://example.com"]},
        (
            "allowed_hosts[0]: 'https://example.com' is not a host name (allowed: a "
            "name such as 'example.com', '*.example.com' for its subdomains, or an IP "
            "address; no scheme, port or path)"
        ),
        id="hosts-scheme",
    ),
    pytest.param(
        {"force_https": True, "allowed_hosts": ["example.com:443"]},
        (
            "allowed_hosts[0]: 'example.com:443' is not a host name (allowed: a name "
            "such as 'example.com', '*.example.com' for its subdomains, or an IP "
            "address; no scheme, port or path)"
        ),
        id="hosts-port",
    ),
    pytest.param(
        {"force_https": True, "allowed_hosts": ["www.*.example.com"]},
        (
            "allowed_hosts[0]: 'www.*.example.com' is not a host name (allowed: a name "
            "such as 'example.com', '*.example.com' for its subdomains, or an IP "
            "address; no scheme, port or path)"
        ),
        id="hosts-inner-star",
    ),
    pytest.param(
        {"trusted_proxies": True},
        (
            "trusted_proxies: True is not allowed (allowed: the number of proxies in "
            "front of the app that set X-Forwarded-*, 0 or more; 0 trusts none)"
        ),
        id="proxies-bool",
    ),
    pytest.param(
        {"trusted_proxies": -1},
        (
            "trusted_proxies: -1 is not allowed (allowed: the number of proxies in "
            "front of the app that set X-Forwarded-*, 0 or more; 0 trusts none)"
        ),
        id="proxies-negative",
    ),
    pytest.param(
        {"trusted_proxies": "1"},
        (
            "trusted_proxies: '1' is not allowed (allowed: the number of proxies in "
            "front of the app that set X-Forwarded-*, 0 or more; 0 trusts none)"
        ),
        id="proxies-str",
    ),
    pytest.param(
        {"trusted_proxies": 1.5},
        (
            "trusted_proxies: 1.5 is not allowed (allowed: the number of proxies in "
            "front of the app that set X-Forwarded-*, 0 or more; 0 trusts none)"
        ),
        id="proxies-float",
    ),
    pytest.param(
        {"cookie_samesite": "Relaxed"},
        (
            "cookie_samesite: 'Relaxed' is not allowed (allowed: Lax, Strict, None, or "
            "false to leave SameSite alone)"
        ),
        id="samesite-bad",
    ),
    pytest.param(
        {"cookie_samesite": True},
        (
            "cookie_samesite: True is not allowed (allowed: Lax, Strict, None, or "
            "false to leave SameSite alone)"
        ),
        id="samesite-true",
    ),
    pytest.param(
        {"cookie_httponly": "session"},
        (
            "cookie_httponly: 'session' is not allowed (allowed: true for every "
            "cookie, false for none, or a non-empty list of cookie names)"
        ),
        id="httponly-string",
    ),
    pytest.param(
        {"cookie_httponly": []},
        (
            "cookie_httponly: [] is not allowed (allowed: true for every cookie, false "
            "for none, or a non-empty list of cookie names)"
        ),
        id="httponly-empty",
    ),
    pytest.param(
        {"cookie_httponly": ["a b"]},
        (
            "cookie_httponly[0]: 'a b' is not a cookie name (allowed: letters, digits "
            "and !#$%&'*+.^_`|~-)"
        ),
        id="httponly-bad-name",
    ),
    pytest.param(
        {"cookie_httponly": "true"},
        (
            "cookie_httponly: 'true' is not allowed (allowed: true for every cookie, "
            "false for none, or a non-empty list of cookie names)"
        ),
        id="httponly-str-true",
    ),
    pytest.param(
        {"paths": {"/embed/": {}}},
        (
            "paths: {'/embed/': {}} is not a list (allowed: a list of rules, each a "
            "mapping with prefix: and any top-level keys)"
        ),
        id="paths-mapping",
    ),
    pytest.param(
        {"paths": ["/embed/"]},
        (
            "paths[0]: '/embed/' is not a mapping (allowed: prefix: and any top-level "
            "keys, e.g. {prefix: /api/, csp_header: false})"
        ),
        id="paths-rule-not-mapping",
    ),
    pytest.param(
        {"paths": [{"csp_header": False}]},
        "paths[0]: prefix is missing (allowed: a path such as '/embed/')",
        id="paths-no-prefix",
    ),
    pytest.param(
        {"paths": [{"prefix": "embed/"}]},
        (
            "paths[0].prefix: 'embed/' is not a path prefix (allowed: a path that "
            "starts with '/', without query or fragment, e.g. '/embed/')"
        ),
        id="paths-relative-prefix",
    ),
    pytest.param(
        {"paths": [{"prefix": 1}]},
        "paths[0].prefix: 1 is not a string",
        id="paths-prefix-int",
    ),
    pytest.param(
        {"paths": [{"prefix": "/a/"}, {"prefix": "/b"}, {"prefix": "/a"}]},
        (
            "paths[2].prefix: '/a' is the prefix of paths[0] already ('/a/'; a "
            "trailing '/' changes nothing); merge the two rules"
        ),
        id="paths-duplicate",
    ),
    pytest.param(
        {"paths": [{"prefix": "/a", "csp_heder": False}]},
        "paths[0]: unknown key 'csp_heder'. Did you mean 'csp_header'?",
        id="paths-unknown-key",
    ),
    pytest.param(
        {"paths": [{"prefx": "/a"}]},
        "paths[0]: unknown key 'prefx'. Did you mean 'prefix'?",
        id="paths-prefx",
    ),
    pytest.param(
        {"paths": [{"prefix": "/a", "paths": []}]},
        (
            "paths[0].paths: not allowed in a rule: rules do not nest; give each "
            "prefix its own rule"
        ),
        id="paths-nested",
    ),
    pytest.param(
        {"paths": [{"prefix": "/a", "trusted_proxies": 1}]},
        (
            "paths[0].trusted_proxies: not allowed in a rule: how many proxies stand "
            "in front of the app does not depend on the path; set it at the top level"
        ),
        id="paths-proxies",
    ),
    pytest.param(
        {"paths": [{"prefix": "/a", "csp_header": None}]},
        (
            "paths[0].csp_header: null is not a value; leave the key out to keep the "
            "top-level setting"
        ),
        id="paths-null",
    ),
    pytest.param(
        {"paths": [{"prefix": "/a", "replace": "yes"}]},
        "paths[0].replace: 'yes' is not a boolean (allowed: true, false)",
        id="paths-replace-str",
    ),
    pytest.param(
        {
            "paths": [
                {"prefix": "/a"},
                {"prefix": "/b", "cookie_samesite": "lax "},
                {"prefix": "/c", "csp_header": {"script-src": "self"}},
            ]
        },
        (
            "paths[2].csp_header.script-src[0]: 'self' must be quoted as \"'self'\" "
            "(unquoted it is read as a host name)"
        ),
        id="paths-bad-value",
    ),
    pytest.param(
        {"server_secured": True, "paths": [{"prefix": "/a", "force_https": True}]},
        (
            "paths[0].force_https: true cannot go with server_secured: true: with "
            "server_secured every request already counts as https, so nothing would "
            "ever be redirected. Behind a proxy that terminates TLS, set "
            "trusted_proxies instead, so that X-Forwarded-Proto tells which requests "
            "came over https"
        ),
        id="paths-force-secured",
    ),
    pytest.param(
        {
            "csp_frame_ancestors": False,
            "paths": [{"prefix": "/a", "csp_header": {"frame-ancestors": "'self'"}}],
        },
        (
            "paths[0].csp_frame_ancestors: the custom csp_header sets frame-ancestors "
            "too; set it in one place only"
        ),
        id="paths-fa-conflict",
    ),
    pytest.param(
        {"paths": [{"prefix": "/a", "csp_header": {"script-scr": "'self'"}}]},
        (
            "paths[0].csp_header.script-scr: 'script-scr' is not a CSP directive. Did "
            "you mean 'script-src'?"
        ),
        id="paths-near-directive",
    ),
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_value_fails_at_construction(config: dict[Any, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        SecureHeaders(lambda environ, start_response: [], config)


NEW_KEYS = (
    "permissions_policy",
    "cross_origin_opener_policy",
    "cross_origin_embedder_policy",
    "cross_origin_resource_policy",
    "x_frame_options",
    "xss_protection",
    "origin_agent_cluster",
    "x_dns_prefetch_control",
    "x_permitted_cross_domain_policies",
    "remove_headers",
    "force_https",
    "force_https_exempt",
    "allowed_hosts",
    "trusted_proxies",
    "cookie_samesite",
    "cookie_httponly",
    "paths",
)


def test_every_new_key_has_bad_values_in_the_table() -> None:
    covered = {
        message.split(":")[0].split(".")[0].split("[")[0]
        for param in BAD
        for message in [param.values[1]]
    }
    assert set(NEW_KEYS) <= covered
    assert set(NEW_KEYS) <= {f.name for f in fields(Config)}


def test_a_bad_rule_in_a_yaml_file_names_the_file(tmp_path: Any) -> None:
    path = tmp_path / "security.yaml"
    path.write_text(
        "paths:\n  - prefix: /a\n    x_frame_options: ALLOW-FROM https://p.example\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ConfigError,
        match=f"^{re.escape(str(path))}: paths\\[0\\]\\.x_frame_options: 'ALLOW-FROM",
    ):
        load_config(path)


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
