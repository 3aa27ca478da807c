"""Per-path rules: their shape, their keys and their conflicts with the base.

Each bad value fails at start-up, given as a mapping and as a YAML file, with a
ConfigError that names the key, quotes the value and says what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import assert_refused

BAD = [
    # paths
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
def test_bad_value_is_refused_at_start_up(
    config: dict[Any, Any], message: str, tmp_path: Path
) -> None:
    assert_refused(config, message, tmp_path)
