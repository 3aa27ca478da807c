"""Content-Security-Policy: the default policy, the switches, custom policies, hashes and 'strict-dynamic'."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest

from secheaders_wsgi import SecurityWarning, load_config
from tests.support import DEFAULT_CSP, csp_of, served


def csp(config: Any = None, **environ: Any) -> dict[str, list[str]]:
    response = served(config).get("/", extra_environ=environ)
    return csp_of(response.headers["Content-Security-Policy"])


def test_default_header_is_the_documented_one() -> None:
    response = served().get("/")
    assert response.headers["Content-Security-Policy"] == DEFAULT_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-XSS-Protection"] == "1; mode=block"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize(
    ("directive", "sources"),
    [
        ("default-src", ["'self'"]),
        ("script-src", ["'self'", "'unsafe-eval'", "'unsafe-inline'"]),
        ("style-src", ["'self'", "'unsafe-eval'", "'unsafe-inline'"]),
        ("manifest-src", ["'self'"]),
        ("connect-src", ["http:", "ws:"]),
        ("img-src", ["*", "data:", "blob:"]),
        ("media-src", ["*", "data:", "blob:"]),
        ("frame-src", ["*", "data:", "blob:"]),
        ("object-src", ["*", "data:", "blob:"]),
    ],
)
def test_default_policy_directive_by_directive(
    directive: str, sources: list[str]
) -> None:
    policy = csp()
    assert policy[directive] == sources
    assert "frame-ancestors" not in policy


def test_server_secured_connects_over_tls_only() -> None:
    assert csp({"server_secured": True})["connect-src"] == ["https:", "wss:"]


def test_csp_header_false_drops_csp_and_its_companions() -> None:
    response = served({"csp_header": False}).get("/")
    for name in (
        "Content-Security-Policy",
        "X-XSS-Protection",
        "X-Content-Type-Options",
    ):
        assert name not in response.headers
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param({}, ["'self'", "'unsafe-eval'", "'unsafe-inline'"], id="defaults"),
        pytest.param(
            {"csp_unsafe_inline": False}, ["'self'", "'unsafe-eval'"], id="no-inline"
        ),
        pytest.param(
            {"csp_unsafe_eval": False}, ["'self'", "'unsafe-inline'"], id="no-eval"
        ),
        pytest.param(
            {"csp_unsafe_inline": False, "csp_unsafe_eval": False},
            ["'self'"],
            id="neither",
        ),
        pytest.param(
            {"csp_unsafe_inline": False, "debug": True},
            ["'self'", "'unsafe-eval'", "'unsafe-inline'"],
            id="debug-forces-inline",
        ),
        pytest.param(
            {"csp_unsafe_inline": False, "csp_unsafe_eval": False, "debug": True},
            ["'self'", "'unsafe-inline'"],
            id="debug-leaves-eval-alone",
        ),
    ],
)
def test_unsafe_switches_and_debug(config: dict[str, Any], expected: list[str]) -> None:
    policy = csp(config)
    assert policy["script-src"] == expected
    assert policy["style-src"] == expected
    assert policy["default-src"] == ["'self'"]


@pytest.mark.parametrize(
    ("unsafe_eval", "seen"), [(True, True), (False, False)], ids=["eval", "no-eval"]
)
def test_app_is_told_whether_unsafe_eval_is_allowed(
    unsafe_eval: bool, seen: bool
) -> None:
    app = served({"csp_unsafe_eval": unsafe_eval})
    app.get("/")
    assert app.app.app.seen["secheaders.csp_unsafe_eval"] is seen


def test_safe_src_keeps_order_and_drops_duplicates() -> None:
    safe = [
        "'self'",
        "*.gstatic.com",
        "fonts.googleapis.com",
        "*.gstatic.com",
        "'self'",
    ]
    policy = csp({"csp_safe_src": safe})
    assert policy["default-src"] == ["'self'", "*.gstatic.com", "fonts.googleapis.com"]
    assert policy["script-src"][:3] == policy["default-src"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(True, None, id="true-no-directive"),
        pytest.param(False, ["'none'"], id="false-none"),
        pytest.param([], ["'none'"], id="empty-none"),
        pytest.param(
            ["'self'", "https://partner.example"],
            ["'self'", "https://partner.example"],
            id="list",
        ),
        pytest.param(["'safe-src'"], ["'self'", "cdn.example.com"], id="safe-src"),
    ],
)
def test_csp_frame_ancestors(value: Any, expected: list[str] | None) -> None:
    config = {
        "csp_frame_ancestors": value,
        "csp_safe_src": ["'self'", "cdn.example.com"],
    }
    assert csp(config).get("frame-ancestors") == expected


def test_custom_policy_replaces_default_and_accepts_strings_and_lists() -> None:
    config = {
        "csp_unsafe_inline": False,
        "csp_unsafe_eval": False,
        "csp_header": {
            "default-src": "'self' cdn.example.com",
            "img-src": ["'self'", "data:"],
        },
    }
    assert csp(config) == {
        "default-src": ["'self'", "cdn.example.com"],
        "img-src": ["'self'", "data:"],
    }


def test_custom_policy_expands_safe_src_anywhere() -> None:
    config = {
        "csp_safe_src": ["'self'", "*.gstatic.com"],
        "csp_unsafe_inline": False,
        "csp_unsafe_eval": False,
        "csp_header": {
            "font-src": "'safe-src' fonts.example.com",
            "img-src": ["data:", "'safe-src'", "'self'"],
        },
    }
    assert csp(config) == {
        "font-src": ["'self'", "*.gstatic.com", "fonts.example.com"],
        "img-src": ["data:", "'self'", "*.gstatic.com"],
    }


def test_custom_policy_derives_script_and_style_from_default_src() -> None:
    config = {"csp_header": {"default-src": "'safe-src' cdn.example.com"}}
    # The switches were left at their defaults: what they add is announced.
    with pytest.warns(
        SecurityWarning, match="the custom policy is not sent as written"
    ):
        policy = csp(config)
    derived = ["'self'", "cdn.example.com", "'unsafe-eval'", "'unsafe-inline'"]
    assert policy["script-src"] == derived
    assert policy["style-src"] == derived


def test_custom_policy_adds_switches_to_its_own_script_src() -> None:
    config = {
        "csp_unsafe_eval": False,
        "csp_unsafe_inline": True,
        "csp_header": {"default-src": "'self'", "script-src": "js.example.com"},
    }
    policy = csp(config)
    assert policy["script-src"] == ["js.example.com", "'unsafe-inline'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]


def test_custom_policy_without_default_src_gets_no_script_src() -> None:
    assert csp({"csp_header": {"img-src": "'self'"}}) == {"img-src": ["'self'"]}


def test_custom_policy_without_switches_derives_nothing() -> None:
    config = {
        "csp_unsafe_inline": False,
        "csp_unsafe_eval": False,
        "csp_header": {"default-src": "'self'"},
    }
    assert csp(config) == {"default-src": ["'self'"]}


def test_custom_policy_sends_bare_directives_bare() -> None:
    config = {
        "csp_header": {
            "default-src": "'self'",
            "upgrade-insecure-requests": "",
            "block-all-mixed-content": [],
        },
        "csp_unsafe_inline": True,
        "csp_unsafe_eval": True,
    }
    value = served(config).get("/").headers["Content-Security-Policy"]
    assert "; upgrade-insecure-requests;" in value + ";"
    assert "block-all-mixed-content" in csp_of(value)
    assert csp_of(value)["upgrade-insecure-requests"] == []


def test_custom_policy_with_frame_ancestors_switch() -> None:
    config = {"csp_header": {"img-src": "'self'"}, "csp_frame_ancestors": False}
    assert csp(config)["frame-ancestors"] == ["'none'"]


def test_custom_directive_names_are_case_insensitive() -> None:
    config = {"csp_header": {"IMG-SRC": "'self'"}}
    assert csp(config) == {"img-src": ["'self'"]}


def test_custom_script_src_none_with_switches_warns_and_is_replaced() -> None:
    with pytest.warns(
        SecurityWarning, match=r"csp_header.script-src: 'none' is replaced"
    ):
        policy = csp(
            {
                "csp_header": {"script-src": "'none'"},
                "csp_unsafe_inline": True,
                "csp_unsafe_eval": True,
            }
        )
    assert policy["script-src"] == ["'unsafe-eval'", "'unsafe-inline'"]


def digest(algorithm: str, text: bytes, urlsafe: bool = False) -> str:
    raw = hashlib.new(algorithm, text).digest()
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    return f"'{algorithm}-{encode(raw).decode()}'"


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(digest("sha256", b"alert(1)"), id="sha256"),
        pytest.param(digest("sha384", b"alert(1)"), id="sha384"),
        pytest.param(digest("sha512", b"alert(1)"), id="sha512"),
        pytest.param(digest("sha256", b"\xff" * 9, urlsafe=True), id="base64url"),
        pytest.param("'SHA256-" + digest("sha256", b"x")[8:], id="algorithm-case"),
        pytest.param("'strict-dynamic'", id="strict-dynamic"),
    ],
)
def test_source_is_accepted_and_sent_as_written(source: str) -> None:
    config = {
        "csp_header": {"script-src": ["'self'", source]},
        "csp_unsafe_inline": False,  # beside 'strict-dynamic' it would warn
        "csp_unsafe_eval": False,
    }
    response = served(config).get("/")
    assert csp_of(response.headers["Content-Security-Policy"])["script-src"][:2] == [
        "'self'",
        source,
    ]


def test_hashes_and_nonce_together() -> None:
    sha = digest("sha256", b"console.log(1)")
    config = {
        "csp_header": {"script-src": f"'strict-dynamic' {sha}"},
        "csp_unsafe_inline": False,
        "csp_unsafe_eval": False,
    }
    response = served(config, nonce=True).get("/")
    assert csp_of(response.headers["Content-Security-Policy"])["script-src"] == [
        "'strict-dynamic'",
        sha,
        f"'nonce-{response.text}'",
    ]


def test_hash_in_the_trial_policy_and_safe_src() -> None:
    sha = digest("sha384", b"body{}")
    config = load_config(
        {
            "csp_safe_src": ["'self'", sha],
            "csp_report_only_header": {"style-src": "'safe-src'"},
            "csp_report_uri": "/r",
        }
    )
    assert config.csp_report_only_header == (("style-src", ("'safe-src'",)),)
    assert config.csp_safe_src == ("'self'", sha)
