"""``preset: strict``: the header values, keys beside it overriding it, and bad preset names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from secheaders_wsgi import SecureHeaders, SecurityWarning, load_config
from tests.support import assert_refused, csp_of, served

STRICT = {"preset": "strict"}
STRICT_POLICY = {
    "default-src": ["'none'"],
    "script-src": ["'self'", "'strict-dynamic'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "manifest-src": ["'self'"],
    "form-action": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
}


def test_strict_preset_headers_over_https() -> None:
    response = served({**STRICT, "server_secured": True}).get("/")
    assert csp_of(response.headers["Content-Security-Policy"]) == STRICT_POLICY
    assert response.headers["X-XSS-Protection"] == "0"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Strict-Transport-Security"] == (
        "max-age=63072000; includeSubDomains"
    )
    assert "unsafe" not in response.headers["Content-Security-Policy"]


def test_strict_preset_without_server_secured_sends_no_hsts() -> None:
    response = served(STRICT).get("/")
    assert "Strict-Transport-Security" not in response.headers
    assert csp_of(response.headers["Content-Security-Policy"]) == STRICT_POLICY


def test_strict_preset_puts_the_nonce_beside_strict_dynamic() -> None:
    response = served(STRICT, nonce=True).get("/")
    policy = csp_of(response.headers["Content-Security-Policy"])
    nonce = f"'nonce-{response.text}'"
    assert policy["script-src"] == ["'self'", "'strict-dynamic'", nonce]
    assert policy["style-src"] == ["'self'", nonce]
    assert response.headers["Cache-Control"] == "private"


def test_strict_preset_sets_the_switches_off() -> None:
    config = load_config(STRICT)
    assert config.csp_unsafe_inline is False
    assert config.csp_unsafe_eval is False
    assert config.preset == "strict"


def test_strict_preset_leaves_the_app_told_that_eval_is_off() -> None:
    app = served(STRICT)
    app.get("/")
    [environ] = app.app.app.calls
    assert environ["secheaders.csp_unsafe_eval"] is False


@pytest.mark.parametrize(
    ("override", "check"),
    [
        pytest.param(
            {"csp_safe_src": ["'self'", "cdn.example.com"]},
            lambda p, h: (
                p["img-src"] == ["'self'", "cdn.example.com", "data:"]
                and p["form-action"] == ["'self'"]
            ),
            id="csp_safe_src-extends-the-fetch-directives",
        ),
        pytest.param(
            {"csp_frame_ancestors": ["'self'"]},
            lambda p, h: p["frame-ancestors"] == ["'self'"],
            id="csp_frame_ancestors",
        ),
        pytest.param(
            {"csp_header": {"default-src": "'self'"}},
            lambda p, h: (
                p == {"default-src": ["'self'"], "frame-ancestors": ["'none'"]}
            ),
            id="csp_header-replaces-the-policy",
        ),
        pytest.param(
            {"csp_header": {"default-src": "'self'", "frame-ancestors": "'self'"}},
            lambda p, h: (
                p == {"default-src": ["'self'"], "frame-ancestors": ["'self'"]}
            ),
            id="own-policy-with-frame-ancestors",
        ),
        pytest.param(
            {"csp_unsafe_eval": True},
            lambda p, h: (
                p["script-src"] == ["'self'", "'strict-dynamic'", "'unsafe-eval'"]
            ),
            id="csp_unsafe_eval",
        ),
        pytest.param(
            {"hsts_header": "max-age=63072000; includeSubDomains; preload"},
            lambda p, h: h["Strict-Transport-Security"].endswith("; preload"),
            id="hsts_header-opts-into-preload",
        ),
        pytest.param(
            {"hsts_header": False},
            lambda p, h: "Strict-Transport-Security" not in h,
            id="hsts_header-false",
        ),
        pytest.param(
            {"referrer_policy": "no-referrer"},
            lambda p, h: h["Referrer-Policy"] == "no-referrer",
            id="referrer_policy",
        ),
    ],
)
def test_keys_beside_the_preset_override_it(
    override: dict[str, Any], check: Any
) -> None:
    response = served({**STRICT, "server_secured": True, **override}).get("/")
    policy = csp_of(response.headers["Content-Security-Policy"])
    assert check(policy, response.headers), policy


def test_preset_from_yaml_matches_the_dict(tmp_path: Any) -> None:
    path = tmp_path / "security.yaml"
    path.write_text("preset: strict\ncsp_frame_ancestors: [\"'self'\"]\n", "utf-8")
    expected = load_config({"preset": "strict", "csp_frame_ancestors": ["'self'"]})
    assert load_config(path) == expected


def test_strict_preset_with_debug_warns_that_scripts_are_blocked() -> None:
    with pytest.warns(SecurityWarning, match=r"every script is blocked"):
        app = SecureHeaders(lambda e, s: [], {**STRICT, "debug": True})
    assert app.config.debug is True


def test_preset_is_not_applied_without_the_key() -> None:
    assert load_config({}).csp_header is True


BAD = [
    # preset
    pytest.param(
        {"preset": "strikt"},
        "preset: 'strikt' is not a preset (allowed: standard, strict; leave the key out "
        "for none). Did you mean 'strict'?",
        id="preset-typo",
    ),
    pytest.param(
        {"preset": "Strict"},
        "preset: 'Strict' is not a preset (allowed: standard, strict; leave the key out "
        "for none). Did you mean 'strict'?",
        id="preset-case",
    ),
    pytest.param(
        {"preset": True},
        "preset: True is not a preset (allowed: standard, strict; leave the key out for none)",
        id="preset-bool",
    ),
    pytest.param(
        {"preset": None},
        "preset: null is not a value; leave the key out to get its default",
        id="preset-null",
    ),
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_value_is_refused_at_start_up(
    config: dict[Any, Any], message: str, tmp_path: Path
) -> None:
    assert_refused(config, message, tmp_path)
