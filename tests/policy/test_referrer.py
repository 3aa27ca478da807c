"""Referrer-Policy: any policy string, or false for none."""

from __future__ import annotations

import pytest

from tests.support import served


@pytest.mark.parametrize(
    "value",
    ["no-referrer", "same-origin", "no-referrer, strict-origin-when-cross-origin"],
)
def test_referrer_policy_string(value: str) -> None:
    assert (
        served({"referrer_policy": value}).get("/").headers["Referrer-Policy"] == value
    )


def test_referrer_policy_false_sends_none() -> None:
    assert "Referrer-Policy" not in served({"referrer_policy": False}).get("/").headers
