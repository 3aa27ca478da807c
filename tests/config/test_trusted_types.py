"""Trusted Types: ``require-trusted-types-for`` and ``trusted-types``, checked
by their grammar (W3C Trusted Types) in every policy a config or a view writes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from secheaders_wsgi import ConfigError, load_config
from secheaders_wsgi.config.overrides import csp_change
from tests.support import assert_refused, csp_of, served

SELF = {"csp_unsafe_inline": False, "csp_unsafe_eval": False}


def _policy(**directives: str) -> dict[str, Any]:
    return {**SELF, "csp_header": {"default-src": "'self'", **directives}}


REQUIRE = "require-trusted-types-for"
TT = "trusted-types"

BAD = [
    # require-trusted-types-for: 'script' once, nothing else
    pytest.param(
        _policy(**{REQUIRE: "script"}),
        "csp_header.require-trusted-types-for[0]: 'script' must be quoted as "
        "\"'script'\" (unquoted it is not a sink group)",
        id="require-unquoted",
    ),
    pytest.param(
        _policy(**{REQUIRE: "SCRIPT"}),
        "csp_header.require-trusted-types-for[0]: 'SCRIPT' must be quoted as "
        "\"'script'\" (unquoted it is not a sink group)",
        id="require-unquoted-upper-case",
    ),
    pytest.param(
        _policy(**{REQUIRE: "'scripts'"}),
        "csp_header.require-trusted-types-for[0]: \"'scripts'\" is not a sink "
        "group (allowed: \"'script'\", the only one Trusted Types defines)",
        id="require-misspelt",
    ),
    pytest.param(
        _policy(**{REQUIRE: "'Script'"}),
        "csp_header.require-trusted-types-for[0]: \"'Script'\" is not a sink "
        "group (allowed: \"'script'\", the only one Trusted Types defines)",
        id="require-case",
    ),
    pytest.param(
        _policy(**{REQUIRE: "'style'"}),
        "csp_header.require-trusted-types-for[0]: \"'style'\" is not a sink "
        "group (allowed: \"'script'\", the only one Trusted Types defines)",
        id="require-style",
    ),
    pytest.param(
        _policy(**{REQUIRE: "'none'"}),
        "csp_header.require-trusted-types-for[0]: \"'none'\" is not a sink "
        "group (allowed: \"'script'\", the only one Trusted Types defines)",
        id="require-none",
    ),
    pytest.param(
        _policy(**{REQUIRE: ""}),
        "csp_header.require-trusted-types-for: '' names no sink group "
        "(allowed: \"'script'\")",
        id="require-empty",
    ),
    pytest.param(
        _policy(**{REQUIRE: "'script' 'script'"}),
        "csp_header.require-trusted-types-for: \"'script'\" is given twice",
        id="require-twice",
    ),
    pytest.param(
        _policy(**{REQUIRE: "'script' 'style'"}),
        "csp_header.require-trusted-types-for[1]: \"'style'\" is not a sink "
        "group (allowed: \"'script'\", the only one Trusted Types defines)",
        id="require-second-bad",
    ),
    # trusted-types: names, *, 'allow-duplicates', 'none' alone
    pytest.param(
        _policy(**{TT: "'default'"}),
        "csp_header.trusted-types[0]: \"'default'\" is not a trusted-types "
        "keyword (allowed: 'allow-duplicates', 'none', * or a policy name "
        "without quotes, such as default)",
        id="tt-quoted-name",
    ),
    pytest.param(
        _policy(**{TT: "default 'allow-duplicate'"}),
        "csp_header.trusted-types[1]: \"'allow-duplicate'\" is not a "
        "trusted-types keyword (allowed: 'allow-duplicates', 'none', * or a "
        "policy name without quotes, such as default). Did you mean "
        "\"'allow-duplicates'\"?",
        id="tt-misspelt-keyword",
    ),
    pytest.param(
        _policy(**{TT: "'self'"}),
        "csp_header.trusted-types[0]: \"'self'\" is not a trusted-types keyword "
        "(allowed: 'allow-duplicates', 'none', * or a policy name without "
        "quotes, such as default)",
        id="tt-csp-keyword",
    ),
    pytest.param(
        _policy(**{TT: "none"}),
        "csp_header.trusted-types[0]: 'none' must be quoted as \"'none'\" "
        "(unquoted it is read as a policy name)",
        id="tt-none-unquoted",
    ),
    pytest.param(
        _policy(**{TT: "default allow-duplicates"}),
        "csp_header.trusted-types[1]: 'allow-duplicates' must be quoted as "
        "\"'allow-duplicates'\" (unquoted it is read as a policy name)",
        id="tt-allow-duplicates-unquoted",
    ),
    pytest.param(
        _policy(**{TT: "'none' default"}),
        "csp_header.trusted-types: 'none' must be the only source, not one of "
        "\"'none' default\" (browsers ignore it beside others)",
        id="tt-none-beside-a-name",
    ),
    pytest.param(
        _policy(**{TT: "* 'none'"}),
        "csp_header.trusted-types: 'none' must be the only source, not one of "
        "\"* 'none'\" (browsers ignore it beside others)",
        id="tt-none-beside-star",
    ),
    pytest.param(
        _policy(**{TT: "my,policy"}),
        "csp_header.trusted-types[0]: 'my,policy' is not a policy name "
        "(allowed: letters, digits and -#=_/@.%)",
        id="tt-comma",
    ),
    pytest.param(
        _policy(**{TT: "dom:purify"}),
        "csp_header.trusted-types[0]: 'dom:purify' is not a policy name "
        "(allowed: letters, digits and -#=_/@.%)",
        id="tt-colon",
    ),
    pytest.param(
        _policy(**{TT: "caf\u00e9"}),
        "csp_header.trusted-types[0]: 'caf\u00e9' is not a policy name "
        "(allowed: letters, digits and -#=_/@.%)",
        id="tt-non-ascii",
    ),
    pytest.param(
        _policy(**{TT: ["ok", "a\rb"]}),
        "csp_header.trusted-types[1]: 'a\\rb' has the control character '\\r' "
        "(allowed: printable characters only; CR and LF would inject a header)",
        id="tt-injection",
    ),
    # the trial policy goes through the same checks
    pytest.param(
        {"csp_report_only_header": {REQUIRE: "script"}},
        "csp_report_only_header.require-trusted-types-for[0]: 'script' must be "
        "quoted as \"'script'\" (unquoted it is not a sink group)",
        id="trial-require-unquoted",
    ),
    # a near miss of a directive name
    pytest.param(
        _policy(**{"require-trusted-types": "'script'"}),
        "csp_header.require-trusted-types: 'require-trusted-types' is not a CSP "
        "directive. Did you mean 'require-trusted-types-for'?",
        id="require-name-near-miss",
    ),
    pytest.param(
        _policy(**{"trusted-type": "default"}),
        "csp_header.trusted-type: 'trusted-type' is not a CSP directive. Did you "
        "mean 'trusted-types'?",
        id="tt-name-near-miss",
    ),
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_value_is_refused_at_start_up(
    config: dict[str, Any], message: str, tmp_path: Path
) -> None:
    assert_refused(config, message, tmp_path)


@pytest.mark.parametrize(
    ("directive", "value", "sent"),
    [
        pytest.param(REQUIRE, "'script'", ["'script'"], id="require-script"),
        pytest.param(TT, "default", ["default"], id="one-name"),
        pytest.param(
            TT,
            "default dompurify#1 a=b_c/d@e.f%g 'allow-duplicates'",
            ["default", "dompurify#1", "a=b_c/d@e.f%g", "'allow-duplicates'"],
            id="every-name-character",
        ),
        pytest.param(TT, "*", ["*"], id="star"),
        pytest.param(
            TT,
            "* 'allow-duplicates'",
            ["*", "'allow-duplicates'"],
            id="star-allow-duplicates",
        ),
        pytest.param(TT, "'none'", ["'none'"], id="none"),
        pytest.param(TT, "", [], id="bare: no policy at all"),
        pytest.param(
            "script-src",
            "'self' 'trusted-types-eval'",
            ["'self'", "'trusted-types-eval'"],
            id="trusted-types-eval-keyword",
        ),
    ],
)
def test_good_value_is_sent_as_written(
    directive: str, value: str, sent: list[str]
) -> None:
    response = served(_policy(**{directive: value})).get("/")
    assert csp_of(response.headers["Content-Security-Policy"])[directive] == sent


def test_the_report_only_first_step() -> None:
    """Trusted Types as a trial beside the enforced policy, reported."""
    config = {
        "csp_report_path": "/_/csp-reports",
        "csp_report_only_header": {REQUIRE: "'script'", TT: "default"},
    }
    response = served(config).get("/")
    assert response.headers["Content-Security-Policy-Report-Only"] == (
        "require-trusted-types-for 'script'; trusted-types default; "
        "report-uri /_/csp-reports; report-to csp-endpoint"
    )
    assert REQUIRE not in response.headers["Content-Security-Policy"]


def test_yaml_list_and_string_agree(tmp_path: Path) -> None:
    path = tmp_path / "security.yaml"
    path.write_text(
        "csp_unsafe_inline: false\ncsp_unsafe_eval: false\n"
        "csp_header:\n  default-src: \"'self'\"\n"
        "  require-trusted-types-for: [\"'script'\"]\n"
        "  trusted-types: [default, \"'allow-duplicates'\"]\n",
        encoding="utf-8",
    )
    as_string = _policy(**{REQUIRE: "'script'", TT: "default 'allow-duplicates'"})
    assert load_config(path) == load_config(as_string)


def test_a_view_s_csp_update_is_checked_the_same_way() -> None:
    with pytest.raises(
        ConfigError,
        match=r"^csp_update\.require-trusted-types-for\[0\]: 'script' must be quoted",
    ):
        csp_change("csp_update", {REQUIRE: "script"}, allow_none=False)
    assert csp_change("csp_update", {TT: "default"}, allow_none=False) == (
        (TT, ("default",)),
    )
