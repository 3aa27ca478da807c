"""The report receiver with the SQLite sink, for the flood test.

``REPORTS_DB`` names the file; ``REPORTS_RATE`` the per-process rate. ``app``
is built when gunicorn asks for it, so importing the module (pytest collects
it) opens no file.
"""

from __future__ import annotations

import os
from typing import Any

from secheaders_wsgi import SecureHeaders
from tests.support import never_called


def __getattr__(name: str) -> Any:
    if name != "app":
        raise AttributeError(name)
    return SecureHeaders(
        never_called,  # the flood only reaches the receiver
        {
            "csp_report_path": "/_/csp-reports",
            "report_sink": {"sqlite": {"path": os.environ["REPORTS_DB"], "max_mb": 8}},
            "report_rate": float(os.environ.get("REPORTS_RATE", "50")),
        },
    )
