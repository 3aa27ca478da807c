"""X-XSS-Protection: the default, explicit values, and none without a CSP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import header_value


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        pytest.param({}, "1; mode=block", id="default"),
        pytest.param({"xss_protection": "0"}, "0", id="zero"),
        pytest.param({"xss_protection": 0}, "0", id="yaml-number-zero"),
        pytest.param({"xss_protection": "1"}, "1", id="one"),
        pytest.param({"xss_protection": "1;mode=block"}, "1; mode=block", id="spacing"),
        pytest.param({"xss_protection": False}, None, id="false"),
        pytest.param({"csp_header": False}, None, id="no-csp-contract"),
        pytest.param(
            {"csp_header": False, "xss_protection": "0"}, "0", id="explicit-without-csp"
        ),
    ],
)
def test_xss_protection(config: dict[str, Any], expected: str | None) -> None:
    assert header_value(config, "X-XSS-Protection") == expected
