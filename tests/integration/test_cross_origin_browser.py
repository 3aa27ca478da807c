"""``cross_origin`` seen by headless Chromium, on both adapters (issue 23).

The site is one small app that records every request it answers, in both
shapes: as a WSGI app under waitress through the WSGI ``SecureHeaders``, and
as an ASGI app under uvicorn through the ASGI ``SecureHeaders``. Every test
runs on both, but the WebSocket one (WSGI has no WebSockets).

The other site (``cross_origin_support``) is ``http://localhost:PORT``, a
cross-site origin; its page makes the requests in the browser: a form it
builds and submits, an ``<img>``, ``fetch()``, a link the user clicks. The
same form from ``127.0.0.1`` on another port (``same-site``) is refused too:
``csrf`` mode trusts no sibling. What was refused is read from the
``secheaders.cross_origin`` log, since a page learns no status for a refused
``<img>`` or a failed CORS request.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

import pytest

from secheaders_wsgi import SecureHeaders
from secheaders_wsgi.asgi import SecureHeaders as AsgiSecureHeaders
from tests.integration import cross_origin_support, test_browser
from tests.integration.cross_origin_support import REFUSED, post_form, refusals
from tests.integration.rollout_capture import PNG

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from playwright.sync_api import Page

FORM = b"""<!doctype html><title>order</title>
<form method="post" action="/submit">
  <input name="item" value="book"><button id="order">Order</button>
</form>"""
# /public/ is a CORS API other sites call on purpose: exempt, in every mode.
PUBLIC = {"prefix": "/public/", "cross_origin": False}
CONFIGS: dict[str, dict[str, Any]] = {
    "csrf": {"cross_origin": {"mode": "csrf"}, "paths": [PUBLIC]},
    "isolation": {"cross_origin": {"mode": "isolation"}, "paths": [PUBLIC]},
    "report-only": {"cross_origin": {"mode": "csrf", "report_only": True}},
}
Headers = list[tuple[str, str]]


@dataclass
class Site:
    """The app: an order form, its target, a small API; records each call.

    :meth:`answer` is the app; :meth:`wsgi` and :meth:`asgi` only carry it.
    (Not asgiref's ``WsgiToAsgi``: under uvicorn in a thread its executor
    breaks, django/asgiref#491.)
    """

    calls: list[tuple[str, str]] = field(default_factory=list)

    def answer(self, method: str, path: str, body: bytes) -> tuple[int, Headers, bytes]:
        self.calls.append((method, path))
        # A CORS API any site may call, with JSON: its preflight says so.
        cors = [("Access-Control-Allow-Origin", "*")]
        if method == "OPTIONS":
            return 204, [*cors, ("Access-Control-Allow-Methods", "POST"),
                         ("Access-Control-Allow-Headers", "Content-Type")], b""  # fmt: skip
        if path.endswith(".png"):
            return 200, [("Content-Type", "image/png")], PNG
        if path.startswith(("/api/", "/public/")):
            sent = json.loads(body or b"{}")
            echo = json.dumps({"path": path, "sent": sent}).encode()
            return 200, [("Content-Type", "application/json"), *cors], echo
        html = [("Content-Type", "text/html; charset=utf-8")]
        if path == "/submit" and method == "POST":
            item = parse_qs(body.decode())["item"][0]
            return 200, html, f'<p id="done">ordered {item}</p>'.encode()
        return 200, html, FORM if path == "/form" else b'<p id="landed">landed</p>'

    def wsgi(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        status, headers, content = self.answer(
            environ["REQUEST_METHOD"], environ["PATH_INFO"], body
        )
        start_response(f"{status} {HTTPStatus(status).phrase}", headers)
        return [content]

    async def asgi(self, scope: Any, receive: Any, send: Any) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        status, headers, content = self.answer(scope["method"], scope["path"], body)
        raw = [(name.lower().encode(), value.encode()) for name, value in headers]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": content})

    def saw(self, method: str, path: str) -> bool:
        return (method, path) in self.calls


@contextmanager
def uvicorn_server(app: Any) -> Iterator[str]:
    """Serve the ASGI ``app`` with uvicorn, in a thread of this process (so the
    app's calls and the log lines are seen here); yields its origin."""
    import uvicorn

    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None,
                            access_log=False, lifespan="off")  # fmt: skip
    server = uvicorn.Server(config)
    # Off the main thread uvicorn installs no signal handlers.
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):  # at most ~10 s
            if server.started:
                break
            thread.join(0.05)
        assert server.started, "uvicorn did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Served:
    origin: str
    site: Site
    #: The name of its config in :data:`CONFIGS`.
    config: str


@pytest.fixture(params=["wsgi", "asgi"])
def serve_site(
    request: pytest.FixtureRequest, serve: Callable[[WSGIApplication], str]
) -> Iterator[Callable[[str], Served]]:
    """Serve a fresh :class:`Site` under one of :data:`CONFIGS`, on the adapter
    of the test's parameter: waitress (WSGI) or uvicorn (ASGI)."""
    with ExitStack() as stack:

        def start(name: str) -> Served:
            site = Site()
            if request.param == "wsgi":
                origin = serve(SecureHeaders(site.wsgi, CONFIGS[name]))
            else:
                app = AsgiSecureHeaders(site.asgi, CONFIGS[name])
                origin = stack.enter_context(uvicorn_server(app))
            return Served(origin, site, name)

        yield start


@pytest.fixture(params=["csrf", "isolation"])
def either_mode(serve_site: Callable[[str], Served], request: Any) -> Served:
    """The site in ``csrf`` mode, then in ``isolation`` mode."""
    return serve_site(request.param)


# The session's Chromium, a fresh page; the other site's origin.
page = test_browser.page
other = cross_origin_support.other

# -- what the other site's page does ---------------------------------------

IMAGE = """(src) => new Promise((done) => {
  const img = new Image();
  img.onload = () => done("loaded");
  img.onerror = () => done("failed");
  img.src = src;
})"""
FETCH = """async ([url, init]) => {
  try {
    const response = await fetch(url, init);
    return response.status + " " + (await response.text());
  } catch (error) {
    return "failed";
  }
}"""
LINK = """(href) => {
  const link = document.createElement("a");
  link.href = href;
  link.id = "go";
  link.textContent = "go";
  document.body.append(link);
}"""


@pytest.fixture(autouse=True)
def _logged(caplog: pytest.LogCaptureFixture) -> None:
    # The server threads log here too (uvicorn runs in this process).
    caplog.set_level(logging.WARNING, logger="secheaders.cross_origin")


# -- csrf mode: forms -------------------------------------------------------


@pytest.mark.parametrize(
    "spelling",
    [
        pytest.param("localhost", id="cross-site"),
        pytest.param("127.0.0.1", id="same-site"),
    ],
)
def test_a_form_another_origin_posts_is_refused_before_the_app(
    page: Page,
    serve_site: Callable[[str], Served],
    other: str,
    spelling: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    served = serve_site("csrf")
    page.goto(other.replace("localhost", spelling) + "/")
    status, text = post_form(page, f"{served.origin}/submit", {"item": "stolen"})
    assert status == 403
    assert text.startswith(REFUSED)
    assert not served.site.saw("POST", "/submit")
    [line] = refusals(caplog.records)
    assert line["disposition"] == "enforce"
    site = "cross-site" if spelling == "localhost" else "same-site"
    assert (line["sec_fetch_site"], line["path"]) == (site, "/submit")


def test_the_same_form_from_the_sites_own_page_works(
    page: Page, serve_site: Callable[[str], Served]
) -> None:
    served = serve_site("csrf")
    page.goto(f"{served.origin}/form")
    with page.expect_navigation():
        page.click("#order")
    assert page.inner_text("#done") == "ordered book"
    assert served.site.saw("POST", "/submit")


def test_report_only_lets_the_post_through_and_logs_one_line(
    page: Page,
    serve_site: Callable[[str], Served],
    other: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    served = serve_site("report-only")
    page.goto(f"{other}/")
    status, text = post_form(page, f"{served.origin}/submit", {"item": "logged"})
    assert (status, text) == (200, "ordered logged")
    assert served.site.saw("POST", "/submit")
    [line] = refusals(caplog.records)
    assert line["disposition"] == "report"
    assert line["reason"] == "sec-fetch-site"
    assert (line["method"], line["path"]) == ("POST", "/submit")
    assert (line["sec_fetch_site"], line["origin"]) == ("cross-site", other)


# -- subresources: isolation refuses them, csrf lets them through ------------


def test_another_sites_img_and_fetch_of_the_api(
    page: Page, either_mode: Served, other: str, caplog: pytest.LogCaptureFixture
) -> None:
    served = either_mode
    image, api = f"{served.origin}/api/pixel.png", f"{served.origin}/api/items"
    page.goto(f"{other}/")
    loaded = page.evaluate(IMAGE, image)
    fetched = page.evaluate(FETCH, [api, {"mode": "cors"}])
    if served.config == "csrf":
        assert loaded == "loaded"
        assert fetched == '200 {"path": "/api/items", "sent": {}}'
        assert served.site.saw("GET", "/api/pixel.png")
        assert served.site.saw("GET", "/api/items")
        assert refusals(caplog.records) == []
    else:
        assert (loaded, fetched) == ("failed", "failed")
        assert served.site.calls == []
        assert [
            (r["path"], r["reason"], r["sec_fetch_dest"])
            for r in refusals(caplog.records)
        ] == [
            ("/api/pixel.png", "cross-site-subresource", "image"),
            ("/api/items", "cross-site-subresource", "empty"),
        ]
        # The site's own page still loads both: the refusal is the origin's.
        page.goto(f"{served.origin}/form")
        assert page.evaluate(IMAGE, "/api/pixel.png") == "loaded"
        assert page.evaluate(FETCH, ["/api/items", {}]).startswith("200 ")


def test_a_link_from_another_site_opens_the_page(
    page: Page, either_mode: Served, other: str
) -> None:
    served = either_mode
    page.goto(f"{other}/")
    page.evaluate(LINK, f"{served.origin}/welcome")
    with page.expect_navigation() as navigation:
        page.click("#go")
    response = navigation.value
    assert response is not None and response.status == 200
    assert page.inner_text("#landed") == "landed"
    assert served.site.saw("GET", "/welcome")


EMBED = """([origin, tag, attribute]) => {
  const element = document.createElement(tag);
  element[attribute] = origin + "/" + tag;
  if (tag !== "iframe") element.type = "text/html";
  document.body.append(element);
}"""


def test_isolation_lets_another_sites_iframe_load_the_page_and_not_object_or_embed(
    page: Page,
    serve_site: Callable[[str], Served],
    other: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    served = serve_site("isolation")
    page.goto(f"{other}/")
    for tag, attribute in (("iframe", "src"), ("object", "data"), ("embed", "src")):
        page.evaluate(EMBED, [served.origin, tag, attribute])
    for _ in range(100):  # the three requests, at most ~5 s
        if len(served.site.calls) + len(refusals(caplog.records)) >= 3:
            break
        page.wait_for_timeout(50)
    # Each is a navigation (Sec-Fetch-Mode: navigate); web.dev's policy lets
    # frames through and refuses <object> and <embed>, which load the page
    # as a subresource.
    assert served.site.calls == [("GET", "/iframe")]
    refused = sorted((r["path"], r["sec_fetch_mode"]) for r in refusals(caplog.records))
    assert refused == [("/embed", "navigate"), ("/object", "navigate")]


# -- an exempt path: a CORS API other sites call on purpose ------------------


def test_a_cors_post_to_the_exempt_path_works_and_elsewhere_is_refused(
    page: Page, either_mode: Served, other: str, caplog: pytest.LogCaptureFixture
) -> None:
    served = either_mode
    page.goto(f"{other}/")
    init = {"method": "POST", "mode": "cors", "body": '{"n": 1}',
            "headers": {"Content-Type": "application/json"}}  # fmt: skip
    exempt = page.evaluate(FETCH, [f"{served.origin}/public/echo", init])
    assert exempt == '200 {"path": "/public/echo", "sent": {"n": 1}}'
    assert served.site.saw("OPTIONS", "/public/echo")  # the preflight
    assert served.site.saw("POST", "/public/echo")
    assert refusals(caplog.records) == []
    # The control: the same call to a path no rule exempts. csrf mode lets
    # the preflight (OPTIONS, a safe method) through and refuses the POST;
    # isolation mode refuses the preflight already.
    assert page.evaluate(FETCH, [f"{served.origin}/api/echo", init]) == "failed"
    assert not served.site.saw("POST", "/api/echo")
    csrf = served.config == "csrf"
    refused = "POST" if csrf else "OPTIONS"
    assert [(r["method"], r["path"]) for r in refusals(caplog.records)] == [
        (refused, "/api/echo")
    ]
    assert served.site.saw("OPTIONS", "/api/echo") == csrf


# -- WebSockets: checked by Origin --------------------------------------------

SOCKET = """(url) => new Promise((done) => {
  const socket = new WebSocket(url);
  socket.onmessage = (event) => done("read " + event.data);
  socket.onerror = () => done("failed");
})"""


def _socket_app(handshakes: list[dict[bytes, bytes]]) -> Any:
    async def sockets(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":  # the site's own page, to open it from
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/html")]})  # fmt: skip
            await send({"type": "http.response.body", "body": b"<p>home</p>"})
            return
        assert scope["type"] == "websocket"
        handshakes.append(dict(scope["headers"]))
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        await send({"type": "websocket.send", "text": "private"})
        await send({"type": "websocket.close"})

    return sockets


@pytest.mark.parametrize("mode", ["csrf", "isolation"])
def test_a_cross_site_websocket_is_refused_and_the_sites_own_opens(
    page: Page, other: str, caplog: pytest.LogCaptureFixture, mode: str
) -> None:
    """Chromium sends no ``Sec-Fetch-*`` on a WebSocket handshake, only
    ``Origin``: another site's page is refused by it (cross-site WebSocket
    hijacking), in both modes, before the app accepts the socket."""
    handshakes: list[dict[bytes, bytes]] = []
    app = AsgiSecureHeaders(_socket_app(handshakes), CONFIGS[mode])
    with uvicorn_server(app) as origin:
        socket = origin.replace("http:", "ws:") + "/socket"
        page.goto(f"{other}/")
        assert page.evaluate(SOCKET, socket) == "failed"
        assert handshakes == []
        page.goto(f"{origin}/")
        assert page.evaluate(SOCKET, socket) == "read private"
    [handshake] = handshakes
    assert handshake[b"origin"] == origin.encode()
    assert [(r["method"], r["path"]) for r in refusals(caplog.records)] == [
        ("GET", "/socket")
    ]
