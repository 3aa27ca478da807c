"""What only the ASGI adapter does: the http.response.start rewrite in bytes, the
scope (scheme, server, root_path), websocket and lifespan scopes, messages passed
untouched, the nonce's line at http.response.start, the receiver's receive()."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from secheaders_wsgi import ConfigError, csp_nonce
from secheaders_wsgi import response as nonce_module
from secheaders_wsgi.asgi import SecureHeaders
from tests.asgi_bridge import run_async

Message = dict[str, Any]
STRICT_INLINE = {"csp_unsafe_inline": False, "csp_unsafe_eval": False}


def http_scope(path: str = "/", **extra: Any) -> dict[str, Any]:
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"example.com")],
        "server": ("example.com", 80),
        "client": ("203.0.113.1", 5000),
    }
    scope.update(extra)
    return scope


class Recorder:
    """An ASGI app that answers with ``messages`` and keeps the scope it saw."""

    def __init__(
        self,
        headers: list[tuple[bytes, bytes]] | None = None,
        more: list[Message] | None = None,
        before_start: Callable[[dict[str, Any]], None] | None = None,
        after_start: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        self.headers = (
            headers if headers is not None else [(b"content-type", b"text/html")]
        )
        self.more = (
            more
            if more is not None
            else [{"type": "http.response.body", "body": b"hi"}]
        )
        self.before_start = before_start
        self.after_start = after_start
        self.scopes: list[dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.scopes.append(scope)
        if scope["type"] != "http":
            return
        if self.before_start:
            self.before_start(scope)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": list(self.headers),
            }
        )
        if self.after_start:
            self.after_start(scope)
        for message in self.more:
            await send(message)


def run(
    app: Callable[..., Awaitable[None]],
    scope: dict[str, Any],
    body: list[Message] | None = None,
) -> list[Message]:
    """Drive ``app`` with ``scope``; the messages it sent."""
    sent: list[Message] = []
    incoming = list(body or [{"type": "http.request", "body": b"", "more_body": False}])

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    run_async(app(scope, receive, send))
    return sent


def headers_of(messages: list[Message]) -> list[tuple[bytes, bytes]]:
    return list(
        next(m for m in messages if m["type"] == "http.response.start")["headers"]
    )


def named(messages: list[Message], name: bytes) -> list[bytes]:
    return [v for n, v in headers_of(messages) if n.lower() == name]


def test_bad_config_is_the_same_config_error_at_start_up() -> None:
    with pytest.raises(ConfigError, match="^unknown key 'server_secure'"):
        SecureHeaders(Recorder(), {"server_secure": True})


def test_a_non_callable_app_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="ASGI callable"):
        SecureHeaders("app", None)  # type: ignore[arg-type]


def test_ours_go_after_the_apps_with_lower_case_names() -> None:
    sent = run(SecureHeaders(Recorder()), http_scope())
    names = [n for n, _ in headers_of(sent)]
    assert names[0] == b"content-type"
    assert names[1:] == [
        b"content-security-policy",
        b"x-content-type-options",
        b"x-xss-protection",
        b"referrer-policy",
    ]


@pytest.mark.parametrize(
    "name",
    [
        b"Content-Security-Policy",
        b"content-security-policy",
        b"CONTENT-SECURITY-POLICY",
    ],
)
def test_an_app_set_header_wins_whatever_its_case(name: bytes) -> None:
    app = Recorder([(b"content-type", b"text/html"), (name, b"default-src 'none'")])
    sent = run(SecureHeaders(app), http_scope())
    assert named(sent, b"content-security-policy") == [b"default-src 'none'"]
    assert (name, b"default-src 'none'") in headers_of(sent)  # its spelling kept


def test_every_set_cookie_is_kept_and_hardened() -> None:
    cookies = [
        (b"set-cookie", b"a=1"),
        (b"set-cookie", b"b=2; Secure"),
        (b"Set-Cookie", b"c=3"),
    ]
    config = {"server_secured": True, "cookie_samesite": "Lax", "cookie_httponly": True}
    sent = run(SecureHeaders(Recorder(cookies), config), http_scope())
    assert [(n, v) for n, v in headers_of(sent) if n.lower() == b"set-cookie"] == [
        (b"set-cookie", b"a=1; SameSite=Lax; Secure; HttpOnly"),
        (b"set-cookie", b"b=2; Secure; SameSite=Lax; HttpOnly"),
        (b"Set-Cookie", b"c=3; SameSite=Lax; Secure; HttpOnly"),
    ]


def test_remove_headers_drops_the_apps_header() -> None:
    app = Recorder([(b"X-Powered-By", b"me"), (b"x-runtime", b"3")])
    sent = run(SecureHeaders(app, {"remove_headers": ["x-powered-by"]}), http_scope())
    assert named(sent, b"x-powered-by") == []
    assert named(sent, b"x-runtime") == [b"3"]


def test_hsts_only_over_https_and_server_secured_makes_the_scope_https() -> None:
    app = Recorder()
    assert (
        named(run(SecureHeaders(app), http_scope()), b"strict-transport-security") == []
    )
    sent = run(SecureHeaders(app, {"server_secured": True}), http_scope())
    assert named(sent, b"strict-transport-security") != []
    assert app.scopes[-1]["scheme"] == "https"
    assert app.scopes[-1]["server"] == ("example.com", 443)  # port 80 is http's


def test_the_callers_scope_is_not_changed() -> None:
    scope = http_scope()
    before = dict(scope)
    run(SecureHeaders(Recorder(), {"server_secured": True}), scope)
    assert scope == before


def test_websocket_scope_gets_wss_and_nothing_else() -> None:
    app = Recorder()
    scope = http_scope(type="websocket", scheme="ws")
    del scope["method"]
    run(SecureHeaders(app, {"server_secured": True}), scope)
    seen = app.scopes[-1]
    assert seen["scheme"] == "wss"
    assert "secheaders.csp_nonce" not in seen
    assert {k: v for k, v in seen.items() if k not in ("scheme", "server")} == {
        k: v for k, v in scope.items() if k not in ("scheme", "server")
    }


def test_websocket_and_lifespan_pass_through_untouched_without_a_scheme_to_adapt() -> (
    None
):
    seen: list[tuple[Any, Any, Any]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append((scope, receive, send))

    async def receive() -> Message:
        return {"type": "lifespan.startup"}

    async def send(message: Message) -> None:
        pass

    for scope in (
        {"type": "lifespan", "asgi": {"version": "3.0"}},
        http_scope(type="websocket", scheme="ws"),
    ):
        run_async(SecureHeaders(app, {"force_https": True})(scope, receive, send))
        assert seen[-1] == (scope, receive, send)
        assert seen[-1][0] is scope


def test_messages_after_the_start_pass_as_they_are() -> None:
    more: list[Message] = [
        {"type": "http.response.body", "body": b"a", "more_body": True},
        {"type": "http.response.body", "body": b"b", "more_body": True},
        {
            "type": "http.response.trailers",
            "headers": [(b"x-checksum", b"1")],
            "more_trailers": False,
        },
        {"type": "http.response.pathsend", "path": "/tmp/file"},
    ]
    app = Recorder(more=more)
    sent = run(SecureHeaders(app, {"server_secured": True}), http_scope())
    assert sent[1:] == more
    assert all(a is b for a, b in zip(sent[1:], more, strict=True))


def test_the_start_message_keeps_its_other_keys() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [],
                "trailers": True,
            }
        )

    sent = run(SecureHeaders(app), http_scope())
    assert sent[0]["trailers"] is True and sent[0]["status"] == 200


def test_a_second_start_message_is_merged_as_the_first_for_the_server_to_refuse() -> (
    None
):
    # Two starts are the app's mistake; the server refuses the second (uvicorn:
    # "Unexpected ASGI message"). Whatever it does with it, the message it
    # gets is the app's, merged with ours, not a half-changed one.
    async def app(scope: Any, receive: Any, send: Any) -> None:
        for status, name in ((200, b"x-first"), (500, b"x-second")):
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [(name, b"1")],
                }
            )

    sent = run(SecureHeaders(app), http_scope())
    assert [m["status"] for m in sent] == [200, 500]
    for message, name in zip(sent, (b"x-first", b"x-second"), strict=True):
        names = [n for n, _ in message["headers"]]
        assert names[0] == name and b"content-security-policy" in names


def test_nonce_is_lazy_and_fixed_for_the_request(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn: list[int] = []
    real = nonce_module.secrets.token_urlsafe

    def counting(n: int) -> str:
        drawn.append(n)
        return real(n)

    monkeypatch.setattr(nonce_module.secrets, "token_urlsafe", counting)
    got: list[str] = []
    run(SecureHeaders(Recorder(), STRICT_INLINE), http_scope())
    assert drawn == []
    app = Recorder(
        before_start=lambda scope: got.extend([csp_nonce(scope), csp_nonce(scope)])
    )
    sent = run(SecureHeaders(app, STRICT_INLINE), http_scope())
    assert got[0] == got[1] and drawn == [18]
    assert f"'nonce-{got[0]}'".encode() in named(sent, b"content-security-policy")[0]
    assert named(sent, b"cache-control") == [b"private"]


def test_a_first_nonce_after_http_response_start_is_a_runtime_error() -> None:
    app = Recorder(after_start=csp_nonce)
    with pytest.raises(RuntimeError, match="asked for after start_response"):
        run(SecureHeaders(app, STRICT_INLINE), http_scope())


def test_a_nonce_made_before_the_start_keeps_working_after_it() -> None:
    got: list[str] = []
    app = Recorder(
        before_start=lambda s: got.append(csp_nonce(s)),
        after_start=lambda s: got.append(csp_nonce(s)),
    )
    run(SecureHeaders(app, STRICT_INLINE), http_scope())
    assert got[0] == got[1]


def test_force_https_answers_plain_http_itself() -> None:
    app = Recorder()
    scope = http_scope("/a b", query_string=b"x=1", method="POST")
    sent = run(SecureHeaders(app, {"force_https": True}), scope)
    assert app.scopes == []
    assert sent[0]["status"] == 308
    assert named(sent, b"location") == [b"https://example.com/a%20b?x=1"]
    assert sent[1] == {"type": "http.response.body", "body": b""}


def test_force_https_exempt_path_is_served_over_http() -> None:
    app = Recorder()
    config = {"force_https": True, "force_https_exempt": ["/health"]}
    sent = run(SecureHeaders(app, config), http_scope("/health"))
    assert sent[0]["status"] == 200 and len(app.scopes) == 1


def test_path_rules_use_the_path_within_root_path() -> None:
    config = {"paths": [{"prefix": "/embed", "referrer_policy": "no-referrer"}]}

    def referrer(scope: dict[str, Any]) -> list[bytes]:
        return named(run(SecureHeaders(Recorder(), config), scope), b"referrer-policy")

    assert referrer(http_scope("/app/embed/x", root_path="/app")) == [b"no-referrer"]
    # A server that sends the path without its root_path is taken at its word.
    assert referrer(http_scope("/embed/x", root_path="/app")) == [b"no-referrer"]
    default = [b"strict-origin-when-cross-origin"]
    assert referrer(http_scope("/app/page", root_path="/app")) == default
    assert referrer(http_scope("/embed/x", root_path="/embed")) == default


def test_trusted_proxies_fix_the_scope_from_x_forwarded() -> None:
    app = Recorder()
    headers = [
        (b"host", b"backend:8000"),
        (b"x-forwarded-proto", b"https"),
        (b"x-forwarded-host", b"www.example.com"),
        (b"x-forwarded-port", b"443"),
        (b"x-forwarded-prefix", b"/shop"),
        (b"x-forwarded-for", b"198.51.100.7"),
    ]
    scope = http_scope("/a", headers=headers, server=("backend", 8000))
    sent = run(SecureHeaders(app, {"trusted_proxies": 1, "force_https": True}), scope)
    assert sent[0]["status"] == 200
    seen = app.scopes[-1]
    assert seen["scheme"] == "https"
    assert seen["server"] == ("www.example.com", 443)
    assert (b"host", b"www.example.com:443") in seen["headers"]
    assert [v for n, v in seen["headers"] if n == b"host"] == [b"www.example.com:443"]
    assert seen["root_path"] == "/shop" and seen["path"] == "/shop/a"
    assert seen["client"] == ("203.0.113.1", 5000)  # X-Forwarded-For is not ours


def test_trusted_proxies_on_a_websocket_say_wss() -> None:
    app = Recorder()
    scope = http_scope(
        type="websocket", scheme="ws", headers=[(b"x-forwarded-proto", b"https")]
    )
    run(SecureHeaders(app, {"trusted_proxies": 1}), scope)
    assert app.scopes[-1]["scheme"] == "wss"


REPORT = json.dumps(
    {"csp-report": {"document-uri": "https://example.com/", "blocked-uri": "inline"}}
).encode()


def report_scope(length: int | None, **extra: Any) -> dict[str, Any]:
    headers = [(b"content-type", b"application/csp-report")]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return http_scope("/csp", method="POST", headers=headers, **extra)


def test_receiver_reads_the_report_from_receive_and_logs_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = Recorder()
    body = [
        {"type": "http.request", "body": REPORT[:10], "more_body": True},
        {"type": "http.request", "body": REPORT[10:], "more_body": False},
    ]
    with caplog.at_level(logging.WARNING, logger="secheaders.csp"):
        sent = run(
            SecureHeaders(app, {"csp_report_path": "/csp"}),
            report_scope(len(REPORT)),
            body,
        )
    assert sent[0]["status"] == 204 and app.scopes == []
    assert json.loads(caplog.records[-1].getMessage())["blocked"] == "inline"


def test_receiver_refuses_a_long_declared_body_without_reading_it() -> None:
    calls: list[int] = []

    async def receive() -> Message:
        calls.append(1)
        return {"type": "http.request", "body": b"x" * 100, "more_body": True}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    app = SecureHeaders(
        Recorder(), {"csp_report_path": "/csp", "csp_report_max_bytes": 100}
    )
    run_async(app(report_scope(10_000), receive, send))
    assert sent[0]["status"] == 413 and calls == []


def test_receiver_stops_an_endless_body_after_the_limit() -> None:
    calls: list[int] = []

    async def receive() -> Message:
        calls.append(1)
        return {"type": "http.request", "body": b" " * 50, "more_body": True}

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    app = SecureHeaders(
        Recorder(), {"csp_report_path": "/csp", "csp_report_max_bytes": 100}
    )
    run_async(app(report_scope(None), receive, send))
    assert sent[0]["status"] == 413 and len(calls) == 3  # 150 bytes > 101


def test_receiver_answers_400_to_a_client_that_hangs_up() -> None:
    body = [
        {"type": "http.request", "body": b"{", "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent = run(
        SecureHeaders(Recorder(), {"csp_report_path": "/csp"}), report_scope(None), body
    )
    assert sent[0]["status"] == 400


def test_through_httpx_and_starlette_request_scope() -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(f"<script nonce='{csp_nonce(request.scope)}'></script>")

    app = SecureHeaders(Starlette(routes=[Route("/", page)]), STRICT_INLINE)

    async def get() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="https://example.com"
        ) as client:
            return await client.get("/")

    response = run_async(get())
    nonce = response.text.split("'")[1]
    assert f"'nonce-{nonce}'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


def test_receiver_takes_a_chunked_report_without_a_length() -> None:
    body = [
        {"type": "http.request", "body": REPORT[:7], "more_body": True},
        {"type": "http.request", "body": REPORT[7:], "more_body": False},
    ]
    app = SecureHeaders(Recorder(), {"csp_report_path": "/csp"})
    assert run(app, report_scope(None), body)[0]["status"] == 204


def test_receiver_refuses_a_length_that_is_not_a_number_without_reading() -> None:
    calls: list[int] = []

    async def receive() -> Message:
        calls.append(1)
        return {"type": "http.request", "body": REPORT, "more_body": False}

    async def ignore(message: Message) -> None:
        sent.append(message)

    sent: list[Message] = []
    scope = report_scope(None)
    scope["headers"].append((b"content-length", b"1e3"))
    run_async(
        SecureHeaders(Recorder(), {"csp_report_path": "/csp"})(scope, receive, ignore)
    )
    assert sent[0]["status"] == 400 and calls == []


@pytest.mark.parametrize("path", ["/app//embed/x", "/app///embed", "/app/embed//x/"])
def test_path_rules_match_the_canonical_spelling(path: str) -> None:
    config = {"paths": [{"prefix": "/embed", "referrer_policy": "no-referrer"}]}
    scope = http_scope(path, root_path="/app")
    sent = run(SecureHeaders(Recorder(), config), scope)
    assert named(sent, b"referrer-policy") == [b"no-referrer"]


def test_a_path_rule_for_a_non_ascii_prefix_matches_the_utf8_path() -> None:
    config = {"paths": [{"prefix": "/café", "referrer_policy": "no-referrer"}]}
    sent = run(SecureHeaders(Recorder(), config), http_scope("/café/menu"))
    assert named(sent, b"referrer-policy") == [b"no-referrer"]


def test_a_forwarded_value_not_trusted_is_dropped_from_the_scope() -> None:
    app = Recorder()
    headers = [(b"host", b"backend"), (b"x-forwarded-prefix", b"//evil.example")]
    run(SecureHeaders(app, {"trusted_proxies": 1}), http_scope("/a", headers=headers))
    seen = app.scopes[-1]
    assert seen["root_path"] == "" and seen["path"] == "/a"
    assert [n for n, _ in seen["headers"]] == [b"host"]


def test_wrapping_twice_is_refused_at_start_up() -> None:
    from secheaders_wsgi import SecureHeaders as WsgiSecureHeaders

    inner = SecureHeaders(Recorder())
    with pytest.raises(TypeError, match="wrapped in SecureHeaders already"):
        SecureHeaders(inner)
    with pytest.raises(TypeError, match="wrapped in SecureHeaders already"):
        WsgiSecureHeaders(inner)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="wrapped in SecureHeaders already"):
        SecureHeaders(WsgiSecureHeaders(lambda e, s: []))  # type: ignore[arg-type]


def test_quart_asgi_app_replaced_by_one_around_quart_itself_is_named() -> None:
    from quart import Quart

    quart = Quart(__name__)
    quart.asgi_app = SecureHeaders(quart.asgi_app)  # type: ignore[method-assign]
    with pytest.raises(TypeError, match="wrapped in SecureHeaders already"):
        SecureHeaders(quart)


def test_an_app_that_leads_back_to_the_middleware_is_named_on_first_request() -> None:
    class Loop:
        middleware: Any = None

        async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
            await self.middleware(scope, receive, send)

    loop = Loop()
    loop.middleware = SecureHeaders(loop)
    with pytest.raises(TypeError, match="SecureHeaders calls itself"):
        run(loop.middleware, http_scope())


def test_django_middleware_list_gets_the_asgi_advice() -> None:
    from django.core.handlers.exception import convert_exception_to_response

    get_response = convert_exception_to_response(lambda request: None)
    with pytest.raises(
        TypeError,
        match=r"secheaders_wsgi.asgi.SecureHeaders is ASGI middleware, not Django "
        r"middleware: in settings.MIDDLEWARE use 'secheaders_wsgi.django."
        r"SecureHeadersMiddleware'.* or wrap the application in asgi.py",
    ):
        SecureHeaders(get_response)
