"""The response-header keys on real responses: in a paths rule and in a named
override, against the app's own headers, and cache_control beside the nonce's
Cache-Control.

Each key is set only in a rule and must reach the responses under its prefix
and no others; the top level keeps its own value.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from webtest import TestApp

from secheaders_wsgi import (
    ConfigError,
    SecureHeaders,
    csp_nonce,
    load_config,
    use_override,
)
from tests.support import HTTPS, RecordingApp, served, values

RECEIVER = {"csp_report_path": "/_/csp-reports"}


def _app(config: dict[str, Any], **app_options: Any) -> TestApp:
    return TestApp(SecureHeaders(RecordingApp(**app_options), config))


# Each key, the header it gives and its value: in a rule and in an override.
KEY_CASES = [
    pytest.param(
        {"clear_site_data": ["cookies", "storage"]},
        "Clear-Site-Data",
        '"cookies", "storage"',
        id="clear_site_data",
    ),
    pytest.param(
        {"cache_control": "no-store"},
        "Cache-Control",
        "no-store",
        id="cache_control",
    ),
    pytest.param(
        {"x_download_options": "noopen"},
        "X-Download-Options",
        "noopen",
        id="x_download_options",
    ),
    pytest.param(
        {"integrity_policy": {"blocked-destinations": ["script"]}},
        "Integrity-Policy",
        "blocked-destinations=(script)",
        id="integrity_policy",
    ),
    pytest.param(
        {
            "integrity_policy_report_only": {
                "blocked-destinations": ["script", "style"],
                "endpoints": ["csp-endpoint"],
            }
        },
        "Integrity-Policy-Report-Only",
        "blocked-destinations=(script style), endpoints=(csp-endpoint)",
        id="integrity_policy_report_only",
    ),
    pytest.param(
        {"cross_origin_opener_policy_report_only": "same-origin"},
        "Cross-Origin-Opener-Policy-Report-Only",
        'same-origin; report-to="csp-endpoint"',
        id="cross_origin_opener_policy_report_only",
    ),
    pytest.param(
        {"cross_origin_embedder_policy_report_only": "require-corp"},
        "Cross-Origin-Embedder-Policy-Report-Only",
        'require-corp; report-to="csp-endpoint"',
        id="cross_origin_embedder_policy_report_only",
    ),
]


@pytest.mark.parametrize(("rule", "name", "inside"), KEY_CASES)
def test_each_key_in_a_rule_reaches_its_prefix_only(
    rule: dict[str, Any], name: str, inside: str
) -> None:
    app = _app({**RECEIVER, "paths": [{"prefix": "/account/", **rule}]})
    assert values(app.get("/account/logout", extra_environ=HTTPS), name) == [inside]
    assert values(app.get("/account", extra_environ=HTTPS), name) == [inside]
    assert values(app.get("/", extra_environ=HTTPS), name) == []
    assert values(app.get("/accounts", extra_environ=HTTPS), name) == []


@pytest.mark.filterwarnings("ignore:clear_site_data. at the top level")
@pytest.mark.parametrize(
    ("top", "rule", "name"),
    [
        pytest.param(
            {"clear_site_data": ["*"]},
            {"clear_site_data": False},
            "Clear-Site-Data",
            id="clear_site_data",
        ),
        pytest.param(
            {"cache_control": "no-store"},
            {"cache_control": False},
            "Cache-Control",
            id="cache_control",
        ),
        pytest.param(
            {"x_download_options": "noopen"},
            {"x_download_options": False},
            "X-Download-Options",
            id="x_download_options",
        ),
        pytest.param(
            {"integrity_policy": {"blocked-destinations": ["script"]}},
            {"integrity_policy": False},
            "Integrity-Policy",
            id="integrity_policy",
        ),
        pytest.param(
            {"integrity_policy_report_only": {"blocked-destinations": ["style"]}},
            {"integrity_policy_report_only": False},
            "Integrity-Policy-Report-Only",
            id="integrity_policy_report_only",
        ),
    ],
)
def test_a_rule_turns_a_top_level_key_off(
    top: dict[str, Any], rule: dict[str, Any], name: str
) -> None:
    app = _app({**top, "paths": [{"prefix": "/static/", **rule}]})
    assert values(app.get("/"), name) != []
    assert values(app.get("/static/app.js"), name) == []


def test_a_rule_replaces_the_top_level_value() -> None:
    config = {
        "cache_control": "private, max-age=60",
        "paths": [{"prefix": "/account/", "cache_control": "no-store"}],
    }
    app = _app(config)
    assert values(app.get("/"), "Cache-Control") == ["private, max-age=60"]
    assert values(app.get("/account/"), "Cache-Control") == ["no-store"]


def test_the_logout_recipe() -> None:
    config = {
        "paths": [
            {
                "prefix": "/logout",
                "clear_site_data": ["cache", "cookies", "storage"],
                "cache_control": "no-store",
            }
        ]
    }
    response = _app(config).get("/logout", extra_environ=HTTPS)
    assert response.headers["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert response.headers["Cache-Control"] == "no-store"


def test_integrity_endpoint_in_a_rule_needs_the_site_wide_receiver() -> None:
    config = {
        **RECEIVER,
        "csp_header": False,
        "paths": [
            {
                "prefix": "/app/",
                "integrity_policy": {
                    "blocked-destinations": ["script"],
                    "endpoints": ["csp-endpoint"],
                },
            }
        ],
    }
    app = _app(config)
    assert "Reporting-Endpoints" not in app.get("/").headers
    inside = app.get("/app/").headers
    assert inside["Reporting-Endpoints"] == 'csp-endpoint="/_/csp-reports"'


# cache_control beside csp_nonce_cache_control: the app's header wins over
# both; cache_control wins over the nonce's (it is the rule's explicit choice).

STRICT = {"preset": "strict"}


@pytest.mark.parametrize(
    ("config", "app_headers", "nonce", "expected"),
    [
        pytest.param(STRICT, [], True, ["private"], id="nonce-alone-private"),
        pytest.param(
            {**STRICT, "cache_control": "no-store"},
            [],
            True,
            ["no-store"],
            id="cache_control-wins-over-the-nonces",
        ),
        pytest.param(
            {**STRICT, "cache_control": "no-store"},
            [],
            False,
            ["no-store"],
            id="cache_control-without-a-nonce",
        ),
        pytest.param(
            {**STRICT, "cache_control": "no-store"},
            [("Cache-Control", "max-age=5")],
            True,
            ["max-age=5"],
            id="the-app-wins-over-both",
        ),
        pytest.param(
            {**STRICT, "cache_control": "no-store", "csp_nonce_cache_control": False},
            [],
            True,
            ["no-store"],
            id="nonce-cache-off",
        ),
    ],
)
def test_cache_control_and_the_nonce(
    config: dict[str, Any],
    app_headers: list[tuple[str, str]],
    nonce: bool,
    expected: list[str],
) -> None:
    response = served(
        config, headers=[("Content-Type", "text/html"), *app_headers], nonce=nonce
    ).get("/")
    assert values(response, "Cache-Control") == expected


# -- The same keys in an override: the view picks it per response.


def _overridden(config: dict[str, Any], name: str | None) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if name is not None:
            use_override(environ, name)
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<p>hi</p>"]

    return TestApp(SecureHeaders(app, config)).get("/", extra_environ=HTTPS)


@pytest.mark.parametrize(("override", "name", "inside"), KEY_CASES)
def test_each_key_in_an_override_reaches_that_response_only(
    override: dict[str, Any], name: str, inside: str
) -> None:
    config = {**RECEIVER, "overrides": {"logout": override}}
    assert values(_overridden(config, "logout"), name) == [inside]
    assert values(_overridden(config, None), name) == []


@pytest.mark.parametrize(
    ("key", "value"),
    [("force_https_permanent", False), ("redirect_host", "www.example.com")],
)
def test_redirect_keys_are_refused_in_an_override(key: str, value: Any) -> None:
    message = (
        f"overrides.logout.{key}: not allowed in an override: the https redirect "
        "is decided before the app runs; use a paths rule"
    )
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        load_config({"overrides": {"logout": {key: value}}})


def test_cache_control_in_an_override_wins_over_the_nonces() -> None:
    config = {
        "preset": "strict",
        "overrides": {"account": {"cache_control": "no-store"}},
    }

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        use_override(environ, "account")
        body = csp_nonce(environ).encode()
        start_response("200 OK", [("Content-Type", "text/html")])
        return [body]

    response = TestApp(SecureHeaders(app, config)).get("/")
    assert values(response, "Cache-Control") == ["no-store"]


def test_standard_preset_in_an_override() -> None:
    config = {"overrides": {"app": {"preset": "standard"}}}
    inside = _overridden(config, "app")
    assert inside.headers["Origin-Agent-Cluster"] == "?1"
    assert "script-src-attr 'none'" in inside.headers["Content-Security-Policy"]
    assert "Origin-Agent-Cluster" not in _overridden(config, None).headers
