"""Permissions-Policy: serialisation, order, off switches, obsolete and unknown features."""

from __future__ import annotations

import pytest

from secheaders_wsgi import SecurityWarning
from tests.support import header_value


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        pytest.param({"camera": []}, "camera=()", id="none"),
        pytest.param({"fullscreen": ["self"]}, "fullscreen=(self)", id="self"),
        pytest.param({"autoplay": ["*"]}, "autoplay=*", id="star"),
        pytest.param({"fullscreen": ["src"]}, "fullscreen=(src)", id="src"),
        pytest.param(
            {"camera": [], "geolocation": ["self", "https://maps.example"]},
            'camera=(), geolocation=(self "https://maps.example")',
            id="two-features",
        ),
        pytest.param(
            {"payment": ["self", "self", "https://pay.example:8443"]},
            'payment=(self "https://pay.example:8443")',
            id="duplicates-dropped-port-kept",
        ),
        pytest.param(
            {"usb": ["https://*.example.com"]},
            'usb=("https://*.example.com")',
            id="wildcard-subdomain-origin",
        ),
        pytest.param({"ch-ua-model": ["self"]}, "ch-ua-model=(self)", id="client-hint"),
    ],
)
def test_permissions_policy_serialization(
    policy: dict[str, list[str]], expected: str
) -> None:
    assert (
        header_value({"permissions_policy": policy}, "Permissions-Policy") == expected
    )


def test_permissions_policy_keeps_the_order_given() -> None:
    policy = {"usb": [], "camera": [], "microphone": []}
    assert header_value({"permissions_policy": policy}, "Permissions-Policy") == (
        "usb=(), camera=(), microphone=()"
    )


def test_permissions_policy_false_and_empty_mapping_send_nothing() -> None:
    assert header_value({"permissions_policy": False}, "Permissions-Policy") is None
    assert header_value({"permissions_policy": {}}, "Permissions-Policy") is None


@pytest.mark.parametrize(
    ("feature", "fix"),
    [
        pytest.param("interest-cohort", "FLoC", id="interest-cohort"),
        pytest.param("document-domain", "origin_agent_cluster", id="document-domain"),
        pytest.param("vr", "xr-spatial-tracking", id="vr"),
        pytest.param("wake-lock", "screen-wake-lock", id="wake-lock"),
    ],
)
def test_obsolete_feature_warns_and_is_sent(feature: str, fix: str) -> None:
    with pytest.warns(
        SecurityWarning, match=rf"permissions_policy\.{feature}: .*{fix}"
    ):
        value = header_value(
            {"permissions_policy": {feature: []}}, "Permissions-Policy"
        )
    assert value == f"{feature}=()"


def test_unknown_feature_without_near_miss_warns_and_is_sent() -> None:
    with pytest.warns(SecurityWarning, match="'teleport' is not a Permissions-Policy"):
        value = header_value(
            {"permissions_policy": {"teleport": []}}, "Permissions-Policy"
        )
    assert value == "teleport=()"
