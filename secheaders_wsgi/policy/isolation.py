"""Cross-Origin-Opener-Policy and -Embedder-Policy as report-only trials.

``cross_origin_embedder_policy_report_only: require-corp`` sends
``Cross-Origin-Embedder-Policy-Report-Only: require-corp; report-to="csp-endpoint"``:
the browser blocks nothing and reports what the enforced header would block,
to the Reporting-Endpoints group the CSP reports to (one endpoint, one
mechanism), so that a COEP such as the strict preset's can be tried first.
Each value is an RFC 8941 item: the token, and ``report-to`` as a string
parameter naming the group (HTML, "Cross-origin opener policies" and
"Cross-origin embedder policies").
"""

from __future__ import annotations

from ..config import Config
from ..config.csp_keys import REPORT_GROUP

COOP_REPORT_ONLY = "Cross-Origin-Opener-Policy-Report-Only"
COEP_REPORT_ONLY = "Cross-Origin-Embedder-Policy-Report-Only"


def report_only_headers(config: Config, *, report: bool) -> tuple[tuple[str, str], ...]:
    """The report-only headers that are on, naming the group when ``report``.

    ``report`` is false without a report endpoint, and on the responses
    ``csp_report_sample_rate`` leaves out: the header then still shows its
    violations in the browser's console, and sends no report.

    >>> from secheaders_wsgi import load_config
    >>> coop = {"cross_origin_opener_policy_report_only": "same-origin"}
    >>> trial = load_config({**coop, "csp_report_path": "/r"})
    >>> dict(report_only_headers(trial, report=True))
    {'Cross-Origin-Opener-Policy-Report-Only': 'same-origin; report-to="csp-endpoint"'}
    """
    settings = (
        (COOP_REPORT_ONLY, config.cross_origin_opener_policy_report_only),
        (COEP_REPORT_ONLY, config.cross_origin_embedder_policy_report_only),
    )
    suffix = f'; report-to="{REPORT_GROUP}"' if report else ""
    return tuple(
        (name, token + suffix) for name, token in settings if isinstance(token, str)
    )
