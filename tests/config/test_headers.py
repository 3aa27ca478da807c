"""Bad values for the single-header keys (HSTS, Referrer-Policy, the cross-origin trio, X-Frame-Options, ...).

Each bad value fails at start-up, given as a mapping and as a YAML file, with a
ConfigError that names the key, quotes the value and says what is allowed.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from secheaders_wsgi import load_config
from tests.support import assert_refused

EXPLICIT = {"csp_unsafe_inline": True, "csp_unsafe_eval": True}

BAD = [
    # hsts_header
    pytest.param(
        {"hsts_header": True},
        "hsts_header: true is not allowed (allowed: a header value such as 'max-age=31556926; includeSubDomains', or false for no HSTS; leave the key out for the default)",
        id="hsts-true",
    ),
    pytest.param(
        {"hsts_header": "includeSubDomains"},
        "hsts_header: 'includeSubDomains' has no max-age (allowed: 'max-age=<seconds>[; includeSubDomains][; preload]')",
        id="hsts-no-max-age",
    ),
    pytest.param(
        {"hsts_header": "max-age=600; includeSubdomain"},
        "hsts_header: 'includeSubdomain' in 'max-age=600; includeSubdomain' is not an HSTS directive (allowed: max-age=<seconds>, includeSubDomains, preload)",
        id="hsts-typo",
    ),
    pytest.param(
        {"hsts_header": 600}, "hsts_header: 600 is not a string", id="hsts-int"
    ),
    pytest.param(
        {"hsts_header": "max-age=600; max-age=0"},
        "hsts_header: 'max-age=600; max-age=0' gives max-age twice, and browsers ignore such a header entirely (allowed: 'max-age=<seconds>[; includeSubDomains][; preload]', each once)",
        id="hsts-two-max-age",
    ),
    pytest.param(
        {"hsts_header": "max-age=600; includeSubDomains; INCLUDESUBDOMAINS"},
        "hsts_header: 'max-age=600; includeSubDomains; INCLUDESUBDOMAINS' gives includesubdomains twice, and browsers ignore such a header entirely (allowed: 'max-age=<seconds>[; includeSubDomains][; preload]', each once)",
        id="hsts-directive-twice-any-case",
    ),
    pytest.param(
        {"hsts_header": "max-age=600; preload; Preload"},
        "hsts_header: 'max-age=600; preload; Preload' gives preload twice, and browsers ignore such a header entirely (allowed: 'max-age=<seconds>[; includeSubDomains][; preload]', each once)",
        id="hsts-preload-twice",
    ),
    pytest.param(
        {"hsts_header": "max-age=-1"},
        "hsts_header: 'max-age=-1' in 'max-age=-1' is not an HSTS directive (allowed: max-age=<seconds>, includeSubDomains, preload)",
        id="hsts-negative",
    ),
    pytest.param(
        {"hsts_header": "max-age=1.5"},
        "hsts_header: 'max-age=1.5' in 'max-age=1.5' is not an HSTS directive (allowed: max-age=<seconds>, includeSubDomains, preload)",
        id="hsts-fraction",
    ),
    pytest.param(
        {"hsts_header": "max-age=600, includeSubDomains"},
        "hsts_header: 'max-age=600, includeSubDomains' in 'max-age=600, includeSubDomains' is not an HSTS directive (allowed: max-age=<seconds>, includeSubDomains, preload)",
        id="hsts-comma",
    ),
    pytest.param(
        {"hsts_header": ""},
        "hsts_header: '' has no max-age (allowed: 'max-age=<seconds>[; includeSubDomains][; preload]')",
        id="hsts-empty",
    ),
    # csp_nonce_cache_control: a Cache-Control value
    pytest.param(
        {"csp_nonce_cache_control": "privat"},
        "csp_nonce_cache_control: 'privat' in 'privat' is not a Cache-Control directive (allowed: a comma list of max-age, s-maxage, no-cache, no-store, no-transform, must-revalidate, proxy-revalidate, must-understand, private, immutable, stale-while-revalidate, stale-if-error; e.g. 'private'). Did you mean 'private'?",
        id="cache-control-typo",
    ),
    pytest.param(
        {"csp_nonce_cache_control": "private; no-store"},
        "csp_nonce_cache_control: 'private; no-store' in 'private; no-store' is not a Cache-Control directive (allowed: a comma list of max-age, s-maxage, no-cache, no-store, no-transform, must-revalidate, proxy-revalidate, must-understand, private, immutable, stale-while-revalidate, stale-if-error; e.g. 'private')",
        id="cache-control-semicolon",
    ),
    pytest.param(
        {"csp_nonce_cache_control": "private, private"},
        "csp_nonce_cache_control: 'private, private' gives private twice (allowed: a comma list of max-age, s-maxage, no-cache, no-store, no-transform, must-revalidate, proxy-revalidate, must-understand, private, immutable, stale-while-revalidate, stale-if-error; e.g. 'private', each once)",
        id="cache-control-twice",
    ),
    pytest.param(
        {"csp_nonce_cache_control": "max-age=1 0"},
        "csp_nonce_cache_control: 'max-age=1 0' in 'max-age=1 0' is not a Cache-Control directive (allowed: a comma list of max-age, s-maxage, no-cache, no-store, no-transform, must-revalidate, proxy-revalidate, must-understand, private, immutable, stale-while-revalidate, stale-if-error; e.g. 'private')",
        id="cache-control-bad-value",
    ),
    # csp_header: an empty policy
    pytest.param(
        {"csp_header": {}},
        "csp_header: {} is an empty policy, and an empty header protects nothing (allowed: a mapping of directive name to sources, true for the default policy, or false for none)",
        id="csp-empty",
    ),
    pytest.param(
        {"paths": [{"prefix": "/a/", "replace": True, "csp_header": {}}]},
        "paths[0].csp_header: {} is an empty policy, and an empty header protects nothing (allowed: a mapping of directive name to sources, true for the default policy, or false for none)",
        id="csp-empty-in-a-rule",
    ),
    # referrer_policy
    pytest.param(
        {"referrer_policy": "sometimes"},
        "referrer_policy: 'sometimes' is not a referrer policy (allowed: no-referrer, no-referrer-when-downgrade, origin, origin-when-cross-origin, same-origin, strict-origin, strict-origin-when-cross-origin, unsafe-url, a comma list of them, or false)",
        id="referrer-bad",
    ),
    pytest.param(
        {"referrer_policy": "no-referer"},
        "referrer_policy: 'no-referer' is not a referrer policy (allowed: no-referrer, no-referrer-when-downgrade, origin, origin-when-cross-origin, same-origin, strict-origin, strict-origin-when-cross-origin, unsafe-url, a comma list of them, or false). Did you mean 'no-referrer'?",
        id="referrer-typo",
    ),
    pytest.param(
        {"referrer_policy": "no-referrer, everything"},
        "referrer_policy: 'everything' is not a referrer policy (allowed: no-referrer, no-referrer-when-downgrade, origin, origin-when-cross-origin, same-origin, strict-origin, strict-origin-when-cross-origin, unsafe-url, a comma list of them, or false)",
        id="referrer-list",
    ),
    pytest.param(
        {"referrer_policy": "same-origin, no-referrer, same-origin"},
        "referrer_policy: 'same-origin' is given twice (allowed: each policy once; browsers use the last one they know, so list a fallback first and the policy you want last)",
        id="referrer-repeated",
    ),
    pytest.param(
        {"referrer_policy": True},
        "referrer_policy: True is not a string",
        id="referrer-true",
    ),
    # cross_origin_opener_policy
    pytest.param(
        {"cross_origin_opener_policy": "same-orign"},
        (
            "cross_origin_opener_policy: 'same-orign' is not allowed (allowed: "
            "same-origin, same-origin-allow-popups, noopener-allow-popups, "
            "unsafe-none, or false for no header). Did you mean 'same-origin'?"
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
    # cross_origin_embedder_policy
    pytest.param(
        {"cross_origin_embedder_policy": "require-corps"},
        (
            "cross_origin_embedder_policy: 'require-corps' is not allowed (allowed: "
            "require-corp, credentialless, unsafe-none, or false for no header). "
            "Did you mean 'require-corp'?"
        ),
        id="coep-bad",
    ),
    pytest.param(
        {"cross_origin_embedder_policy": "Require-Corp"},
        (
            "cross_origin_embedder_policy: 'Require-Corp' is not allowed (allowed: "
            "require-corp, credentialless, unsafe-none, or false for no header). "
            "Did you mean 'require-corp'?"
        ),
        id="coep-case",
    ),
    # cross_origin_resource_policy
    pytest.param(
        {"cross_origin_resource_policy": "same"},
        (
            "cross_origin_resource_policy: 'same' is not allowed (allowed: same-site, "
            "same-origin, cross-origin, or false for no header). Did you mean "
            "'same-site'?"
        ),
        id="corp-bad",
    ),
    # x_frame_options
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
    # xss_protection
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
    # origin_agent_cluster
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
    # x_dns_prefetch_control
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
    # x_permitted_cross_domain_policies
    pytest.param(
        {"x_permitted_cross_domain_policies": "nothing"},
        (
            "x_permitted_cross_domain_policies: 'nothing' is not allowed (allowed: "
            "none, master-only, by-content-type, by-ftp-filename, all, "
            "none-this-response, or false for no header)"
        ),
        id="xpcdp-bad",
    ),
    # remove_headers
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
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_value_is_refused_at_start_up(
    config: dict[Any, Any], message: str, tmp_path: Path
) -> None:
    assert_refused(config, message, tmp_path)


@pytest.mark.parametrize(
    "value",
    ["max-age=0", 'MAX-AGE="600"; Preload', "max-age=600;", "preload; max-age=1"],
)
def test_hsts_values_browsers_accept_pass(value: str) -> None:
    assert load_config({"hsts_header": value}).hsts_header == value


@pytest.mark.parametrize(
    "value",
    ["no-store", "private, max-age=0", 'private, no-cache="Set-Cookie"', "No-Store"],
)
def test_cache_control_values_pass(value: str) -> None:
    assert load_config({"csp_nonce_cache_control": value}).csp_nonce_cache_control == (
        value
    )


def test_no_header_goes_out_empty_whatever_the_config() -> None:
    # The plan's own guard, behind the config checks: a hand-made policy.
    from secheaders_wsgi import ConfigError
    from secheaders_wsgi.plan import Side

    config = load_config({"csp_header": {"default-src": "'self'"}, **EXPLICIT})
    with pytest.raises(ConfigError, match="Content-Security-Policy would be sent"):
        Side.build(replace(config, csp_header=()), https=True)
