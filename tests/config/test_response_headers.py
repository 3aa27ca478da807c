"""clear_site_data, cache_control, integrity_policy(_report_only), x_download_options.

Each key: its default, every allowed value, and each bad value refused at
start-up (as a mapping and as a YAML file) with a ConfigError that names the
key, quotes the value and says what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from secheaders_wsgi import SecurityWarning, load_config
from tests.support import assert_refused

CSD_ALLOWED = "cache, cookies, storage, executionContexts, *"
CACHE_LIST = (
    "a comma list of max-age, s-maxage, no-cache, no-store, no-transform, "
    "must-revalidate, proxy-revalidate, must-understand, private, immutable, "
    "stale-while-revalidate, stale-if-error, public; e.g. 'private'"
)
CACHE_VALUE = (
    "a Cache-Control value such as 'no-store' or 'private, max-age=600', or "
    "false for no header"
)
INTEGRITY_SHAPE = (
    "a mapping of blocked-destinations, sources, endpoints to lists, e.g. "
    "{blocked-destinations: [script]}, or false for no header"
)
NO_BLOCKED = (
    "blocked-destinations is missing or empty, so the policy blocks nothing "
    "(allowed: blocked-destinations: [script], [style] or [script, style])"
)
SCRIPT = {"blocked-destinations": ["script"]}

BAD = [
    # clear_site_data
    pytest.param(
        {"clear_site_data": True},
        f"clear_site_data: True is not a list (allowed: a list of {CSD_ALLOWED}, "
        "or false for no header)",
        id="csd-true",
    ),
    pytest.param(
        {"clear_site_data": "cookies"},
        f"clear_site_data: 'cookies' is not a list (allowed: a list of "
        f"{CSD_ALLOWED}, or false for no header)",
        id="csd-string",
    ),
    pytest.param(
        {"clear_site_data": []},
        f"clear_site_data: [] clears nothing (allowed: a non-empty list of "
        f"{CSD_ALLOWED}, or false for no header)",
        id="csd-empty",
    ),
    pytest.param(
        {"clear_site_data": ["cokies"]},
        f"clear_site_data[0]: 'cokies' is not a Clear-Site-Data type (allowed: "
        f"{CSD_ALLOWED}). Did you mean 'cookies'?",
        id="csd-typo",
    ),
    pytest.param(
        {"clear_site_data": ["cache", "executioncontexts"]},
        f"clear_site_data[1]: 'executioncontexts' is not a Clear-Site-Data type "
        f"(allowed: {CSD_ALLOWED}). Did you mean 'executionContexts'?",
        id="csd-case",
    ),
    pytest.param(
        {"clear_site_data": ['"cache"']},
        f"clear_site_data[0]: '\"cache\"' is not a Clear-Site-Data type (allowed: "
        f"{CSD_ALLOWED}). Did you mean 'cache'?",
        id="csd-quoted",
    ),
    pytest.param(
        {"clear_site_data": ["history"]},
        f"clear_site_data[0]: 'history' is not a Clear-Site-Data type (allowed: "
        f"{CSD_ALLOWED})",
        id="csd-unknown",
    ),
    pytest.param(
        {"clear_site_data": ["cache", "cache"]},
        "clear_site_data[1]: 'cache' is given twice",
        id="csd-duplicate",
    ),
    pytest.param(
        {"clear_site_data": ["*", "cache"]},
        "clear_site_data: '*' already clears every type; give it alone (allowed: "
        "['*'], or a list of the types to clear)",
        id="csd-star-not-alone",
    ),
    pytest.param(
        {"clear_site_data": [1]},
        "clear_site_data[0]: 1 is not a string",
        id="csd-number",
    ),
    # cache_control
    pytest.param(
        {"cache_control": True},
        f"cache_control: True is not allowed (allowed: {CACHE_VALUE})",
        id="cache-true",
    ),
    pytest.param(
        {"cache_control": " "},
        f"cache_control: ' ' is empty (allowed: {CACHE_VALUE})",
        id="cache-empty",
    ),
    pytest.param(
        {"cache_control": 5}, "cache_control: 5 is not a string", id="cache-number"
    ),
    pytest.param(
        {"cache_control": "no-stor"},
        f"cache_control: 'no-stor' in 'no-stor' is not a Cache-Control directive "
        f"(allowed: {CACHE_LIST}). Did you mean 'no-store'?",
        id="cache-typo",
    ),
    pytest.param(
        {"cache_control": "private, max-stale=5"},
        f"cache_control: 'max-stale' in 'private, max-stale=5' is not a "
        f"Cache-Control directive (allowed: {CACHE_LIST}). Did you mean 'max-age'?",
        id="cache-request-directive",
    ),
    pytest.param(
        {"cache_control": "private, max-age = 600"},
        f"cache_control: 'max-age = 600' in 'private, max-age = 600' is not a "
        f"Cache-Control directive (allowed: {CACHE_LIST})",
        id="cache-spaces-around-equals",
    ),
    pytest.param(
        {"cache_control": "no-store; max-age=0"},
        "cache_control: 'no-store; max-age=0' has ';' (allowed: directives "
        "separated by ',', e.g. 'no-store, max-age=0')",
        id="cache-semicolon",
    ),
    pytest.param(
        {"cache_control": "max-age"},
        "cache_control: max-age in 'max-age' needs a whole number of seconds "
        "(allowed: max-age=<seconds>, e.g. max-age=600)",
        id="cache-max-age-bare",
    ),
    pytest.param(
        {"cache_control": "private, max-age=1.5"},
        "cache_control: max-age in 'private, max-age=1.5' needs a whole number of "
        "seconds (allowed: max-age=<seconds>, e.g. max-age=600)",
        id="cache-max-age-float",
    ),
    pytest.param(
        {"cache_control": "s-maxage=-1"},
        "cache_control: s-maxage in 's-maxage=-1' needs a whole number of seconds "
        "(allowed: s-maxage=<seconds>, e.g. s-maxage=600)",
        id="cache-s-maxage-negative",
    ),
    pytest.param(
        {"cache_control": 'max-age="60"'},
        "cache_control: max-age in 'max-age=\"60\"' needs a whole number of "
        "seconds (allowed: max-age=<seconds>, e.g. max-age=600)",
        id="cache-max-age-quoted",
    ),
    pytest.param(
        {"cache_control": "no-store=1"},
        "cache_control: no-store in 'no-store=1' takes no value (allowed: no-store)",
        id="cache-bare-with-value",
    ),
    pytest.param(
        {"cache_control": "no-store, No-Store"},
        f"cache_control: 'no-store, No-Store' gives no-store twice (allowed: "
        f"{CACHE_LIST}, each once)",
        id="cache-duplicate",
    ),
    pytest.param(
        {"cache_control": "public, private"},
        "cache_control: 'public, private' is both public and private (allowed: "
        "one of them)",
        id="cache-public-private",
    ),
    pytest.param(
        {"cache_control": "no-store\r\nSet-Cookie: a=1"},
        "cache_control: 'no-store\\r\\nSet-Cookie: a=1' has the control character "
        "'\\r' (allowed: printable characters only; CR and LF would inject a header)",
        id="cache-injection",
    ),
    # integrity_policy and integrity_policy_report_only
    pytest.param(
        {"integrity_policy": True},
        f"integrity_policy: True is not allowed (allowed: {INTEGRITY_SHAPE})",
        id="integrity-true",
    ),
    pytest.param(
        {"integrity_policy_report_only": "script"},
        f"integrity_policy_report_only: 'script' is not allowed (allowed: "
        f"{INTEGRITY_SHAPE})",
        id="integrity-ro-string",
    ),
    pytest.param(
        {"integrity_policy": {}},
        f"integrity_policy: {NO_BLOCKED}",
        id="integrity-empty",
    ),
    pytest.param(
        {"integrity_policy": {"blocked-destinations": []}},
        f"integrity_policy: {NO_BLOCKED}",
        id="integrity-blocks-nothing",
    ),
    pytest.param(
        {"integrity_policy_report_only": {"sources": ["inline"]}},
        f"integrity_policy_report_only: {NO_BLOCKED}",
        id="integrity-ro-no-destinations",
    ),
    pytest.param(
        {"integrity_policy": {"blocked_destinations": ["script"]}},
        "integrity_policy: 'blocked_destinations' is not an Integrity-Policy "
        "member (allowed: blocked-destinations, sources, endpoints). Did you mean "
        "'blocked-destinations'?",
        id="integrity-member-underscore",
    ),
    pytest.param(
        {"integrity_policy": {**SCRIPT, "report-to": ["x"]}},
        "integrity_policy: 'report-to' is not an Integrity-Policy member "
        "(allowed: blocked-destinations, sources, endpoints)",
        id="integrity-member-unknown",
    ),
    pytest.param(
        {"integrity_policy": {"blocked-destinations": "script"}},
        "integrity_policy.blocked-destinations: 'script' is not a list (allowed: "
        "a list of script, style)",
        id="integrity-destinations-string",
    ),
    pytest.param(
        {"integrity_policy": {"blocked-destinations": ["scripts"]}},
        "integrity_policy.blocked-destinations[0]: 'scripts' is not allowed "
        "(allowed: script, style). Did you mean 'script'?",
        id="integrity-destination-typo",
    ),
    pytest.param(
        {"integrity_policy": {"blocked-destinations": ["image"]}},
        "integrity_policy.blocked-destinations[0]: 'image' is not allowed "
        "(allowed: script, style)",
        id="integrity-destination-unknown",
    ),
    pytest.param(
        {"integrity_policy": {"blocked-destinations": ["style", "style"]}},
        "integrity_policy.blocked-destinations[1]: 'style' is given twice",
        id="integrity-destination-twice",
    ),
    pytest.param(
        {"integrity_policy": {**SCRIPT, "sources": ["external"]}},
        "integrity_policy.sources[0]: 'external' is not allowed (allowed: inline)",
        id="integrity-source-unknown",
    ),
    pytest.param(
        {"integrity_policy": {**SCRIPT, "endpoints": ["1x"]}},
        "integrity_policy.endpoints[0]: '1x' is not an endpoint name (allowed: a "
        "letter then letters, digits and -_.*:/)",
        id="integrity-endpoint-not-a-token",
    ),
    pytest.param(
        {
            "csp_report_path": "/_/csp-reports",
            "integrity_policy": {**SCRIPT, "endpoints": ["default"]},
        },
        "integrity_policy.endpoints[0]: 'default' is not a reporting endpoint this "
        "config defines (allowed: csp-endpoint, the group Reporting-Endpoints "
        "names when csp_report_uri or csp_report_path is set)",
        id="integrity-endpoint-undefined",
    ),
    pytest.param(
        {"integrity_policy_report_only": {**SCRIPT, "endpoints": ["csp-endpoint"]}},
        "integrity_policy_report_only.endpoints[0]: 'csp-endpoint' is only "
        "defined when csp_report_uri or csp_report_path is set; set one of them, "
        "or leave endpoints out",
        id="integrity-endpoint-without-reporting",
    ),
    # x_download_options
    pytest.param(
        {"x_download_options": "open"},
        "x_download_options: 'open' is not allowed (allowed: noopen, or false for "
        "no header). Did you mean 'noopen'?",
        id="download-typo",
    ),
    pytest.param(
        {"x_download_options": "noOpen"},
        "x_download_options: 'noOpen' is not allowed (allowed: noopen, or false "
        "for no header). Did you mean 'noopen'?",
        id="download-case",
    ),
    pytest.param(
        {"x_download_options": True},
        "x_download_options: True is not allowed (allowed: noopen, or false for no "
        "header)",
        id="download-true",
    ),
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_value_is_refused_at_start_up(
    config: dict[str, Any], message: str, tmp_path: Path
) -> None:
    assert_refused(config, message, tmp_path)


def test_defaults_send_none_of_these_headers() -> None:
    config = load_config({})
    assert config.clear_site_data is False
    assert config.cache_control is False
    assert config.integrity_policy is False
    assert config.integrity_policy_report_only is False
    assert config.x_download_options is False


@pytest.mark.filterwarnings("ignore:clear_site_data. at the top level")
@pytest.mark.parametrize(
    ("value", "held"),
    [
        (["cache"], ("cache",)),
        (["cookies"], ("cookies",)),
        (["storage"], ("storage",)),
        (["executionContexts"], ("executionContexts",)),
        (["*"], ("*",)),
        (["cookies", "storage", "cache"], ("cookies", "storage", "cache")),
        (False, False),
    ],
    ids=str,
)
def test_clear_site_data_allowed(value: Any, held: Any) -> None:
    assert load_config({"clear_site_data": value}).clear_site_data == held


@pytest.mark.parametrize(
    ("value", "held"),
    [
        ("no-store", "no-store"),
        ("No-Store,MAX-AGE=0", "no-store, max-age=0"),
        ("private, max-age=600", "private, max-age=600"),
        ("no-cache", "no-cache"),
        ("no-transform", "no-transform"),
        ("must-revalidate, proxy-revalidate", "must-revalidate, proxy-revalidate"),
        ("must-understand, no-store", "must-understand, no-store"),
        ("public, max-age=31536000, immutable", "public, max-age=31536000, immutable"),
        ("s-maxage=60", "s-maxage=60"),
        (
            "max-age=60, stale-while-revalidate=30",
            "max-age=60, stale-while-revalidate=30",
        ),
        ("max-age=60, stale-if-error=86400", "max-age=60, stale-if-error=86400"),
        (False, False),
    ],
    ids=str,
)
def test_cache_control_allowed(value: Any, held: Any) -> None:
    assert load_config({"cache_control": value}).cache_control == held


@pytest.mark.parametrize("key", ["integrity_policy", "integrity_policy_report_only"])
@pytest.mark.parametrize(
    ("value", "held"),
    [
        (SCRIPT, (("blocked-destinations", ("script",)),)),
        (
            {"blocked-destinations": ["style", "script"], "sources": ["inline"]},
            (("blocked-destinations", ("style", "script")), ("sources", ("inline",))),
        ),
        (
            # Members in the header's order, whatever the mapping's.
            {"endpoints": ["csp-endpoint"], **SCRIPT},
            (
                ("blocked-destinations", ("script",)),
                ("endpoints", ("csp-endpoint",)),
            ),
        ),
        (False, False),
    ],
    ids=str,
)
def test_integrity_policy_allowed(key: str, value: Any, held: Any) -> None:
    config = load_config({key: value, "csp_report_path": "/_/csp-reports"})
    assert getattr(config, key) == held


@pytest.mark.parametrize("value", ["noopen", False])
def test_x_download_options_allowed(value: Any) -> None:
    assert load_config({"x_download_options": value}).x_download_options == value


def test_a_shared_cache_beside_a_possible_nonce_warns() -> None:
    with pytest.warns(SecurityWarning, match=r"^cache_control: 'public' lets a"):
        load_config({"cache_control": "public, max-age=60", "preset": "strict"})


@pytest.mark.parametrize(
    "config",
    [
        pytest.param({"cache_control": "public, max-age=60"}, id="unsafe-inline-on"),
        pytest.param(
            {"cache_control": "public", "preset": "strict", "csp_header": False},
            id="no-csp",
        ),
        pytest.param(
            {"cache_control": "no-store", "preset": "strict"}, id="private-cache"
        ),
    ],
)
def test_no_nonce_possible_or_no_shared_cache_no_warning(
    config: dict[str, Any],
) -> None:
    load_config(config)  # filterwarnings = error


def test_clear_site_data_at_the_top_level_warns() -> None:
    with pytest.warns(
        SecurityWarning,
        match=r"^clear_site_data: at the top level every response clears the "
        r"browser's data for the site \(a cookies type logs the user out on each "
        r"page\); set it in a paths rule for the logout page instead$",
    ):
        load_config({"clear_site_data": ["cookies"]})


def test_clear_site_data_in_a_rule_does_not_warn() -> None:
    load_config({"paths": [{"prefix": "/logout", "clear_site_data": ["cookies"]}]})
