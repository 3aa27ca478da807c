"""X-DNS-Prefetch-Control: on or off, from a boolean or the word."""

from __future__ import annotations

from typing import Any

import pytest

from secheaders_wsgi import load_config
from secheaders_wsgi.policy import headers
from tests.support import header_value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(False, "off", id="False"),
        pytest.param(True, "on", id="True"),
        pytest.param("off", "off", id="off"),
        pytest.param("On", "on", id="On"),
    ],
)
def test_dns_prefetch_control(value: Any, expected: str) -> None:
    assert (
        header_value({"x_dns_prefetch_control": value}, "X-DNS-Prefetch-Control")
        == expected
    )


def test_yaml_bare_off_means_off_not_no_header(tmp_path: Any) -> None:
    # YAML 1.1 reads `off` as false: it must still send "off".
    path = tmp_path / "security.yaml"
    path.write_text("x_dns_prefetch_control: off\n", encoding="utf-8")
    config = load_config(path)
    assert dict(headers(config, https=False))["X-DNS-Prefetch-Control"] == "off"
