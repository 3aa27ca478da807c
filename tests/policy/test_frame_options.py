"""X-Frame-Options: derived from frame-ancestors unless set, or off."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import header_value


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param({}, None, id="default-no-frame-ancestors"),
        pytest.param({"csp_frame_ancestors": False}, "DENY", id="false"),
        pytest.param({"csp_frame_ancestors": []}, "DENY", id="empty-list"),
        pytest.param({"csp_frame_ancestors": ["'none'"]}, "DENY", id="none"),
        pytest.param({"csp_frame_ancestors": ["'self'"]}, "SAMEORIGIN", id="self"),
        pytest.param(
            {"csp_frame_ancestors": ["'safe-src'"]}, "SAMEORIGIN", id="safe-src-is-self"
        ),
        pytest.param(
            {"csp_frame_ancestors": ["'self'", "https://partner.example"]},
            None,
            id="self-and-partner",
        ),
        pytest.param(
            {"csp_frame_ancestors": ["https://partner.example"]}, None, id="partner"
        ),
        pytest.param(
            {
                "csp_header": {"default-src": "'self'", "frame-ancestors": "'none'"},
                "csp_unsafe_inline": True,
                "csp_unsafe_eval": True,
            },
            "DENY",
            id="custom-policy-frame-ancestors",
        ),
        pytest.param(
            {"csp_header": False, "csp_frame_ancestors": False},
            "DENY",
            id="no-csp-x-frame-options-alone-says-it",
        ),
        pytest.param(
            {"csp_frame_ancestors": False, "x_frame_options": "sameorigin"},
            "SAMEORIGIN",
            id="explicit-wins-normalized",
        ),
        pytest.param({"x_frame_options": "DENY"}, "DENY", id="explicit-deny"),
        pytest.param(
            {"csp_frame_ancestors": False, "x_frame_options": False},
            None,
            id="explicit-false",
        ),
    ],
)
def test_x_frame_options(config: dict[str, Any], expected: str | None) -> None:
    assert header_value(config, "X-Frame-Options") == expected
