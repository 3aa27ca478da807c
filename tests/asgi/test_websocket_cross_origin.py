"""cross_origin on WebSocket handshakes (ASGI): another origin's page may not open one.

A handshake is a GET, but it opens a channel with the user's cookies (cross-site
WebSocket hijacking), and Chromium sends only ``Origin`` on it, no
``Sec-Fetch-*``: it is checked as a state-changing request, in both modes, and
refused by closing before the socket is accepted (servers answer 403). WSGI has
no WebSockets. The browser test is tests/integration/test_cross_origin_browser.py.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from secheaders_wsgi.asgi import SecureHeaders
from tests.asgi.test_adapter import Message, run


class Socket:
    """A WebSocket app that accepts, and keeps the scopes it was opened with."""

    def __init__(self) -> None:
        self.scopes: list[dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.scopes.append(scope)
        await receive()
        await send({"type": "websocket.accept"})


def handshake(
    origin: str | None, path: str = "/socket", **extra: Any
) -> dict[str, Any]:
    headers = [(b"host", b"app.example")]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    return {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "scheme": "wss",
        "path": path,
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "server": ("app.example", 443),
        **extra,
    }


def opened(
    config: dict[str, Any], scope: dict[str, Any]
) -> tuple[Socket, list[Message]]:
    app = Socket()
    sent = run(SecureHeaders(app, config), scope, [{"type": "websocket.connect"}])
    return app, sent


CSRF = {"cross_origin": {"mode": "csrf"}}


@pytest.mark.parametrize("mode", ["csrf", "isolation"])
def test_another_origins_page_is_closed_before_the_socket_is_accepted(
    mode: str,
) -> None:
    app, sent = opened(
        {"cross_origin": {"mode": mode}}, handshake("https://evil.example")
    )
    assert app.scopes == []
    assert sent == [{"type": "websocket.close", "code": 1008}]


@pytest.mark.parametrize(
    "origin",
    [
        pytest.param("https://app.example", id="same-origin"),
        pytest.param("https://app.example:443", id="default-port"),
        pytest.param(None, id="not-a-browser"),
    ],
)
def test_the_sites_own_page_and_other_clients_open_it(origin: str | None) -> None:
    app, sent = opened(CSRF, handshake(origin))
    assert len(app.scopes) == 1
    assert sent == [{"type": "websocket.accept"}]


def test_a_trusted_origin_opens_it() -> None:
    config = {"cross_origin": {"trusted_origins": ["https://partner.example"]}}
    app, _ = opened(config, handshake("https://partner.example"))
    assert len(app.scopes) == 1


def test_firefoxs_sec_fetch_site_decides_when_it_is_sent() -> None:
    scope = handshake("https://app.example")
    scope["headers"].append((b"sec-fetch-site", b"cross-site"))
    app, _ = opened(CSRF, scope)
    assert app.scopes == []


def test_report_only_opens_it_and_logs_the_would_be_refusal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = {"cross_origin": {"report_only": True}}
    with caplog.at_level(logging.WARNING, logger="secheaders.cross_origin"):
        app, _ = opened(config, handshake("https://evil.example"))
    assert len(app.scopes) == 1
    [record] = [r for r in caplog.records if r.name == "secheaders.cross_origin"]
    assert '"reason": "cross-origin-websocket"' in record.getMessage()


@pytest.mark.parametrize(
    "path", ["/public/socket", "//public/socket", "/public//socket"]
)
def test_a_paths_rule_exempts_its_sockets(path: str) -> None:
    config = {**CSRF, "paths": [{"prefix": "/public/", "cross_origin": False}]}
    app, _ = opened(config, handshake("https://evil.example", path=path))
    assert len(app.scopes) == 1


def test_behind_a_trusted_proxy_the_forwarded_host_is_compared() -> None:
    config = {**CSRF, "trusted_proxies": 1}
    scope = handshake("https://app.example")
    scope["headers"] = [
        (b"host", b"backend:8000"),
        (b"origin", b"https://app.example"),
        (b"x-forwarded-host", b"app.example"),
        (b"x-forwarded-proto", b"https"),
    ]
    app, _ = opened(config, scope)
    assert len(app.scopes) == 1
    assert app.scopes[0]["scheme"] == "wss"


def test_a_site_without_the_check_passes_sockets_untouched() -> None:
    app = Socket()
    scope = handshake("https://evil.example")
    run(SecureHeaders(app, {}), scope, [{"type": "websocket.connect"}])
    assert app.scopes == [scope] and app.scopes[0] is scope
