"""The reporting keys: report-only policies, report-uri, the receiver's path and size limit.

Each bad value fails at start-up, given as a mapping and as a YAML file, with a
ConfigError that names the key, quotes the value and says what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from secheaders_wsgi import SecurityWarning, load_config
from tests.support import assert_refused

RO = "a mapping of directive name to sources"
URI = (
    "(allowed: an absolute https URL such as 'https://reports.example.com/csp', "
    "or a path such as '/_/csp-reports'; browsers send reports only to secure "
    "endpoints)"
)
URL_CHARS = "without spaces, quotes, backslashes, ';' or ','"
PATH = (
    "(allowed: an ASCII path on this site, such as '/_/csp-reports', without a "
    "query or %-escapes; to send reports elsewhere, use csp_report_uri)"
)
BYTES = "(allowed: a whole number of bytes from 1 to 10485760; the default is 65536)"
ONE_PLACE = "; set the report endpoint in one place only"

BAD = [
    # csp_report_only
    pytest.param(
        {"csp_report_only": "true"},
        "csp_report_only: 'true' is not a boolean (allowed: true, false)",
        id="report-only-string",
    ),
    pytest.param(
        {"csp_report_only": 1},
        "csp_report_only: 1 is not a boolean (allowed: true, false)",
        id="report-only-int",
    ),
    # csp_report_only_header
    pytest.param(
        {"csp_report_only_header": True},
        f"csp_report_only_header: True is not allowed (allowed: {RO}, as for "
        "csp_header, or false for none)",
        id="trial-true",
    ),
    pytest.param(
        {"csp_report_only_header": "default-src 'self'"},
        f"csp_report_only_header: \"default-src 'self'\" is not allowed (allowed: "
        f"{RO}, as for csp_header, or false for none)",
        id="trial-string",
    ),
    pytest.param(
        {"csp_report_only_header": {}},
        f"csp_report_only_header: {{}} is an empty policy (allowed: {RO}, or false "
        "for none)",
        id="trial-empty",
    ),
    pytest.param(
        {"csp_report_only_header": {"default-src": "self"}},
        "csp_report_only_header.default-src[0]: 'self' must be quoted as "
        "\"'self'\" (unquoted it is read as a host name)",
        id="trial-unquoted-keyword",
    ),
    pytest.param(
        {"csp_report_only_header": {"script-scr": "'self'"}},
        "csp_report_only_header.script-scr: 'script-scr' is not a CSP directive. "
        "Did you mean 'script-src'?",
        id="trial-directive-near-miss",
    ),
    pytest.param(
        {"csp_report_only_header": {"script-src": "'nonce-abc'"}},
        "csp_report_only_header.script-src[0]: \"'nonce-abc'\" is a fixed nonce: "
        "the same on every response, it protects nothing (allowed: keywords, "
        "hashes, hosts and schemes)",
        id="trial-fixed-nonce",
    ),
    pytest.param(
        {"csp_report_only_header": {"default-src": "'self'\r\nX-Evil: 1"}},
        "csp_report_only_header.default-src: \"'self'\\r\\nX-Evil: 1\" has the "
        "control character '\\r' (allowed: printable characters only; CR and LF "
        "would inject a header)",
        id="trial-crlf",
    ),
    # csp_report_uri
    pytest.param(
        {"csp_report_uri": "http://reports.example.com/csp"},
        f"csp_report_uri: 'http://reports.example.com/csp' is not allowed {URI}",
        id="uri-http",
    ),
    pytest.param(
        {"csp_report_uri": "reports.example.com/csp"},
        f"csp_report_uri: 'reports.example.com/csp' is not allowed {URI}",
        id="uri-no-scheme",
    ),
    pytest.param(
        {"csp_report_uri": "//reports.example.com/csp"},
        f"csp_report_uri: '//reports.example.com/csp' is not allowed {URI}",
        id="uri-protocol-relative",
    ),
    pytest.param(
        {"csp_report_uri": "https://"},
        f"csp_report_uri: 'https://' is not allowed {URI}",
        id="uri-no-host",
    ),
    pytest.param(
        {"csp_report_uri": "javascript:alert(1)"},
        f"csp_report_uri: 'javascript:alert(1)' is not allowed {URI}",
        id="uri-javascript",
    ),
    pytest.param(
        {"csp_report_uri": '/a"b'},
        f"csp_report_uri: '/a\"b' has the character '\"' (allowed: an absolute "
        f"https URL or a path, {URL_CHARS})",
        id="uri-quote-breaks-reporting-endpoints",
    ),
    pytest.param(
        {"csp_report_uri": "/a;b"},
        f"csp_report_uri: '/a;b' has the character ';' (allowed: an absolute https "
        f"URL or a path, {URL_CHARS})",
        id="uri-semicolon-breaks-csp",
    ),
    pytest.param(
        {"csp_report_uri": "/a b"},
        f"csp_report_uri: '/a b' has the character ' ' (allowed: an absolute https "
        f"URL or a path, {URL_CHARS})",
        id="uri-space",
    ),
    pytest.param(
        {"csp_report_uri": ""},
        "csp_report_uri: '' is not allowed (allowed: an absolute https URL or a "
        "path; leave the key out for none)",
        id="uri-empty",
    ),
    pytest.param(
        {"csp_report_uri": 5},
        "csp_report_uri: 5 is not allowed (allowed: an absolute https URL or a "
        "path; leave the key out for none)",
        id="uri-number",
    ),
    pytest.param(
        {"csp_report_uri": "/r\nX: y"},
        "csp_report_uri: '/r\\nX: y' has the control character '\\n' (allowed: "
        "printable characters only; CR and LF would inject a header)",
        id="uri-lf",
    ),
    pytest.param(
        {"csp_report_uri": "/r\u20ac"},
        "csp_report_uri: '/r\u20ac' has the non-latin-1 character '\u20ac' "
        "(allowed: latin-1 text only; punycode-encode international domain names)",
        id="uri-non-latin-1",
    ),
    # csp_report_path
    pytest.param(
        {"csp_report_path": "csp-reports"},
        f"csp_report_path: 'csp-reports' is not allowed {PATH}",
        id="path-relative",
    ),
    pytest.param(
        {"csp_report_path": "/r?x=1"},
        f"csp_report_path: '/r?x=1' is not allowed {PATH}",
        id="path-query",
    ),
    pytest.param(
        {"csp_report_path": "/caf%C3%A9"},
        f"csp_report_path: '/caf%C3%A9' is not allowed {PATH}",
        id="path-escape",
    ),
    pytest.param(
        {"csp_report_path": "/café"},
        f"csp_report_path: '/café' is not allowed {PATH}",
        id="path-non-ascii",
    ),
    pytest.param(
        {"csp_report_path": "/r#f"},
        f"csp_report_path: '/r#f' is not allowed {PATH}",
        id="path-fragment",
    ),
    pytest.param(
        {"csp_report_path": "//evil.example/r"},
        f"csp_report_path: '//evil.example/r' is not allowed {PATH}",
        id="path-protocol-relative",
    ),
    pytest.param(
        {"csp_report_path": "https://example.com/r"},
        f"csp_report_path: 'https://example.com/r' is not allowed {PATH}",
        id="path-url",
    ),
    pytest.param(
        {"csp_report_path": "/"},
        "csp_report_path: '/' would take every request to the site root away "
        "from the app (allowed: a path of its own, such as '/_/csp-reports')",
        id="path-root",
    ),
    pytest.param(
        {"csp_report_path": False},
        "csp_report_path: False is not allowed (allowed: a path such as "
        "'/_/csp-reports'; leave the key out for none)",
        id="path-false",
    ),
    # csp_report_max_bytes
    pytest.param(
        {"csp_report_max_bytes": 0},
        f"csp_report_max_bytes: 0 is not allowed {BYTES}",
        id="max-bytes-zero",
    ),
    pytest.param(
        {"csp_report_max_bytes": -1},
        f"csp_report_max_bytes: -1 is not allowed {BYTES}",
        id="max-bytes-negative",
    ),
    pytest.param(
        {"csp_report_max_bytes": True},
        f"csp_report_max_bytes: True is not allowed {BYTES}",
        id="max-bytes-bool",
    ),
    pytest.param(
        {"csp_report_max_bytes": "65536"},
        f"csp_report_max_bytes: '65536' is not allowed {BYTES}",
        id="max-bytes-string",
    ),
    pytest.param(
        {"csp_report_max_bytes": 1.5},
        f"csp_report_max_bytes: 1.5 is not allowed {BYTES}",
        id="max-bytes-float",
    ),
    pytest.param(
        {"csp_report_max_bytes": 10 * 1024 * 1024 + 1},
        f"csp_report_max_bytes: 10485761 is not allowed {BYTES}",
        id="max-bytes-too-big",
    ),
    # combinations
    pytest.param(
        {
            "csp_report_only": True,
            "csp_report_only_header": {"default-src": "'self'"},
            "csp_report_uri": "/r",
        },
        "csp_report_only: true cannot be combined with csp_report_only_header "
        "(allowed: one of them: csp_report_only sends the policy as report-only, "
        "csp_report_only_header trials a second policy beside the enforced one)",
        id="both-report-only-keys",
    ),
    pytest.param(
        {"csp_report_only": True, "csp_header": False},
        "csp_report_only: true has no policy to send because csp_header is false "
        "(allowed: a csp_header policy, or csp_report_only_header alone)",
        id="report-only-without-policy",
    ),
    pytest.param(
        {
            "csp_report_uri": "/r",
            "csp_header": {"default-src": "'self'", "report-uri": "/x"},
        },
        f"csp_header.report-uri: csp_report_uri or csp_report_path already sets "
        f"report-uri{ONE_PLACE}",
        id="report-uri-twice",
    ),
    pytest.param(
        {
            "csp_report_path": "/r",
            "csp_report_only_header": {"default-src": "'self'", "report-to": "g"},
        },
        f"csp_report_only_header.report-to: csp_report_uri or csp_report_path "
        f"already sets report-to{ONE_PLACE}",
        id="report-to-twice",
    ),
    # csp_report_sample_rate
    *[
        pytest.param(
            {"csp_report_path": "/r", "csp_report_sample_rate": rate},
            f"csp_report_sample_rate: {shown} is not allowed (allowed: a number from "
            "0 to 1, the share of responses that carry report-uri and report-to, "
            "e.g. 0.1; the default 1 reports on every response)",
            id=f"sample-{name}",
        )
        for name, rate, shown in [
            ("above-one", 2, "2"),
            ("slightly-above-one", 1.01, "1.01"),
            ("negative", -0.1, "-0.1"),
            ("string", "0.5", "'0.5'"),
            ("percent", "10%", "'10%'"),
            ("bool", True, "True"),
            ("nan", float("nan"), "nan"),
            ("list", [0.5], "[0.5]"),
        ]
    ],
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_value_is_refused_at_start_up(
    config: dict[Any, Any], message: str, tmp_path: Path
) -> None:
    assert_refused(config, message, tmp_path)


def test_sample_rate_default_reports_on_every_response() -> None:
    assert load_config({}).csp_report_sample_rate == 1.0


@pytest.mark.parametrize("rate", [0, 0.0, 0.001, 0.5, 1, 1.0], ids=str)
def test_sample_rate_allowed(rate: float) -> None:
    config = load_config({"csp_report_path": "/r", "csp_report_sample_rate": rate})
    assert config.csp_report_sample_rate == rate
    assert isinstance(config.csp_report_sample_rate, float)


def test_sample_rate_without_anything_reporting_warns() -> None:
    with pytest.warns(
        SecurityWarning,
        match=r"^csp_report_sample_rate: 0\.5 does nothing without a report "
        r"endpoint \(csp_report_uri or csp_report_path\)$",
    ):
        load_config({"csp_report_sample_rate": 0.5})


def test_sample_rate_of_a_policy_that_reports_itself_does_not_warn() -> None:
    load_config(
        {
            "csp_header": {"default-src": "'self'", "report-uri": "/r"},
            "csp_unsafe_inline": False,
            "csp_unsafe_eval": False,
            "csp_report_sample_rate": 0.5,
        }
    )
