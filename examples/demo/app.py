"""The demo app: a page that tells the truth about the headers it was served with.

``recorder`` sits outside ``SecureHeaders`` and keeps the final header list in
``environ["demo.headers"]`` when ``start_response`` is called. The page itself
is a generator that calls ``start_response`` first and renders afterwards, so
what it lists is what went to the server, not what the config says should go.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from secheaders_wsgi import ConfigSource, SecureHeaders, csp_nonce, update_csp

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

HERE = Path(__file__).parent
CONFIG = HERE / "security.yaml"
STATIC = {
    "checks.js": "text/javascript; charset=utf-8",
    "demo.css": "text/css; charset=utf-8",
}
HTML = "text/html; charset=utf-8"


def make_app(config: ConfigSource = CONFIG) -> WSGIApplication:
    """The demo page and its static files, wrapped in SecureHeaders."""
    return recorder(SecureHeaders(demo, config))


def recorder(app: WSGIApplication) -> WSGIApplication:
    """Keep the response headers in ``environ["demo.headers"]`` as they go out."""

    def record(environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        def _start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            environ["demo.headers"] = list(headers)
            return start_response(status, headers, exc_info)

        return app(environ, _start_response)

    return record


def demo(environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
    path = environ.get("PATH_INFO", "") or "/"
    name = path.removeprefix("/static/")
    if name in STATIC:
        body = (HERE / "static" / name).read_bytes()
        start_response("200 OK", [("Content-Type", STATIC[name])])
        yield body
        return
    if path == "/favicon.ico":  # keep the browser console free of a 404
        start_response("204 No Content", [])
        return
    if path != "/":
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        yield b"not found\n"
        return
    # The nonce first: the policy leaves with start_response, and must carry it.
    nonce = csp_nonce(environ)
    # The framing check frames this page from itself. A policy that refuses
    # frames (the strict preset's default-src 'none') would block that frame
    # before the framed page's frame-ancestors and X-Frame-Options are asked,
    # and the check would credit them with its own refusal.
    update_csp(environ, {"frame-src": ["'self'"]})
    own = [("Content-Type", HTML), ("Cache-Control", "no-store")]
    start_response("200 OK", own)
    # start_response has run through SecureHeaders and the recorder by now.
    root = environ.get("SCRIPT_NAME", "")
    yield page(root, own, environ["demo.headers"], nonce).encode()


def page(
    root: str, own: list[tuple[str, str]], sent: list[tuple[str, str]], nonce: str
) -> str:
    ours = {name.lower() for name, _ in own}
    rows = "\n".join(
        f"<tr><th>{html.escape(name)}</th><td><code>{html.escape(value)}</code></td>"
        f"<td>{'app' if name.lower() in ours else 'SecureHeaders'}</td></tr>"
        for name, value in sent
    )
    root = html.escape(root, quote=True)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>secheaders_wsgi demo</title>
<link rel="stylesheet" href="{root}/static/demo.css">
<script nonce="{nonce}" src="{root}/static/checks.js"></script>
</head>
<body>
<h1>secheaders_wsgi demo</h1>
<p id="what">This page lists the security headers it was served with, then checks
live in your browser that they hold: every check below should read
<strong>blocked</strong>, except the script that carries this response's nonce,
which <strong>runs</strong>.</p>
<h2>This page was served with these headers</h2>
<table id="headers">
<tr><th>Header</th><th>Value</th><th>Set by</th></tr>
{rows}
</table>
<p>Edit <code>examples/demo/security.yaml</code>, restart, reload.</p>
<h2>Checked live in this browser</h2>
<ul id="checks">
<li>Inline <code>&lt;script&gt;</code> without the nonce, as an injected one:
  <output id="check-inline" data-result="pending">checking&hellip;</output></li>
<li>Inline <code>&lt;script&gt;</code> with this response's nonce:
  <output id="check-nonce" data-result="pending">checking&hellip;</output></li>
<li><code>eval()</code>:
  <output id="check-eval" data-result="pending">checking&hellip;</output></li>
<li>This page framed by its own origin (frame-ancestors, X-Frame-Options; the page
  allows itself <code>frame-src 'self'</code> to try):
  <output id="check-frame" data-result="pending">checking&hellip;</output></li>
<li>Camera for this page (Permissions-Policy):
  <output id="check-camera" data-result="pending">checking&hellip;</output></li>
</ul>
<h2>Violations the browser reported</h2>
<ul id="violations"></ul>
<noscript>The checks need JavaScript.</noscript>
<script nonce="{nonce}">window.demoNoncedRan = true;</script>
<script>window.demoInlineRan = true;</script>
</body>
</html>
"""
