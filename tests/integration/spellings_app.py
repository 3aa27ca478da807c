"""A Flask app with per-path rules, for the path-spelling tests on real servers.

``/admin`` (and below) is strict, ``/embed/`` may be framed, ``/café/`` (a
non-ASCII prefix) has its own referrer policy. Each view answers with its name
and argument, so a test can tell which view a spelling reached.
"""

from __future__ import annotations

from typing import Any

import flask

from secheaders_wsgi import SecureHeaders

RULES: dict[str, Any] = {
    "csp_frame_ancestors": False,
    "referrer_policy": "strict-origin-when-cross-origin",
    "paths": [
        {
            "prefix": "/admin/",
            "x_frame_options": "DENY",
            "referrer_policy": "no-referrer",
        },
        {"prefix": "/embed/", "csp_frame_ancestors": ["https://partner.example"]},
        {"prefix": "/café/", "referrer_policy": "same-origin"},
    ],
}

flask_app = flask.Flask(__name__)


@flask_app.route("/admin")
def admin() -> str:
    return "admin"


@flask_app.route("/admin/<path:rest>")
def admin_below(rest: str) -> str:
    return f"admin:{rest}"


@flask_app.route("/embed/<path:rest>")
def embed(rest: str) -> str:
    return f"embed:{rest}"


@flask_app.route("/café/<path:rest>")
def cafe(rest: str) -> str:
    return f"cafe:{rest}"


@flask_app.route("/<path:rest>")
def other(rest: str) -> str:
    return f"other:{rest}"


flask_app.wsgi_app = SecureHeaders(flask_app.wsgi_app, RULES)  # type: ignore[method-assign]
app = flask_app
