"""The nonce keys: which directives carry it and the Cache-Control a nonced page gets.

Each bad value fails at start-up, given as a mapping and as a YAML file, with a
ConfigError that names the key, quotes the value and says what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import assert_refused

NONCE_DIRS = "script-src, style-src, script-src-elem, style-src-elem, default-src"
CACHE = "a Cache-Control value such as 'private' or 'no-store'"

BAD = [
    # csp_nonce_directives
    pytest.param(
        {"csp_nonce_directives": "script-src"},
        f"csp_nonce_directives: 'script-src' is not a list (allowed: a list of "
        f"{NONCE_DIRS}, or [] for none)",
        id="nonce-directives-string",
    ),
    pytest.param(
        {"csp_nonce_directives": True},
        f"csp_nonce_directives: True is not a list (allowed: a list of "
        f"{NONCE_DIRS}, or [] for none)",
        id="nonce-directives-bool",
    ),
    pytest.param(
        {"csp_nonce_directives": ["img-src"]},
        f"csp_nonce_directives[0]: 'img-src' cannot carry a nonce (allowed: "
        f"{NONCE_DIRS})",
        id="nonce-directives-img-src",
    ),
    pytest.param(
        {"csp_nonce_directives": ["script-scr"]},
        f"csp_nonce_directives[0]: 'script-scr' cannot carry a nonce (allowed: "
        f"{NONCE_DIRS}). Did you mean 'script-src'?",
        id="nonce-directives-near-miss",
    ),
    pytest.param(
        {"csp_nonce_directives": ["script-src", "Script-Src"]},
        "csp_nonce_directives[1]: 'Script-Src' is given twice",
        id="nonce-directives-twice",
    ),
    pytest.param(
        {"csp_nonce_directives": [1]},
        "csp_nonce_directives[0]: 1 is not a string",
        id="nonce-directives-not-string",
    ),
    pytest.param(
        {"csp_nonce_directives": ["script-src\n"]},
        "csp_nonce_directives[0]: 'script-src\\n' has the control character '\\n' "
        "(allowed: printable characters only; CR and LF would inject a header)",
        id="nonce-directives-lf",
    ),
    # csp_nonce_cache_control
    pytest.param(
        {"csp_nonce_cache_control": True},
        f"csp_nonce_cache_control: true is not allowed (allowed: {CACHE}, or "
        "false to add none; leave the key out for 'private')",
        id="cache-control-true",
    ),
    pytest.param(
        {"csp_nonce_cache_control": " "},
        f"csp_nonce_cache_control: ' ' is empty (allowed: {CACHE}, or false to add "
        "none)",
        id="cache-control-empty",
    ),
    pytest.param(
        {"csp_nonce_cache_control": "max-age=60, Public"},
        "csp_nonce_cache_control: 'max-age=60, Public' lets shared caches replay "
        "one nonce to every user, which defeats it (allowed: 'private', "
        "'no-store', ... or false)",
        id="cache-control-public",
    ),
    pytest.param(
        {"csp_nonce_cache_control": "private\r\nSet-Cookie: x=1"},
        "csp_nonce_cache_control: 'private\\r\\nSet-Cookie: x=1' has the control "
        "character '\\r' (allowed: printable characters only; CR and LF would "
        "inject a header)",
        id="cache-control-crlf",
    ),
    pytest.param(
        {"csp_nonce_cache_control": 5},
        "csp_nonce_cache_control: 5 is not a string",
        id="cache-control-number",
    ),
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_value_is_refused_at_start_up(
    config: dict[Any, Any], message: str, tmp_path: Path
) -> None:
    assert_refused(config, message, tmp_path)
