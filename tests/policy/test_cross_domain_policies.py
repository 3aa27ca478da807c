"""X-Permitted-Cross-Domain-Policies: the token as given."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import header_value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("none", "none", id="none"),
        pytest.param("master-only", "master-only", id="master-only"),
    ],
)
def test_cross_domain_policies(value: Any, expected: str) -> None:
    assert (
        header_value(
            {"x_permitted_cross_domain_policies": value},
            "X-Permitted-Cross-Domain-Policies",
        )
        == expected
    )
