"""The whole header set: which headers by default, a fixed order, byte-identical output, http and https."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from secheaders_wsgi import load_config
from secheaders_wsgi.policy import headers
from tests.support import DEFAULT_CSP, HTTPS, served, values

OPTIONAL_HEADERS = (
    "Permissions-Policy",
    "Cross-Origin-Opener-Policy",
    "Cross-Origin-Embedder-Policy",
    "Cross-Origin-Resource-Policy",
    "X-Frame-Options",
    "Origin-Agent-Cluster",
    "X-DNS-Prefetch-Control",
    "X-Permitted-Cross-Domain-Policies",
)


def test_defaults_send_none_of_the_optional_headers() -> None:
    sent = {name for name, _ in headers(load_config({}), https=True)}
    assert sent.isdisjoint(OPTIONAL_HEADERS)


@pytest.mark.parametrize(
    "key",
    [
        "cross_origin_opener_policy",
        "cross_origin_embedder_policy",
        "cross_origin_resource_policy",
        "x_permitted_cross_domain_policies",
        "x_frame_options",
    ],
)
def test_false_sends_no_header(key: str) -> None:
    sent = {name for name, _ in headers(load_config({key: False}), https=True)}
    assert sent.isdisjoint(OPTIONAL_HEADERS)


def test_header_order_is_fixed_and_the_apps_headers_come_first() -> None:
    response = served({"server_secured": True}).get("/")
    names = [name for name, _ in response.headerlist if name != "Content-Length"]
    assert names == [
        "Content-Type",
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "X-XSS-Protection",
        "Referrer-Policy",
        "Strict-Transport-Security",
    ]


def test_every_header_in_a_fixed_order() -> None:
    config = {
        "server_secured": True,
        "csp_frame_ancestors": False,
        "permissions_policy": {"camera": []},
        "cross_origin_opener_policy": "same-origin",
        "cross_origin_embedder_policy": "require-corp",
        "cross_origin_resource_policy": "same-origin",
        "xss_protection": "0",
        "origin_agent_cluster": True,
        "x_dns_prefetch_control": False,
        "x_permitted_cross_domain_policies": "none",
    }
    names = [name for name, _ in headers(load_config(config), https=True)]
    assert names == [
        "Content-Security-Policy",
        "X-Content-Type-Options",
        "X-XSS-Protection",
        "Referrer-Policy",
        "Strict-Transport-Security",
        *OPTIONAL_HEADERS,
    ]


def test_byte_identical_across_hash_seeds(tmp_path: Any) -> None:
    script = (
        "from secheaders_wsgi import load_config\n"
        "from secheaders_wsgi.policy import headers\n"
        "c = load_config({'permissions_policy': {'camera': [], 'usb': ['self'], "
        "'geolocation': ['self', 'https://a.example', 'https://b.example']}, "
        "'remove_headers': ['X-Powered-By', 'X-AspNet-Version'], "
        "'paths': [{'prefix': '/a', 'csp_header': {'img-src': \"'self'\"}}]})\n"
        "print(headers(c, https=True), headers(c.paths[0][1], https=True))\n"
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": "."},
        ).stdout
        for seed in ("0", "1", "12345")
    }
    assert len(outputs) == 1


def test_app_level_optional_headers_on_http_and_https() -> None:
    app = served({"permissions_policy": {"camera": []}, "x_frame_options": "DENY"})
    for extra in ({}, HTTPS):
        response = app.get("/", extra_environ=extra)
        assert values(response, "Permissions-Policy") == ["camera=()"]
        assert values(response, "X-Frame-Options") == ["DENY"]
        assert values(response, "Content-Security-Policy") == [DEFAULT_CSP]
