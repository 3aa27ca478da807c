"""The Permissions-Policy grammar: features and their allowlists.

Each bad value fails at start-up, given as a mapping and as a YAML file, with a
ConfigError that names the key, quotes the value and says what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import assert_refused

BAD = [
    # permissions_policy
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
            "lower-case letters, digits and '-'). Did you mean 'camera'?"
        ),
        id="pp-upper",
    ),
    pytest.param(
        {"permissions_policy": {"screen_wake_lock": []}},
        (
            "permissions_policy.screen_wake_lock: 'screen_wake_lock' is not a feature "
            "name (allowed: lower-case letters, digits and '-'). Did you mean "
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
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_value_is_refused_at_start_up(
    config: dict[Any, Any], message: str, tmp_path: Path
) -> None:
    assert_refused(config, message, tmp_path)
