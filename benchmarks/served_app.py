"""The applications that ``served.py`` runs under gunicorn.

``bare`` is the same trivial app as ``overhead.py`` (200, text/html, a small
body); ``limit`` appends the same headers as ``wrapped`` from a precomputed
list, so the cost of sending those bytes is told apart from the middleware's.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# Serve the checkout this file lives in, not whatever is installed.
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from secheaders_wsgi import SecureHeaders, load_config  # noqa: E402
from secheaders_wsgi.policy import headers  # noqa: E402

BODY = b"<!doctype html><title>hi</title><p>Hello, world.</p>\n"
HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("Content-Length", str(len(BODY))),
]


def bare(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", list(HEADERS))
    return [BODY]


wrapped = SecureHeaders(bare)

_OURS = list(headers(load_config(), https=False))


def limit(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    def _start_response(status: str, app_headers: Any, exc_info: Any = None) -> Any:
        return start_response(status, app_headers + _OURS, exc_info)

    return bare(environ, _start_response)
