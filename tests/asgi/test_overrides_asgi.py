"""The per-response API on an ASGI scope: use_override, update_csp, replace_csp and
drop_headers are the WSGI functions, given ``request.scope``; the state they write
is the WSGI side's ResponseState, and a call after http.response.start fails."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from secheaders_wsgi import (
    csp_nonce,
    drop_headers,
    replace_csp,
    update_csp,
    use_override,
)
from secheaders_wsgi.asgi import SecureHeaders
from secheaders_wsgi.response import STATE_KEY, ResponseState
from tests.asgi_bridge import run_async

CONFIG = {
    "csp_unsafe_inline": False,
    "cross_origin_opener_policy": "same-origin",
    "csp_frame_ancestors": False,
    "overrides": {
        "embed": {"csp_frame_ancestors": ["'self'", "https://partner.example"]},
        "evil_eval": {"csp_unsafe_eval": True},
    },
}


async def plain(request: Request) -> HTMLResponse:
    return HTMLResponse("<p>plain</p>")


async def embed(request: Request) -> HTMLResponse:
    use_override(request.scope, "embed")
    update_csp(request.scope, {"img-src": ["https://cdn.example"]})
    replace_csp(request.scope, {"form-action": ["'self'"], "object-src": None})
    drop_headers(request.scope, "Cross-Origin-Opener-Policy")
    nonce = csp_nonce(request.scope)
    return HTMLResponse(f"<script nonce='{nonce}'></script>")


async def evaluating(request: Request) -> HTMLResponse:
    use_override(request.scope, "evil_eval")
    return HTMLResponse(str(request.scope["secheaders.csp_unsafe_eval"]))


APP = SecureHeaders(
    Starlette(
        routes=[Route("/", plain), Route("/embed", embed), Route("/eval", evaluating)]
    ),
    CONFIG,
)


def get(path: str, app: Any = APP) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="https://example.com"
        ) as client:
            return await client.get(path)

    return run_async(go())


def test_a_view_changes_its_own_response_through_the_scope() -> None:
    response = get("/embed")
    policy = response.headers["content-security-policy"]
    nonce = response.text.split("'")[1]
    assert "frame-ancestors 'self' https://partner.example" in policy
    assert "https://cdn.example" in policy
    assert "form-action 'self'" in policy and "object-src" not in policy
    assert f"'nonce-{nonce}'" in policy
    assert "cross-origin-opener-policy" not in response.headers
    assert "x-frame-options" not in response.headers  # follows frame-ancestors


def test_other_responses_keep_the_config() -> None:
    response = get("/")
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy
    assert response.headers["cross-origin-opener-policy"] == "same-origin"


def test_an_override_tells_the_app_through_the_scope() -> None:
    assert get("/eval").text == "True"


def test_the_state_in_the_scope_is_the_wsgi_sides() -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope[STATE_KEY])
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    get("/", SecureHeaders(app, CONFIG))
    assert isinstance(seen[0], ResponseState) and seen[0].sent


@pytest.mark.parametrize(
    "call",
    [
        lambda scope: use_override(scope, "embed"),
        lambda scope: update_csp(scope, {"img-src": ["https://cdn.example"]}),
        lambda scope: replace_csp(scope, {"object-src": None}),
        lambda scope: drop_headers(scope, "X-Frame-Options"),
    ],
    ids=["use_override", "update_csp", "replace_csp", "drop_headers"],
)
def test_a_change_after_http_response_start_is_a_runtime_error(call: Any) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        call(scope)

    with pytest.raises(RuntimeError, match="called after the response started"):
        get("/", SecureHeaders(app, CONFIG))
