"""Cache-Control from ``cache_control``: the value as normalized; the app's wins."""

from __future__ import annotations

import pytest

from tests.support import header_value, served, values

NAME = "Cache-Control"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("no-store", "no-store", id="no-store"),
        pytest.param("No-Store,Max-Age=0", "no-store, max-age=0", id="normalized"),
        pytest.param(
            "private, max-age=600, must-revalidate",
            "private, max-age=600, must-revalidate",
            id="several",
        ),
    ],
)
def test_the_value_is_sent(value: str, expected: str) -> None:
    assert header_value({"cache_control": value}, NAME) == expected
    assert header_value({"cache_control": value}, NAME, https=False) == expected


def test_no_header_by_default_or_when_false() -> None:
    assert header_value({}, NAME) is None
    assert header_value({"cache_control": False}, NAME) is None


def test_the_apps_own_cache_control_wins() -> None:
    app = served(
        {"cache_control": "no-store"},
        headers=[("Content-Type", "text/css"), ("cache-control", "max-age=60")],
    )
    assert values(app.get("/"), NAME) == ["max-age=60"]


def test_sent_once_when_the_app_sets_none() -> None:
    assert values(served({"cache_control": "no-store"}).get("/"), NAME) == ["no-store"]
