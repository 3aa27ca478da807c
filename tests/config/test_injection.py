"""Control and non-latin-1 characters in any value are refused before they reach a header.

Each bad value fails at start-up, given as a mapping and as a YAML file, with a
ConfigError that names the key, quotes the value and says what is allowed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support import assert_refused

BAD = [
    # header injection
    pytest.param(
        {"hsts_header": "max-age=1\r\nSet-Cookie: a=b"},
        "hsts_header: 'max-age=1\\r\\nSet-Cookie: a=b' has the control character '\\r' (allowed: printable characters only; CR and LF would inject a header)",
        id="crlf-hsts",
    ),
    pytest.param(
        {"referrer_policy": "no-referrer\nX-Evil: 1"},
        "referrer_policy: 'no-referrer\\nX-Evil: 1' has the control character '\\n' (allowed: printable characters only; CR and LF would inject a header)",
        id="lf-referrer",
    ),
    pytest.param(
        {"csp_safe_src": ["cdn.example.com\x00"]},
        "csp_safe_src[0]: 'cdn.example.com\\x00' has the control character '\\x00' (allowed: printable characters only; CR and LF would inject a header)",
        id="nul-source",
    ),
    pytest.param(
        {"csp_header": {"img-src": "'self'\tdata:\x7f"}},
        "csp_header.img-src: \"'self'\\tdata:\\x7f\" has the control character '\\t' (allowed: printable characters only; CR and LF would inject a header)",
        id="tab-directive",
    ),
    pytest.param(
        {"csp_report_uri": "https://r.example/\x85"},
        "csp_report_uri: 'https://r.example/\\x85' has the control character '\\x85' (allowed: printable characters only; CR and LF would inject a header)",
        id="c1-control",
    ),
    pytest.param(
        {"csp_frame_ancestors": ["'none'", "'self'"]},
        "csp_frame_ancestors: 'none' must be the only source, not one of \"'none' 'self'\" (browsers ignore it beside others)",
        id="frame-ancestors-none-with-others",
    ),
    pytest.param(
        {"csp_safe_src": ["'self'", "'none'"]},
        "csp_safe_src: 'none' must be the only source, not one of \"'self' 'none'\" (browsers ignore it beside others)",
        id="safe-src-none-with-others",
    ),
    pytest.param(
        {"csp_safe_src": ["'self'", "caf\u00e9\u2603.example"]},
        "csp_safe_src[1]: 'café☃.example' has the non-latin-1 character '☃' (allowed: latin-1 text only; punycode-encode international domain names)",
        id="non-latin-1",
    ),
    pytest.param(
        {"csp_header": {"img-src\r\nX-Evil": "'self'"}},
        "csp_header.img-src\r\nX-Evil: 'img-src\\r\\nX-Evil' has the control character '\\r' (allowed: printable characters only; CR and LF would inject a header)",
        id="crlf-directive-name",
    ),
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_value_is_refused_at_start_up(
    config: dict[Any, Any], message: str, tmp_path: Path
) -> None:
    assert_refused(config, message, tmp_path)
