"""Every bad config fails at construction with a message that says where, what and the fix."""

from __future__ import annotations

import re
from typing import Any

import pytest

from secheaders_wsgi import ConfigError, SecureHeaders


def app(environ: Any, start_response: Any) -> list[bytes]:
    raise AssertionError("a bad config must fail before any request")


BAD = [
    # unknown keys
    pytest.param(
        {"server_secure": True},
        "unknown key 'server_secure'. Did you mean 'server_secured'?",
        id="unknown-key-did-you-mean",
    ),
    pytest.param(
        {"hsts": "max-age=1"},
        "unknown key 'hsts'. Did you mean 'hsts_header'?",
        id="unknown-key-short",
    ),
    pytest.param(
        {"colour": "blue"}, "unknown key 'colour'.", id="unknown-key-no-match"
    ),
    pytest.param({1: True}, "config keys must be strings, not 1", id="non-string-key"),
    # nulls and booleans
    pytest.param(
        {"server_secured": None},
        "server_secured: null is not a value; leave the key out to get its default",
        id="null",
    ),
    pytest.param(
        {"server_secured": "false"},
        "server_secured: 'false' is not a boolean (allowed: true, false)",
        id="string-false",
    ),
    pytest.param(
        {"debug": 1}, "debug: 1 is not a boolean (allowed: true, false)", id="int-bool"
    ),
    pytest.param(
        {"csp_unsafe_inline": "no"},
        "csp_unsafe_inline: 'no' is not a boolean",
        id="string-no",
    ),
    pytest.param(
        {"csp_unsafe_eval": "true"},
        "csp_unsafe_eval: 'true' is not a boolean",
        id="string-true",
    ),
    # hsts_header
    pytest.param(
        {"hsts_header": True},
        "hsts_header: true is not allowed (allowed: a header value",
        id="hsts-true",
    ),
    pytest.param(
        {"hsts_header": "includeSubDomains"},
        "hsts_header: 'includeSubDomains' has no max-age",
        id="hsts-no-max-age",
    ),
    pytest.param(
        {"hsts_header": "max-age=600; includeSubdomain"},
        "hsts_header: 'includeSubdomain' in 'max-age=600; includeSubdomain' is not an HSTS directive (allowed: max-age=<seconds>, includeSubDomains, preload)",
        id="hsts-typo",
    ),
    pytest.param(
        {"hsts_header": 600}, "hsts_header: 600 is not a string", id="hsts-int"
    ),
    # header injection
    pytest.param(
        {"hsts_header": "max-age=1\r\nSet-Cookie: a=b"},
        "hsts_header: 'max-age=1\\r\\nSet-Cookie: a=b' has the control character '\\r'",
        id="crlf-hsts",
    ),
    pytest.param(
        {"referrer_policy": "no-referrer\nX-Evil: 1"},
        "referrer_policy: 'no-referrer\\nX-Evil: 1' has the control character '\\n'",
        id="lf-referrer",
    ),
    pytest.param(
        {"csp_safe_src": ["cdn.example.com\x00"]},
        "csp_safe_src[0]: 'cdn.example.com\\x00' has the control character '\\x00'",
        id="nul-source",
    ),
    pytest.param(
        {"csp_header": {"img-src": "'self'\tdata:\x7f"}},
        "csp_header.img-src: \"'self'\\tdata:\\x7f\" has the control character '\\t'",
        id="tab-directive",
    ),
    pytest.param(
        {"csp_report_uri": "https://r.example/\x85"},
        "csp_report_uri: 'https://r.example/\\x85' has the control character '\\x85'",
        id="c1-control",
    ),
    pytest.param(
        {"csp_frame_ancestors": ["'none'", "'self'"]},
        "csp_frame_ancestors: 'none' must be the only source, not one of \"'none' 'self'\"",
        id="frame-ancestors-none-with-others",
    ),
    pytest.param(
        {"csp_safe_src": ["'self'", "'none'"]},
        "csp_safe_src: 'none' must be the only source",
        id="safe-src-none-with-others",
    ),
    pytest.param(
        {"csp_safe_src": ["'self'", "caf\u00e9\u2603.example"]},
        "csp_safe_src[1]: 'café☃.example' has the non-latin-1 character '☃'",
        id="non-latin-1",
    ),
    pytest.param(
        {"csp_header": {"img-src\r\nX-Evil": "'self'"}},
        "csp_header.img-src\r\nX-Evil: 'img-src\\r\\nX-Evil' has the control character '\\r'",
        id="crlf-directive-name",
    ),
    # CSP sources
    pytest.param(
        {"csp_safe_src": ["self"]},
        "csp_safe_src[0]: 'self' must be quoted as \"'self'\"",
        id="unquoted-self",
    ),
    pytest.param(
        {"csp_frame_ancestors": ["none"]},
        "csp_frame_ancestors[0]: 'none' must be quoted as \"'none'\"",
        id="unquoted-none",
    ),
    pytest.param(
        {"csp_header": {"script-src": "'self' unsafe-inline"}},
        "csp_header.script-src[1]: 'unsafe-inline' must be quoted as \"'unsafe-inline'\"",
        id="unquoted-unsafe-inline",
    ),
    pytest.param(
        {"csp_safe_src": ['"self"']},
        "csp_safe_src[0]: '\"self\"' must be quoted as \"'self'\"",
        id="double-quoted-self",
    ),
    pytest.param(
        {"csp_safe_src": ["'selff'"]},
        "csp_safe_src[0]: \"'selff'\" is not a CSP keyword; did you mean \"'self'\"?",
        id="misspelt-keyword",
    ),
    pytest.param(
        {"csp_safe_src": ["'self"]},
        'csp_safe_src[0]: "\'self" has an unbalanced quote',
        id="unbalanced-quote",
    ),
    pytest.param(
        {"csp_safe_src": ["cdn.example.com;script-src *"]},
        "csp_safe_src[0]: 'cdn.example.com;script-src *' is not a CSP source",
        id="semicolon-in-source",
    ),
    pytest.param(
        {"csp_safe_src": ["'nonce-abc123'"]},
        "csp_safe_src[0]: \"'nonce-abc123'\" is a fixed nonce",
        id="fixed-nonce",
    ),
    pytest.param(
        {"csp_header": {"script-src": "'sha256-abc'"}},
        "csp_header.script-src[0]: \"'sha256-abc'\" holds 2 bytes, a sha256 digest has 32",
        id="short-hash",
    ),
    pytest.param(
        {"csp_header": {"script-src": "'sha384-!!!'"}},
        "csp_header.script-src[0]: \"'sha384-!!!'\" is not valid base64",
        id="bad-base64-hash",
    ),
    pytest.param(
        {"csp_safe_src": "'self'"},
        "csp_safe_src: \"'self'\" is not a list",
        id="safe-src-string",
    ),
    pytest.param(
        {"csp_safe_src": ["cdn.ex\u00e4mple.com"]},
        "csp_safe_src[0]: 'cdn.exämple.com' is not a CSP source",
        id="latin-1-host",
    ),
    pytest.param(
        {"csp_safe_src": []},
        "csp_safe_src: [] leaves 'safe-src' with no sources",
        id="safe-src-empty",
    ),
    pytest.param(
        {"csp_safe_src": ["'safe-src'"]},
        "csp_safe_src: 'safe-src' cannot stand inside csp_safe_src",
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
        "csp_frame_ancestors: \"'self'\" is not a list",
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
        "csp_frame_ancestors: the custom csp_header sets frame-ancestors too",
        id="frame-ancestors-twice",
    ),
    # csp_header
    pytest.param(
        {"csp_header": "default-src 'self'"},
        "csp_header: \"default-src 'self'\" is not allowed (allowed: true",
        id="csp-header-string",
    ),
    pytest.param(
        {"csp_header": {"script-scr": "'self'"}},
        "csp_header.script-scr: 'script-scr' is not a CSP directive. Did you mean 'script-src'?",
        id="directive-near-miss",
    ),
    pytest.param(
        {"csp_header": {"script_src": "'self'"}},
        "csp_header.script_src: 'script_src' is not a CSP directive name (allowed: letters, digits and '-') Did you mean 'script-src'?",
        id="directive-underscore",
    ),
    pytest.param(
        {"csp_header": {"img-src": "'self'", "IMG-SRC": "data:"}},
        "csp_header.IMG-SRC: the directive 'img-src' is given twice",
        id="directive-twice",
    ),
    pytest.param(
        {"csp_header": {"img-src": None}},
        "csp_header.img-src: null is not a value (allowed: a string of space-separated sources",
        id="directive-null",
    ),
    pytest.param(
        {"csp_header": {"img-src": 5}},
        "csp_header.img-src: 5 is not allowed (allowed: a string",
        id="directive-int",
    ),
    pytest.param(
        {"csp_header": {"upgrade-insecure-requests": "'self'"}},
        "csp_header.upgrade-insecure-requests: \"'self'\" is not allowed: upgrade-insecure-requests takes no value",
        id="bare-directive-with-value",
    ),
    pytest.param(
        {"csp_header": {"default-src": "'none' 'self'"}},
        "csp_header.default-src: 'none' must be the only source",
        id="none-with-others",
    ),
    pytest.param(
        {"csp_header": {"sandbox": "allow-script"}},
        "csp_header.sandbox: 'allow-script' is not a sandbox flag (allowed: allow-downloads",
        id="sandbox-flag",
    ),
    pytest.param(
        {"csp_header": {"report-uri": "/csp;script-src *"}},
        "csp_header.report-uri[0]: '/csp;script-src' is not allowed (allowed: a non-empty value without ';' or ',')",
        id="report-uri-semicolon",
    ),
    # referrer_policy
    pytest.param(
        {"referrer_policy": "sometimes"},
        "referrer_policy: 'sometimes' is not a referrer policy (allowed: no-referrer, no-referrer-when-downgrade, origin, origin-when-cross-origin, same-origin, strict-origin, strict-origin-when-cross-origin, unsafe-url, a comma list of them, or false)",
        id="referrer-bad",
    ),
    pytest.param(
        {"referrer_policy": "no-referer"},
        "referrer_policy: 'no-referer' is not a referrer policy Did you mean 'no-referrer'?",
        id="referrer-typo",
    ),
    pytest.param(
        {"referrer_policy": "no-referrer, everything"},
        "referrer_policy: 'everything' is not a referrer policy",
        id="referrer-list",
    ),
    pytest.param(
        {"referrer_policy": True},
        "referrer_policy: True is not a string",
        id="referrer-true",
    ),
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_config_fails_at_construction(config: dict[Any, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        SecureHeaders(app, config)


def test_config_error_is_a_value_error() -> None:
    assert issubclass(ConfigError, ValueError)


@pytest.mark.parametrize("bad_app", [None, "app", 42], ids=["none", "str", "int"])
def test_non_callable_app_is_a_type_error(bad_app: Any) -> None:
    with pytest.raises(TypeError, match="app must be a WSGI callable"):
        SecureHeaders(bad_app)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("server_secured: [unclosed\n", "not valid YAML", id="invalid"),
        pytest.param(
            "- a\n- b\n",
            "the top level must be a mapping of keys to values, not a list",
            id="list",
        ),
        pytest.param(
            "just a string\n",
            "the top level must be a mapping of keys to values, not a str",
            id="scalar",
        ),
        pytest.param(
            "server_secured:\n", "server_secured: null is not a value", id="empty-value"
        ),
        pytest.param(
            "referrer_policy: sometimes\n",
            "referrer_policy: 'sometimes' is not a referrer policy",
            id="bad-value",
        ),
        pytest.param(
            "server_secure: true\n",
            "unknown key 'server_secure'. Did you mean 'server_secured'?",
            id="unknown-key",
        ),
    ],
)
def test_bad_yaml_file_names_the_file(yaml_file: Any, text: str, message: str) -> None:
    path = yaml_file(text)
    with pytest.raises(
        ConfigError, match=f"^{re.escape(str(path))}: .*{re.escape(message)}"
    ):
        SecureHeaders(app, str(path))


def test_yaml_python_tags_are_refused_not_run(tmp_path: Any) -> None:
    # safe_load only: a tag that would create a file if it ran.
    marker = tmp_path / "ran"
    path = tmp_path / "evil.yaml"
    path.write_text(
        f"server_secured: !!python/object/apply:os.mkdir [{str(marker)!r}]\n"
    )
    with pytest.raises(ConfigError, match=f"^{re.escape(str(path))}: not valid YAML"):
        SecureHeaders(app, path)
    assert not marker.exists()


def test_missing_yaml_file_names_the_file(tmp_path: Any) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ConfigError, match=f"^{re.escape(str(path))}: no such file$"):
        SecureHeaders(app, path)


def test_unreadable_yaml_path_names_the_file(tmp_path: Any) -> None:
    with pytest.raises(
        ConfigError, match=f"^{re.escape(str(tmp_path))}: cannot be read"
    ):
        SecureHeaders(app, tmp_path)


def test_non_utf8_yaml_file_names_the_file(tmp_path: Any) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"referrer_policy: caf\xe9\n")
    with pytest.raises(ConfigError, match=f"^{re.escape(str(path))}: cannot be read"):
        SecureHeaders(app, path)


def test_unknown_directive_that_is_no_near_miss_is_sent_with_a_warning() -> None:
    from secheaders_wsgi import SecurityWarning

    with pytest.warns(
        SecurityWarning, match="'future-src' is not a CSP directive this version knows"
    ) as record:
        SecureHeaders(app, {"csp_header": {"future-src": "'self'"}})
    assert record[0].filename == __file__
