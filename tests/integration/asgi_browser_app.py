"""The page the ASGI browser tests load under uvicorn: a Starlette app behind the
ASGI SecureHeaders, one inline script without the nonce and one with it.

``/`` refuses every framer; ``/framable/`` lets any http origin on 127.0.0.1
frame it, the control that shows the refusal is the policy's doing.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from secheaders_wsgi import csp_nonce
from secheaders_wsgi.asgi import SecureHeaders

CONFIG = {
    "csp_unsafe_inline": False,
    "csp_unsafe_eval": False,
    "csp_frame_ancestors": False,
    "paths": [{"prefix": "/framable/", "csp_frame_ancestors": ["http://127.0.0.1:*"]}],
}


async def page(request: Request) -> HTMLResponse:
    nonce = csp_nonce(request.scope)
    return HTMLResponse(
        f"""<!doctype html><title>asgi</title>
<script>window.inlineRan = true;</script>
<script nonce="{nonce}">
  window.nonceRan = true;
  if (window.parent !== window) parent.postMessage("secheaders-demo:framed", "*");
</script>
"""
    )


app = SecureHeaders(
    Starlette(routes=[Route("/", page), Route("/framable/", page)]), CONFIG
)
