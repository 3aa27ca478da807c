"""Every row of the behaviour contract, as the headers a response carries."""

from __future__ import annotations

from typing import Any

import pytest

from secheaders_wsgi import SecurityWarning
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


def test_server_secured_sends_default_hsts() -> None:
    response = served({"server_secured": True}).get("/")
    expected = "max-age=31556926; includeSubDomains"
    assert response.headers["Strict-Transport-Security"] == expected


def test_hsts_header_string_replaces_the_default() -> None:
    config = {"server_secured": True, "hsts_header": "max-age=600"}
    assert served(config).get("/").headers["Strict-Transport-Security"] == "max-age=600"


def test_hsts_header_false_sends_none_even_when_secured() -> None:
    response = served({"server_secured": True, "hsts_header": False}).get("/")
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize(
    ("scheme", "sent"),
    [pytest.param("https", True, id="https"), pytest.param("http", False, id="http")],
)
def test_hsts_header_without_server_secured_goes_on_https_only(
    scheme: str, sent: bool
) -> None:
    app = served({"hsts_header": "max-age=600"})
    response = app.get("/", extra_environ={"wsgi.url_scheme": scheme})
    assert ("Strict-Transport-Security" in response.headers) is sent


def test_no_hsts_on_https_without_server_secured_or_hsts_header() -> None:
    response = served().get("/", extra_environ={"wsgi.url_scheme": "https"})
    assert "Strict-Transport-Security" not in response.headers


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
    policy = csp(config)
    derived = ["'self'", "cdn.example.com", "'unsafe-eval'", "'unsafe-inline'"]
    assert policy["script-src"] == derived
    assert policy["style-src"] == derived


def test_custom_policy_adds_switches_to_its_own_script_src() -> None:
    config = {
        "csp_unsafe_eval": False,
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
        }
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
        policy = csp({"csp_header": {"script-src": "'none'"}})
    assert policy["script-src"] == ["'unsafe-eval'", "'unsafe-inline'"]


@pytest.mark.parametrize(
    "value",
    ["no-referrer", "same-origin", "no-referrer, strict-origin-when-cross-origin"],
)
def test_referrer_policy_string(value: str) -> None:
    assert (
        served({"referrer_policy": value}).get("/").headers["Referrer-Policy"] == value
    )


def test_referrer_policy_false_sends_none() -> None:
    assert "Referrer-Policy" not in served({"referrer_policy": False}).get("/").headers


def test_header_order_is_fixed_and_the_apps_headers_come_first() -> None:
    response = served({"server_secured": True}).get("/")
    names = [name for name, _ in response.headerlist if name != "Content-Length"]
    assert names == [
        "Content-Type",
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "X-XSS-Protection",
        "Referrer-Policy",
        "Strict-Transport-Security",
    ]
