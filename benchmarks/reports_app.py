"""The applications that ``reports.py`` runs under gunicorn.

``bare`` answers 204 to the report POST without reading it: what the server
costs. ``sqlite`` is the receiver with the SQLite sink and a rate limit no load
here reaches, so every report is parsed, normalized and stored; ``bounded`` is
the same with the default bounds (50 new reports a second), as under a flood.
``REPORTS_DIR`` is where the SQLite files go.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from secheaders_wsgi import SecureHeaders

PATH = "/_/csp-reports"
_DIR = Path(os.environ.get("REPORTS_DIR", "."))


def bare(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    if environ.get("PATH_INFO") == PATH:
        start_response("204 No Content", [])
        return []
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def _receiver(name: str, **config: Any) -> Any:
    sink = {"sqlite": str(_DIR / f"{name}.db")}
    return SecureHeaders(bare, {"csp_report_path": PATH, "report_sink": sink, **config})


def __getattr__(name: str) -> Any:
    # Built on demand: each gunicorn imports the module for one app only.
    if name == "sqlite":
        return _receiver(name, report_rate=10_000)
    if name == "bounded":
        return _receiver(name)
    raise AttributeError(name)
