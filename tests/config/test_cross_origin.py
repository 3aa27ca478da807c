"""``cross_origin``: its keys, its trusted origins, ``paths`` rules, overrides and presets.

Each bad value fails at start-up, given as a mapping and as a YAML file, with a
ConfigError that names the key, quotes the value and says what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from secheaders_wsgi import SecurityWarning, load_config
from secheaders_wsgi.config.cross_origin_keys import CrossOrigin
from tests.support import assert_refused

ALLOWED = (
    "a mapping of mode (csrf or isolation), report_only, trusted_origins and "
    "same_site_trusted, e.g. {mode: csrf}, or false for none"
)
MODES = (
    "(allowed: csrf, which refuses cross-origin form posts and other unsafe "
    "methods, or isolation, which also refuses cross-site subresource requests)"
)
ORIGIN = (
    "an origin (allowed: scheme://host[:port] as browsers send it in Origin, "
    "e.g. 'https://sso.example')"
)


def _trusted(*origins: object) -> dict[str, Any]:
    return {"cross_origin": {"trusted_origins": list(origins)}}


BAD = [
    # the shape
    pytest.param(
        {"cross_origin": True},
        f"cross_origin: True is not allowed (allowed: {ALLOWED})",
        id="true",
    ),
    pytest.param(
        {"cross_origin": "csrf"},
        f"cross_origin: 'csrf' is not allowed (allowed: {ALLOWED})",
        id="bare-mode",
    ),
    pytest.param(
        {"cross_origin": ["csrf"]},
        f"cross_origin: ['csrf'] is not allowed (allowed: {ALLOWED})",
        id="list",
    ),
    pytest.param(
        {"cross_origin": "false"},
        f"cross_origin: 'false' is not allowed (allowed: {ALLOWED})",
        id="string-false",
    ),
    pytest.param(
        {"cross_origin": {}},
        f"cross_origin: {{}} turns nothing on (allowed: {ALLOWED}; mode defaults "
        "to csrf once any key is given)",
        id="empty",
    ),
    pytest.param(
        {"cross_origin": {"mdoe": "csrf"}},
        "cross_origin: unknown key 'mdoe' (allowed: mode, report_only, "
        "trusted_origins, same_site_trusted). Did you mean 'mode'?",
        id="key-typo",
    ),
    pytest.param(
        {"cross_origin": {"report-only": True}},
        "cross_origin: unknown key 'report-only' (allowed: mode, report_only, "
        "trusted_origins, same_site_trusted). Did you mean 'report_only'?",
        id="key-dash",
    ),
    pytest.param(
        {"cross_origin": {"trusted_origin": ["https://a.example"]}},
        "cross_origin: unknown key 'trusted_origin' (allowed: mode, report_only, "
        "trusted_origins, same_site_trusted). Did you mean 'trusted_origins'?",
        id="key-singular",
    ),
    pytest.param(
        {"cross_origin": {"exempt": ["/hooks/"]}},
        "cross_origin: unknown key 'exempt' (allowed: mode, report_only, "
        "trusted_origins, same_site_trusted)",
        id="key-unknown",
    ),
    pytest.param(
        {"cross_origin": {1: "csrf"}},
        "cross_origin: unknown key 1 (allowed: mode, report_only, "
        "trusted_origins, same_site_trusted)",
        id="key-not-a-string",
    ),
    pytest.param(
        {"cross_origin": {"mode": None}},
        "cross_origin.mode: null is not a value; leave the key out for its default",
        id="null",
    ),
    # mode
    pytest.param(
        {"cross_origin": {"mode": "CSRF"}},
        f"cross_origin.mode: 'CSRF' is not a mode {MODES}. Did you mean 'csrf'?",
        id="mode-upper-case",
    ),
    pytest.param(
        {"cross_origin": {"mode": "isolate"}},
        f"cross_origin.mode: 'isolate' is not a mode {MODES}. Did you mean "
        "'isolation'?",
        id="mode-typo",
    ),
    pytest.param(
        {"cross_origin": {"mode": "strict"}},
        f"cross_origin.mode: 'strict' is not a mode {MODES}",
        id="mode-unknown",
    ),
    pytest.param(
        {"cross_origin": {"mode": True}},
        f"cross_origin.mode: True is not a mode {MODES}",
        id="mode-bool",
    ),
    # the booleans
    pytest.param(
        {"cross_origin": {"report_only": "true"}},
        "cross_origin.report_only: 'true' is not a boolean (allowed: true, false)",
        id="report-only-string",
    ),
    pytest.param(
        {"cross_origin": {"same_site_trusted": 1}},
        "cross_origin.same_site_trusted: 1 is not a boolean (allowed: true, false)",
        id="same-site-int",
    ),
    # trusted_origins
    pytest.param(
        {"cross_origin": {"trusted_origins": "https://a.example"}},
        "cross_origin.trusted_origins: 'https://a.example' is not a list "
        "(allowed: a list of origins, e.g. ['https://sso.example']; [] for none)",
        id="origins-string",
    ),
    pytest.param(
        _trusted("https://a.example/"),
        "cross_origin.trusted_origins[0]: 'https://a.example/' is not an origin: "
        "an origin has no path (allowed: 'https://a.example')",
        id="origin-trailing-slash",
    ),
    pytest.param(
        _trusted("https://a.example", "https://b.example/login?next=/"),
        "cross_origin.trusted_origins[1]: 'https://b.example/login?next=/' is not "
        "an origin: an origin has no path (allowed: 'https://b.example')",
        id="origin-with-path",
    ),
    pytest.param(
        _trusted("sso.example"),
        f"cross_origin.trusted_origins[0]: 'sso.example' is not {ORIGIN}",
        id="origin-no-scheme",
    ),
    pytest.param(
        _trusted("//sso.example"),
        f"cross_origin.trusted_origins[0]: '//sso.example' is not {ORIGIN}",
        id="origin-scheme-relative",
    ),
    pytest.param(
        _trusted("https://"),
        f"cross_origin.trusted_origins[0]: 'https://' is not {ORIGIN}",
        id="origin-no-host",
    ),
    pytest.param(
        _trusted("https://sso example"),
        f"cross_origin.trusted_origins[0]: 'https://sso example' is not {ORIGIN}",
        id="origin-space",
    ),
    pytest.param(
        _trusted("https://user@sso.example"),
        f"cross_origin.trusted_origins[0]: 'https://user@sso.example' is not {ORIGIN}",
        id="origin-userinfo",
    ),
    pytest.param(
        _trusted("https://b\u00fccher.example"),
        f"cross_origin.trusted_origins[0]: 'https://b\u00fccher.example' is not "
        f"{ORIGIN}",
        id="origin-not-punycode",
    ),
    pytest.param(
        _trusted("null"),
        "cross_origin.trusted_origins[0]: 'null' is the Origin of sandboxed "
        "frames, file: pages and some redirects: any site can make a request "
        "with it, so it cannot be trusted (allowed: an origin such as "
        "'https://sso.example')",
        id="origin-null",
    ),
    pytest.param(
        _trusted("NULL"),
        "cross_origin.trusted_origins[0]: 'null' is the Origin of sandboxed "
        "frames, file: pages and some redirects: any site can make a request "
        "with it, so it cannot be trusted (allowed: an origin such as "
        "'https://sso.example')",
        id="origin-null-upper-case",
    ),
    pytest.param(
        _trusted("*"),
        "cross_origin.trusted_origins[0]: '*' has a '*', but a trusted origin is "
        "compared exactly (allowed: each origin written out, e.g. "
        "'https://app.example.com')",
        id="origin-star",
    ),
    pytest.param(
        _trusted("https://*.example.com"),
        "cross_origin.trusted_origins[0]: 'https://*.example.com' has a '*', but a "
        "trusted origin is compared exactly (allowed: each origin written out, "
        "e.g. 'https://app.example.com')",
        id="origin-wildcard",
    ),
    pytest.param(
        _trusted("https://sso.example:443"),
        "cross_origin.trusted_origins[0]: 'https://sso.example:443' never "
        "matches: browsers leave the default port out of Origin (allowed: "
        "'https://sso.example')",
        id="origin-default-https-port",
    ),
    pytest.param(
        _trusted("http://localhost:80"),
        "cross_origin.trusted_origins[0]: 'http://localhost:80' never matches: "
        "browsers leave the default port out of Origin (allowed: "
        "'http://localhost')",
        id="origin-default-http-port",
    ),
    pytest.param(
        _trusted("https://sso.example:0"),
        "cross_origin.trusted_origins[0]: 'https://sso.example:0' has the port "
        "'0' (allowed: a port from 1 to 65535, written without leading zeros)",
        id="origin-port-zero",
    ),
    pytest.param(
        _trusted("https://sso.example:65536"),
        "cross_origin.trusted_origins[0]: 'https://sso.example:65536' has the "
        "port '65536' (allowed: a port from 1 to 65535, written without leading "
        "zeros)",
        id="origin-port-too-big",
    ),
    pytest.param(
        _trusted("https://sso.example:08443"),
        "cross_origin.trusted_origins[0]: 'https://sso.example:08443' has the "
        "port '08443' (allowed: a port from 1 to 65535, written without leading "
        "zeros)",
        id="origin-port-leading-zero",
    ),
    pytest.param(
        _trusted(42),
        "cross_origin.trusted_origins[0]: 42 is not a string",
        id="origin-int",
    ),
    pytest.param(
        _trusted("https://sso.example\r\nX-Evil: 1"),
        "cross_origin.trusted_origins[0]: 'https://sso.example\\r\\nX-Evil: 1' "
        "has the control character '\\r' (allowed: printable characters only; "
        "CR and LF would inject a header)",
        id="origin-injection",
    ),
    # in a rule, and in an override
    pytest.param(
        {"paths": [{"prefix": "/hooks/", "cross_origin": {"mode": "off"}}]},
        f"paths[0].cross_origin.mode: 'off' is not a mode {MODES}",
        id="rule-bad-mode",
    ),
    pytest.param(
        {"paths": [{"prefix": "/hooks/", "cross_origin": None}]},
        "paths[0].cross_origin: null is not a value; leave the key out to keep "
        "the top-level setting",
        id="rule-null",
    ),
    pytest.param(
        {"overrides": {"api": {"cross_origin": False}}},
        "overrides.api.cross_origin: not allowed in an override: the cross-origin "
        "check refuses a request before the app runs, so a view's use_override "
        "comes too late; exempt a prefix or change the mode with a paths rule",
        id="override",
    ),
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_value_is_refused_at_start_up(
    config: dict[str, Any], message: str, tmp_path: Path
) -> None:
    assert_refused(config, message, tmp_path)


def test_off_by_default() -> None:
    assert load_config({}).cross_origin is False
    assert CrossOrigin.of(load_config({}).cross_origin) is None


@pytest.mark.parametrize(
    ("given", "settings"),
    [
        pytest.param({"mode": "csrf"}, CrossOrigin(), id="csrf"),
        pytest.param({"report_only": True}, CrossOrigin(report_only=True), id="ro"),
        pytest.param(
            {"mode": "isolation", "same_site_trusted": True},
            CrossOrigin(mode="isolation", same_site_trusted=True),
            id="isolation",
        ),
        pytest.param(
            {
                "trusted_origins": [
                    "HTTPS://SSO.Example",
                    "https://sso.example",
                    "http://localhost:8000",
                    "https://[2001:db8::1]:8443",
                    "android-app://com.example",
                ]
            },
            CrossOrigin(
                trusted_origins=(
                    "https://sso.example",
                    "http://localhost:8000",
                    "https://[2001:db8::1]:8443",
                    "android-app://com.example",
                )
            ),
            id="origins-lower-cased-once-each",
        ),
        pytest.param({"trusted_origins": []}, CrossOrigin(), id="no-origins"),
    ],
)
def test_good_values_and_their_defaults(
    given: dict[str, Any], settings: CrossOrigin
) -> None:
    assert CrossOrigin.of(load_config({"cross_origin": given}).cross_origin) == (
        settings
    )


def test_yaml_matches_the_dict(tmp_path: Path) -> None:
    path = tmp_path / "security.yaml"
    path.write_text(
        "cross_origin:\n"
        "  report_only: true\n"
        "  mode: isolation\n"
        "  trusted_origins: [https://sso.example]\n",
        encoding="utf-8",
    )
    as_dict = {
        "cross_origin": {
            "mode": "isolation",
            "report_only": True,
            "trusted_origins": ["https://sso.example"],
        }
    }
    assert load_config(path) == load_config(as_dict)


BASE = {"mode": "csrf", "report_only": True, "trusted_origins": ["https://sso.example"]}


@pytest.mark.parametrize(
    ("rule", "settings"),
    [
        pytest.param({"cross_origin": False}, None, id="off-under-a-prefix"),
        pytest.param(
            {"cross_origin": {"mode": "isolation"}},
            CrossOrigin("isolation", True, ("https://sso.example",)),
            id="the-mode-changes-the-rest-is-kept",
        ),
        pytest.param(
            {"cross_origin": {"report_only": False}},
            CrossOrigin("csrf", False, ("https://sso.example",)),
            id="enforced-under-a-prefix",
        ),
        pytest.param(
            {"cross_origin": {"trusted_origins": ["https://pay.example"]}},
            CrossOrigin("csrf", True, ("https://pay.example",)),
            id="a-list-replaces",
        ),
        pytest.param(
            {"replace": True, "cross_origin": {"mode": "isolation"}},
            CrossOrigin("isolation"),
            id="replace-true-starts-from-the-defaults",
        ),
        pytest.param(
            {"preset": "strict"},
            CrossOrigin("csrf"),
            id="a-preset-in-a-rule",
        ),
        pytest.param(
            {}, CrossOrigin("csrf", True, ("https://sso.example",)), id="kept"
        ),
    ],
)
def test_a_paths_rule_merges_onto_the_top_level_key_by_key(
    rule: dict[str, Any], settings: CrossOrigin | None
) -> None:
    config = load_config({"cross_origin": BASE, "paths": [{"prefix": "/x/", **rule}]})
    [(_, inside)] = config.paths
    assert CrossOrigin.of(inside.cross_origin) == settings
    assert CrossOrigin.of(config.cross_origin) == CrossOrigin(
        "csrf", True, ("https://sso.example",)
    )


def test_a_rule_turns_it_on_where_the_top_level_has_none() -> None:
    config = load_config(
        {"paths": [{"prefix": "/account/", "cross_origin": {"mode": "isolation"}}]}
    )
    assert config.cross_origin is False
    assert CrossOrigin.of(config.paths[0][1].cross_origin) == CrossOrigin("isolation")


@pytest.mark.parametrize(
    ("preset", "settings"),
    [
        pytest.param("standard", CrossOrigin("csrf", report_only=True), id="standard"),
        pytest.param("strict", CrossOrigin("csrf"), id="strict"),
    ],
)
def test_the_presets(preset: str, settings: CrossOrigin) -> None:
    assert CrossOrigin.of(load_config({"preset": preset}).cross_origin) == settings


def test_a_key_beside_the_preset_replaces_its_setting() -> None:
    config = load_config({"preset": "strict", "cross_origin": {"report_only": True}})
    assert CrossOrigin.of(config.cross_origin) == CrossOrigin(report_only=True)
    off = load_config({"preset": "strict", "cross_origin": False})
    assert off.cross_origin is False


@pytest.mark.parametrize(
    "origin",
    ["http://partner.example", "http://10.0.0.5:8080"],
)
def test_a_plain_http_trusted_origin_warns(origin: str) -> None:
    with pytest.warns(
        SecurityWarning,
        match=rf"^cross_origin\.trusted_origins\[0\]: '{origin}' is plain http: ",
    ):
        load_config(_trusted(origin))


@pytest.mark.parametrize(
    "origin",
    [
        "https://partner.example",
        "http://localhost:8000",
        "http://127.0.0.1:5000",
        "http://[::1]:8000",
        "http://app.localhost",
    ],
)
def test_https_and_loopback_trusted_origins_are_quiet(origin: str) -> None:
    load_config(_trusted(origin))  # filterwarnings = error: a warning fails it


def test_the_http_warning_is_said_once_not_per_rule() -> None:
    with pytest.warns(SecurityWarning) as caught:
        load_config(
            {
                **_trusted("http://partner.example"),
                "paths": [{"prefix": "/a/", "referrer_policy": "no-referrer"}],
            }
        )
    assert len(caught) == 1
