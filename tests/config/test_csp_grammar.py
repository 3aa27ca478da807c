"""The CSP grammar: sources, keywords, hashes, directives and frame-ancestors.

Each bad value fails at start-up, given as a mapping and as a YAML file, with a
ConfigError that names the key, quotes the value and says what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from secheaders_wsgi import SecureHeaders, SecurityWarning
from tests.support import assert_refused, never_called

SHA256 = "A" * 43 + "="

BAD = [
    # CSP sources
    pytest.param(
        {"csp_safe_src": ["self"]},
        "csp_safe_src[0]: 'self' must be quoted as \"'self'\" (unquoted it is read as a host name)",
        id="unquoted-self",
    ),
    pytest.param(
        {"csp_frame_ancestors": ["none"]},
        "csp_frame_ancestors[0]: 'none' must be quoted as \"'none'\" (unquoted it is read as a host name)",
        id="unquoted-none",
    ),
    pytest.param(
        {"csp_header": {"script-src": "'self' unsafe-inline"}},
        "csp_header.script-src[1]: 'unsafe-inline' must be quoted as \"'unsafe-inline'\" (unquoted it is read as a host name)",
        id="unquoted-unsafe-inline",
    ),
    pytest.param(
        {"csp_safe_src": ['"self"']},
        "csp_safe_src[0]: '\"self\"' must be quoted as \"'self'\" (unquoted it is read as a host name)",
        id="double-quoted-self",
    ),
    pytest.param(
        {"csp_safe_src": ["'selff'"]},
        "csp_safe_src[0]: \"'selff'\" is not a CSP keyword (allowed: 'self', 'none', 'unsafe-inline', 'unsafe-eval', 'strict-dynamic', 'unsafe-hashes', 'report-sample', 'wasm-unsafe-eval', 'unsafe-allow-redirects', 'inline-speculation-rules', 'trusted-types-eval', 'safe-src', or a hash such as 'sha256-<base64>'). Did you mean \"'self'\"?",
        id="misspelt-keyword",
    ),
    pytest.param(
        {"csp_safe_src": ["'self"]},
        'csp_safe_src[0]: "\'self" has an unbalanced quote (allowed: a keyword in single quotes, such as "\'self\'")',
        id="unbalanced-quote",
    ),
    pytest.param(
        {"csp_safe_src": ["cdn.example.com;script-src *"]},
        "csp_safe_src[0]: 'cdn.example.com;script-src *' is not a CSP source (allowed: a quoted keyword such as \"'self'\", a scheme such as 'https:', or a host such as '*.example.com' or 'https://cdn.example.com/js/')",
        id="semicolon-in-source",
    ),
    pytest.param(
        {"csp_safe_src": ["'nonce-abc123'"]},
        "csp_safe_src[0]: \"'nonce-abc123'\" is a fixed nonce: the same on every response, it protects nothing (allowed: keywords, hashes, hosts and schemes)",
        id="fixed-nonce",
    ),
    pytest.param(
        {"csp_header": {"script-src": "'sha256-abc'"}},
        "csp_header.script-src[0]: \"'sha256-abc'\" holds 2 bytes, a sha256 digest has 32",
        id="short-hash",
    ),
    pytest.param(
        {"csp_header": {"script-src": "'sha384-!!!'"}},
        "csp_header.script-src[0]: \"'sha384-!!!'\" is not valid base64 (allowed: 'sha384-' followed by the base64 of a sha384 digest)",
        id="bad-base64-hash",
    ),
    pytest.param(
        {"csp_safe_src": "'self'"},
        'csp_safe_src: "\'self\'" is not a list (allowed: a list of CSP sources, e.g. ["\'self\'", "cdn.example.com"])',
        id="safe-src-string",
    ),
    pytest.param(
        {"csp_safe_src": ["cdn.ex\u00e4mple.com"]},
        "csp_safe_src[0]: 'cdn.exämple.com' is not a CSP source (allowed: ASCII only; write an international domain name in punycode, 'xn--...')",
        id="latin-1-host",
    ),
    pytest.param(
        {"csp_safe_src": []},
        "csp_safe_src: [] leaves 'safe-src' with no sources (allowed: a non-empty list; use [\"'none'\"] to allow nothing)",
        id="safe-src-empty",
    ),
    pytest.param(
        {"csp_safe_src": ["'safe-src'"]},
        "csp_safe_src: 'safe-src' cannot stand inside csp_safe_src, it is what csp_safe_src defines",
        id="safe-src-recursive",
    ),
    pytest.param(
        {"csp_safe_src": [42]},
        "csp_safe_src[0]: 42 is not a string",
        id="source-not-string",
    ),
    # csp_frame_ancestors
    pytest.param(
        {"csp_frame_ancestors": "'self'"},
        'csp_frame_ancestors: "\'self\'" is not a list (allowed: a list of CSP sources, e.g. ["\'self\'", "cdn.example.com"])',
        id="frame-ancestors-string",
    ),
    pytest.param(
        {"csp_frame_ancestors": ["'unsafe-inline'"]},
        "csp_frame_ancestors[0]: \"'unsafe-inline'\" means nothing in frame-ancestors (allowed: 'self', 'none', 'safe-src', schemes and hosts)",
        id="frame-ancestors-keyword",
    ),
    pytest.param(
        {
            "csp_frame_ancestors": ["'self'"],
            "csp_header": {"frame-ancestors": "'none'"},
        },
        "csp_frame_ancestors: the custom csp_header sets frame-ancestors too; set it in one place only",
        id="frame-ancestors-twice",
    ),
    # csp_header
    pytest.param(
        {"csp_header": "default-src 'self'"},
        "csp_header: \"default-src 'self'\" is not allowed (allowed: true for the default policy, false for none, or a mapping of directive name to sources)",
        id="csp-header-string",
    ),
    pytest.param(
        {"csp_header": {"script-scr": "'self'"}},
        "csp_header.script-scr: 'script-scr' is not a CSP directive. Did you mean 'script-src'?",
        id="directive-near-miss",
    ),
    pytest.param(
        {"csp_header": {"script_src": "'self'"}},
        "csp_header.script_src: 'script_src' is not a CSP directive name (allowed: letters, digits and '-'). Did you mean 'script-src'?",
        id="directive-underscore",
    ),
    pytest.param(
        {"csp_header": {"img-src": "'self'", "IMG-SRC": "data:"}},
        "csp_header.IMG-SRC: the directive 'img-src' is given twice",
        id="directive-twice",
    ),
    pytest.param(
        {"csp_header": {"img-src": None}},
        "csp_header.img-src: null is not a value (allowed: a string of space-separated sources, a list of sources, or '' for a directive without sources)",
        id="directive-null",
    ),
    pytest.param(
        {"csp_header": {"img-src": 5}},
        "csp_header.img-src: 5 is not allowed (allowed: a string of space-separated sources or a list of sources)",
        id="directive-int",
    ),
    pytest.param(
        {"csp_header": {"upgrade-insecure-requests": "'self'"}},
        "csp_header.upgrade-insecure-requests: \"'self'\" is not allowed: upgrade-insecure-requests takes no value (allowed: '' or [])",
        id="bare-directive-with-value",
    ),
    pytest.param(
        {"csp_header": {"default-src": "'none' 'self'"}},
        "csp_header.default-src: 'none' must be the only source, not one of \"'none' 'self'\" (browsers ignore it beside others)",
        id="none-with-others",
    ),
    pytest.param(
        {"csp_header": {"sandbox": "allow-script"}},
        "csp_header.sandbox: 'allow-script' is not a sandbox flag (allowed: allow-downloads, allow-forms, allow-modals, allow-orientation-lock, allow-pointer-lock, allow-popups, allow-popups-to-escape-sandbox, allow-presentation, allow-same-origin, allow-scripts, allow-storage-access-by-user-activation, allow-top-navigation, allow-top-navigation-by-user-activation, allow-top-navigation-to-custom-protocols)",
        id="sandbox-flag",
    ),
    pytest.param(
        {"csp_header": {"report-uri": "/csp;script-src *"}},
        "csp_header.report-uri[0]: '/csp;script-src' is not allowed (allowed: a non-empty value without ';' or ',')",
        id="report-uri-semicolon",
    ),
    # hashes and 'strict-dynamic' in policies
    pytest.param(
        {"csp_header": {"script-src": "'sha256-abc='"}},
        "csp_header.script-src[0]: \"'sha256-abc='\" holds 2 bytes, a sha256 "
        "digest has 32",
        id="hash-too-short",
    ),
    pytest.param(
        {"csp_header": {"script-src": f"'sha512-{SHA256}'"}},
        f"csp_header.script-src[0]: \"'sha512-{SHA256}'\" holds 32 bytes, a "
        "sha512 digest has 64",
        id="hash-wrong-algorithm-length",
    ),
    pytest.param(
        {"csp_header": {"script-src": "'sha384-!!!!'"}},
        "csp_header.script-src[0]: \"'sha384-!!!!'\" is not valid base64 "
        "(allowed: 'sha384-' followed by the base64 of a sha384 digest)",
        id="hash-not-base64",
    ),
    pytest.param(
        {"csp_header": {"script-src": f"sha256-{SHA256}"}},
        f"csp_header.script-src[0]: 'sha256-{SHA256}' must be quoted as "
        f"\"'sha256-{SHA256}'\" (unquoted it is read as a host name)",
        id="hash-unquoted-keeps-its-case",
    ),
    pytest.param(
        {"csp_header": {"script-src": "strict-dynamic"}},
        "csp_header.script-src[0]: 'strict-dynamic' must be quoted as "
        "\"'strict-dynamic'\" (unquoted it is read as a host name)",
        id="strict-dynamic-unquoted",
    ),
    pytest.param(
        {"csp_header": {"script-src": "'nonce-abc'"}},
        "csp_header.script-src[0]: \"'nonce-abc'\" is a fixed nonce: the same on "
        "every response, it protects nothing (allowed: keywords, hashes, hosts "
        "and schemes)",
        id="fixed-nonce",
    ),
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_value_is_refused_at_start_up(
    config: dict[Any, Any], message: str, tmp_path: Path
) -> None:
    assert_refused(config, message, tmp_path)


def test_unknown_directive_that_is_no_near_miss_is_sent_with_a_warning() -> None:
    with pytest.warns(
        SecurityWarning, match="'future-src' is not a CSP directive this version knows"
    ) as record:
        SecureHeaders(never_called, {"csp_header": {"future-src": "'self'"}})
    assert record[0].filename == __file__
