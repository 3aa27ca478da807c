"""``overrides:``: their shape, their keys, and the keys they may not set.

Each bad value fails at start-up, given as a mapping and as a YAML file, with a
ConfigError that names the key, quotes the value and says what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from secheaders_wsgi import ConfigError, load_config
from secheaders_wsgi.config.overrides import BEFORE_APP
from tests.support import assert_refused

BAD = [
    pytest.param(
        {"overrides": ["embed"]},
        (
            "overrides: ['embed'] is not allowed (allowed: a mapping of override "
            "name to a rule, e.g. {embed: {csp_frame_ancestors: [\"'self'\", "
            "https://partner.example]}})"
        ),
        id="not-a-mapping",
    ),
    pytest.param(
        {"overrides": {"em bed": {}}},
        (
            "overrides: 'em bed' is not an override name (allowed: letters, digits, "
            "'_', '.' and '-', e.g. embed)"
        ),
        id="bad-name",
    ),
    pytest.param(
        {"overrides": {"embed": ["frame"]}},
        (
            "overrides.embed: ['frame'] is not a mapping (allowed: any key a paths "
            "rule takes, and replace:, e.g. {csp_frame_ancestors: [...]})"
        ),
        id="rule-not-mapping",
    ),
    pytest.param(
        {"overrides": {"embed": {"csp_frame_ancestors": ["self"]}}},
        "overrides.embed.csp_frame_ancestors[0]: 'self' must be quoted as \"'self'\" "
        "(unquoted it is read as a host name)",
        id="unquoted-keyword",
    ),
    pytest.param(
        {"overrides": {"embed": {"replace": "yes"}}},
        "overrides.embed.replace: 'yes' is not a boolean (allowed: true, false)",
        id="replace-not-bool",
    ),
    pytest.param(
        {"overrides": {"embed": {"referrer_policy": None}}},
        "overrides.embed.referrer_policy: null is not a value; leave the key out "
        "to keep the top-level setting",
        id="null",
    ),
    pytest.param(
        {"paths": [{"prefix": "/a/", "overrides": {}}]},
        "paths[0].overrides: not allowed in a rule: overrides are named once for "
        "the whole site; set them at the top level (a view picks one with "
        "use_override)",
        id="overrides-in-a-path-rule",
    ),
    pytest.param(
        {
            "csp_report_only_header": {"default-src": "'self'"},
            "csp_report_uri": "/r",
            "overrides": {"trial": {"csp_report_only": True}},
        },
        "overrides.trial.csp_report_only: true cannot be combined with "
        "csp_report_only_header (allowed: one of them: csp_report_only sends the "
        "policy as report-only, csp_report_only_header trials a second policy "
        "beside the enforced one)",
        id="conflict-with-top-level",
    ),
    pytest.param(
        {
            "paths": [{"prefix": "/x/", "csp_frame_ancestors": ["'self'"]}],
            "overrides": {
                "own": {"csp_header": {"frame-ancestors": "'none'"}},
            },
        },
        "overrides.own on paths[0] ('/x/'): csp_frame_ancestors: the custom "
        "csp_header sets frame-ancestors too; set it in one place only",
        id="conflict-with-a-path-rule",
    ),
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_override_is_refused(config: Any, message: str, tmp_path: Path) -> None:
    assert_refused(config, message, tmp_path)


def test_unknown_key_in_an_override_gets_did_you_mean() -> None:
    # The hint ends the message; main's did_you_mean brings its own '.'.
    with pytest.raises(
        ConfigError,
        match=r"^overrides\.embed: unknown key 'csp_frame_ancestor'\.? Did you mean "
        r"'csp_frame_ancestors'\?$",
    ):
        load_config({"overrides": {"embed": {"csp_frame_ancestor": ["'self'"]}}})


@pytest.mark.parametrize("key", sorted(BEFORE_APP))
def test_key_that_acts_before_the_app_is_refused_with_why(
    key: str, tmp_path: Path
) -> None:
    value: Any = {"force_https": True, "server_secured": True}.get(key, ["x"])
    message = f"overrides.o.{key}: not allowed in an override: {BEFORE_APP[key]}"
    assert_refused({"overrides": {"o": {key: value}}}, message, tmp_path)


def test_before_app_names_the_keys_the_issue_lists() -> None:
    assert {
        "force_https",
        "force_https_exempt",
        "allowed_hosts",
        "trusted_proxies",
        "csp_report_path",
        "server_secured",
    } <= set(BEFORE_APP)


def test_override_is_merged_onto_the_top_level() -> None:
    config = load_config(
        {
            "referrer_policy": "no-referrer",
            "overrides": {"embed": {"csp_frame_ancestors": ["'self'"]}},
        }
    )
    (override,) = config.overrides
    assert override.name == "embed"
    assert override.config.referrer_policy == "no-referrer"
    assert override.config.csp_frame_ancestors == ("'self'",)
    assert config.csp_frame_ancestors is True


def test_override_with_a_preset_replaces_mappings() -> None:
    config = load_config({"overrides": {"locked": {"preset": "strict"}}})
    (override,) = config.overrides
    assert override.replace is True
    assert override.config.cross_origin_opener_policy == "same-origin"


def test_override_risk_warns_at_start_up() -> None:
    from secheaders_wsgi import SecurityWarning

    with pytest.warns(SecurityWarning, match="^overrides.loose.csp_header"):
        load_config(
            {
                "overrides": {
                    "loose": {"replace": True, "csp_header": {"script-src": "'none'"}}
                }
            }
        )
