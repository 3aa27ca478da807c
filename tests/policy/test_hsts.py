"""Strict-Transport-Security: the default, a custom value, false, and https-only without server_secured."""

from __future__ import annotations

import pytest

from tests.support import served


def test_server_secured_sends_default_hsts() -> None:
    response = served({"server_secured": True}).get("/")
    expected = "max-age=31556926; includeSubDomains"
    assert response.headers["Strict-Transport-Security"] == expected


def test_hsts_header_string_replaces_the_default() -> None:
    config = {"server_secured": True, "hsts_header": "max-age=600"}
    assert served(config).get("/").headers["Strict-Transport-Security"] == "max-age=600"


def test_hsts_header_false_sends_none_even_when_secured() -> None:
    response = served({"server_secured": True, "hsts_header": False}).get("/")
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize(
    ("scheme", "sent"),
    [pytest.param("https", True, id="https"), pytest.param("http", False, id="http")],
)
def test_hsts_header_without_server_secured_goes_on_https_only(
    scheme: str, sent: bool
) -> None:
    app = served({"hsts_header": "max-age=600"})
    response = app.get("/", extra_environ={"wsgi.url_scheme": scheme})
    assert ("Strict-Transport-Security" in response.headers) is sent


def test_no_hsts_on_https_without_server_secured_or_hsts_header() -> None:
    response = served().get("/", extra_environ={"wsgi.url_scheme": "https"})
    assert "Strict-Transport-Security" not in response.headers
