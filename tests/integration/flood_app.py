"""The report receiver with the SQLite sink, for the flood test and benchmark.

``REPORTS_DB`` names the file; ``REPORTS_RATE`` the per-process rate.
"""

from __future__ import annotations

import os

from secheaders_wsgi import SecureHeaders
from tests.support import never_called

app = SecureHeaders(
    never_called,  # the flood only reaches the receiver
    {
        "csp_report_path": "/_/csp-reports",
        "report_sink": {"sqlite": {"path": os.environ["REPORTS_DB"], "max_mb": 8}},
        "report_rate": float(os.environ.get("REPORTS_RATE", "50")),
    },
)
