"""Cross-Origin-Opener-Policy, -Embedder-Policy and -Resource-Policy: the token as given."""

from __future__ import annotations

import pytest

from tests.support import header_value


@pytest.mark.parametrize(
    ("key", "name", "value"),
    [
        ("cross_origin_opener_policy", "Cross-Origin-Opener-Policy", "same-origin"),
        (
            "cross_origin_opener_policy",
            "Cross-Origin-Opener-Policy",
            "same-origin-allow-popups",
        ),
        (
            "cross_origin_opener_policy",
            "Cross-Origin-Opener-Policy",
            "noopener-allow-popups",
        ),
        ("cross_origin_opener_policy", "Cross-Origin-Opener-Policy", "unsafe-none"),
        (
            "cross_origin_embedder_policy",
            "Cross-Origin-Embedder-Policy",
            "require-corp",
        ),
        (
            "cross_origin_embedder_policy",
            "Cross-Origin-Embedder-Policy",
            "credentialless",
        ),
        ("cross_origin_resource_policy", "Cross-Origin-Resource-Policy", "same-site"),
        (
            "cross_origin_resource_policy",
            "Cross-Origin-Resource-Policy",
            "cross-origin",
        ),
    ],
    ids=lambda v: str(v),
)
def test_the_token_is_sent_as_given(key: str, name: str, value: str) -> None:
    assert header_value({key: value}, name) == value
