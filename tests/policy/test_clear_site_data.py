"""Clear-Site-Data: each type quoted, in the order given; meant for a logout rule."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import header_value, served

NAME = "Clear-Site-Data"
# Top-level on purpose here: the header itself, whatever the warning says.
pytestmark = pytest.mark.filterwarnings("ignore:clear_site_data. at the top level")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(["cache"], '"cache"', id="cache"),
        pytest.param(["cookies"], '"cookies"', id="cookies"),
        pytest.param(["storage"], '"storage"', id="storage"),
        pytest.param(
            ["executionContexts"], '"executionContexts"', id="executionContexts"
        ),
        pytest.param(["*"], '"*"', id="star"),
        pytest.param(
            ["cookies", "cache", "storage"],
            '"cookies", "cache", "storage"',
            id="several-in-order",
        ),
    ],
)
def test_each_type_is_a_quoted_string(value: list[str], expected: str) -> None:
    assert header_value({"clear_site_data": value}, NAME) == expected


@pytest.mark.parametrize("config", [{}, {"clear_site_data": False}], ids=str)
def test_no_header_by_default_or_when_false(config: dict[str, Any]) -> None:
    assert header_value(config, NAME) is None


def test_sent_on_plain_http_too() -> None:
    # Browsers act on it only in a secure context; sending it costs nothing.
    value = header_value({"clear_site_data": ["cookies"]}, NAME, https=False)
    assert value == '"cookies"'


def test_the_apps_own_header_wins() -> None:
    app = served(
        {"clear_site_data": ["*"]},
        headers=[("Content-Type", "text/html"), ("clear-site-data", '"cache"')],
    )
    response = app.get("/")
    assert [v for k, v in response.headerlist if k.lower() == "clear-site-data"] == [
        '"cache"'
    ]
