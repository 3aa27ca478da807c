"""A plain app with the report receiver at ``/_/csp-reports``, for the servers'
own handling of report bodies without Content-Length."""

from __future__ import annotations

from secheaders_wsgi import SecureHeaders
from tests.support import RecordingApp

app = SecureHeaders(RecordingApp(), {"csp_report_path": "/_/csp-reports"})
