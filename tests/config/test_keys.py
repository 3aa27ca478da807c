"""Config keys: unknown and misspelt names, null and boolean values, the app itself.

Each bad value fails at start-up, given as a mapping and as a YAML file, with a
ConfigError that names the key, quotes the value and says what is allowed.
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

from secheaders_wsgi import ConfigError, SecureHeaders
from secheaders_wsgi.config import Config
from tests.config import (
    test_cookies,
    test_cross_origin,
    test_csp_grammar,
    test_force_https,
    test_headers,
    test_injection,
    test_nonce,
    test_paths,
    test_permissions_grammar,
    test_presets,
    test_reporting,
    test_response_headers,
)
from tests.policy import test_coep_report_only, test_coop_report_only
from tests.support import assert_refused

BAD = [
    # unknown keys
    pytest.param(
        {"server_secure": True},
        "unknown key 'server_secure'. Did you mean 'server_secured'?",
        id="unknown-key-did-you-mean",
    ),
    pytest.param(
        {"hsts": "max-age=1"},
        "unknown key 'hsts'. Did you mean 'hsts_header'?",
        id="unknown-key-short",
    ),
    pytest.param({"colour": "blue"}, "unknown key 'colour'", id="unknown-key-no-match"),
    pytest.param({1: True}, "config keys must be strings, not 1", id="non-string-key"),
    # nulls and booleans
    pytest.param(
        {"server_secured": None},
        "server_secured: null is not a value; leave the key out to get its default",
        id="null",
    ),
    pytest.param(
        {"server_secured": "false"},
        "server_secured: 'false' is not a boolean (allowed: true, false)",
        id="string-false",
    ),
    pytest.param(
        {"debug": 1}, "debug: 1 is not a boolean (allowed: true, false)", id="int-bool"
    ),
    pytest.param(
        {"csp_unsafe_inline": "no"},
        "csp_unsafe_inline: 'no' is not a boolean (allowed: true, false)",
        id="string-no",
    ),
    pytest.param(
        {"csp_unsafe_eval": "true"},
        "csp_unsafe_eval: 'true' is not a boolean (allowed: true, false)",
        id="string-true",
    ),
    # misspelt keys
    pytest.param(
        {"csp_report_urI": "/r"},
        "unknown key 'csp_report_urI'. Did you mean 'csp_report_uri'?",
        id="key-near-miss",
    ),
    pytest.param(
        {"csp_nonce_directive": ["script-src"]},
        "unknown key 'csp_nonce_directive'. Did you mean 'csp_nonce_directives'?",
        id="key-singular",
    ),
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_value_is_refused_at_start_up(
    config: dict[Any, Any], message: str, tmp_path: Path
) -> None:
    assert_refused(config, message, tmp_path)


def test_config_error_is_a_value_error() -> None:
    assert issubclass(ConfigError, ValueError)


@pytest.mark.parametrize("bad_app", [None, "app", 42], ids=["none", "str", "int"])
def test_non_callable_app_is_a_type_error(bad_app: Any, contract_adapter: str) -> None:
    # "a WSGI callable" or "an ASGI callable": the adapter's own protocol.
    kind = contract_adapter.upper()
    with pytest.raises(TypeError, match=f"app must be an? {kind} callable"):
        SecureHeaders(bad_app)


CHECKED_KEYS = (
    "permissions_policy",
    "cross_origin_opener_policy",
    "cross_origin_embedder_policy",
    "cross_origin_resource_policy",
    "cross_origin_opener_policy_report_only",
    "cross_origin_embedder_policy_report_only",
    "cross_origin",
    "x_frame_options",
    "xss_protection",
    "origin_agent_cluster",
    "x_dns_prefetch_control",
    "x_permitted_cross_domain_policies",
    "x_download_options",
    "clear_site_data",
    "cache_control",
    "integrity_policy",
    "integrity_policy_report_only",
    "csp_report_sample_rate",
    "force_https_permanent",
    "redirect_host",
    "remove_headers",
    "force_https",
    "force_https_exempt",
    "allowed_hosts",
    "trusted_proxies",
    "cookie_samesite",
    "cookie_httponly",
    "paths",
)


def test_every_checked_key_has_bad_values_in_a_table() -> None:
    tables = (
        BAD,
        test_cookies.BAD,
        test_cross_origin.BAD,
        test_coep_report_only.BAD,
        test_coop_report_only.BAD,
        test_csp_grammar.BAD,
        test_force_https.BAD,
        test_headers.BAD,
        test_injection.BAD,
        test_nonce.BAD,
        test_paths.BAD,
        test_permissions_grammar.BAD,
        test_presets.BAD,
        test_reporting.BAD,
        test_response_headers.BAD,
    )
    covered = {
        message.split(":")[0].split(".")[0].split("[")[0]
        for table in tables
        for param in table
        for message in [param.values[1]]
    }
    assert set(CHECKED_KEYS) <= covered
    assert set(CHECKED_KEYS) <= {f.name for f in fields(Config)}
