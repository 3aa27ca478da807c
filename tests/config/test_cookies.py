"""The cookie keys: SameSite and HttpOnly.

Each bad value fails at start-up, given as a mapping and as a YAML file, with a
ConfigError that names the key, quotes the value and says what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import assert_refused

BAD = [
    # cookie_samesite
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
    # cookie_httponly
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
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_value_is_refused_at_start_up(
    config: dict[Any, Any], message: str, tmp_path: Path
) -> None:
    assert_refused(config, message, tmp_path)
