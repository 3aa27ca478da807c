"""Origin-Agent-Cluster: a structured boolean, ?1 or ?0."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import header_value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(True, "?1", id="True"),
        pytest.param(False, "?0", id="False"),
    ],
)
def test_origin_agent_cluster(value: Any, expected: str) -> None:
    assert (
        header_value({"origin_agent_cluster": value}, "Origin-Agent-Cluster")
        == expected
    )
