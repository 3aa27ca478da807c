"""'strict-dynamic' and hash sources are accepted as written and sent unchanged."""

from __future__ import annotations

import base64
import hashlib

import pytest

from secheaders_wsgi import load_config
from tests.support import csp_of, served


def digest(algorithm: str, text: bytes, urlsafe: bool = False) -> str:
    raw = hashlib.new(algorithm, text).digest()
    encode = base64.urlsafe_b64encode if urlsafe else base64.b64encode
    return f"'{algorithm}-{encode(raw).decode()}'"


@pytest.mark.parametrize(
    "source",
    [
        pytest.param(digest("sha256", b"alert(1)"), id="sha256"),
        pytest.param(digest("sha384", b"alert(1)"), id="sha384"),
        pytest.param(digest("sha512", b"alert(1)"), id="sha512"),
        pytest.param(digest("sha256", b"\xff" * 9, urlsafe=True), id="base64url"),
        pytest.param("'SHA256-" + digest("sha256", b"x")[8:], id="algorithm-case"),
        pytest.param("'strict-dynamic'", id="strict-dynamic"),
    ],
)
def test_source_is_accepted_and_sent_as_written(source: str) -> None:
    config = {
        "csp_header": {"script-src": ["'self'", source]},
        "csp_unsafe_inline": False,  # beside 'strict-dynamic' it would warn
    }
    response = served(config).get("/")
    assert csp_of(response.headers["Content-Security-Policy"])["script-src"][:2] == [
        "'self'",
        source,
    ]


def test_hashes_and_nonce_together() -> None:
    sha = digest("sha256", b"console.log(1)")
    config = {
        "csp_header": {"script-src": f"'strict-dynamic' {sha}"},
        "csp_unsafe_inline": False,
        "csp_unsafe_eval": False,
    }
    response = served(config, nonce=True).get("/")
    assert csp_of(response.headers["Content-Security-Policy"])["script-src"] == [
        "'strict-dynamic'",
        sha,
        f"'nonce-{response.text}'",
    ]


def test_hash_in_the_trial_policy_and_safe_src() -> None:
    sha = digest("sha384", b"body{}")
    config = load_config(
        {
            "csp_safe_src": ["'self'", sha],
            "csp_report_only_header": {"style-src": "'safe-src'"},
            "csp_report_uri": "/r",
        }
    )
    assert config.csp_report_only_header == (("style-src", ("'safe-src'",)),)
    assert config.csp_safe_src == ("'self'", sha)
