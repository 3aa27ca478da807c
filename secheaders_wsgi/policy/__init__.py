"""Pure functions from a validated :class:`~secheaders_wsgi.config.Config` to headers.

Nothing here sees a request: the middleware calls :func:`headers` at start-up, for
each scheme and rule (and once more with a marker where a nonce goes), and only
copies the results afterwards. :func:`csp_directives` is the
policy as data, for anything that has to extend it per request.

One module per header (or family of headers); this one puts them in their
fixed order.
"""

from __future__ import annotations

from collections.abc import Callable

from ..config import Config
from ..config.csp_keys import REPORT_GROUP
from ..config.csp_policy import csp_directives, report_only_directives
from ..reply import Header
from .clear_site_data import clear_site_data_value
from .csp import (
    CSP,
    CSP_REPORT_ONLY,
    serialize,
    with_nonce,
    with_report,
    without_report,
)
from .frame_options import x_frame_options_value
from .hsts import DEFAULT_HSTS, hsts_value
from .integrity import (
    INTEGRITY_POLICY,
    INTEGRITY_POLICY_REPORT_ONLY,
    endpoints,
    integrity_policy_report_only_value,
    integrity_policy_value,
)
from .isolation import report_only_headers
from .permissions import permissions_policy_value
from .simple import (
    cache_control_value,
    cross_origin_embedder_policy_value,
    cross_origin_opener_policy_value,
    cross_origin_resource_policy_value,
    origin_agent_cluster_value,
    x_dns_prefetch_control_value,
    x_download_options_value,
    x_permitted_cross_domain_policies_value,
)
from .xss import xss_protection_value

__all__ = ["DEFAULT_HSTS", "Header", "csp_directives", "headers"]


def headers(
    config: Config, *, https: bool, nonce: str | None = None, reporting: bool = True
) -> tuple[Header, ...]:
    """The security headers for one response, in a fixed order.

    ``https`` says whether the response goes over HTTPS: Strict-Transport-Security
    is only sent then (RFC 6797 section 7.2). ``nonce``, if given, goes into the
    ``csp_nonce_directives`` of every CSP header as ``'nonce-<nonce>'``, except
    while 'unsafe-inline' is in force (see :func:`with_nonce`). ``reporting``
    false: the policies without report-uri and report-to, for the responses
    ``csp_report_sample_rate`` leaves out.

    >>> from secheaders_wsgi import load_config
    >>> headers(load_config({"csp_header": False}), https=False)
    (('Referrer-Policy', 'strict-origin-when-cross-origin'),)
    """
    result: list[Header] = []
    report = config.report_endpoint if reporting else None
    directives = csp_directives(config)
    if directives is not None and not reporting:
        directives = without_report(directives)
    if directives is not None:
        if nonce is not None and not (config.csp_unsafe_inline or config.debug):
            directives = with_nonce(directives, config.csp_nonce_directives, nonce)
        name = CSP_REPORT_ONLY if config.csp_report_only else CSP
        result.append((name, serialize(with_report(directives, report))))
    trial = report_only_directives(config)
    if trial is not None and not reporting:
        trial = without_report(trial)
    if trial is not None:
        if nonce is not None:
            trial = with_nonce(trial, config.csp_nonce_directives, nonce)
        result.append((CSP_REPORT_ONLY, serialize(with_report(trial, report))))
    if directives is not None:
        result.append(("X-Content-Type-Options", "nosniff"))
    xss = xss_protection_value(config, csp_active=directives is not None)
    if xss is not None:
        result.append(("X-XSS-Protection", xss))
    if isinstance(config.referrer_policy, str):
        result.append(("Referrer-Policy", config.referrer_policy))
    hsts = hsts_value(config)
    if https and hsts is not None:
        result.append(("Strict-Transport-Security", hsts))
    # The integrity policies report there on every response: never sampled.
    endpoint = config.report_endpoint
    trials = report_only_headers(config, report=report is not None)
    reports = report is not None and (
        directives is not None or trial is not None or bool(trials)
    )
    if endpoint is not None and (reports or REPORT_GROUP in endpoints(config)):
        result.append(("Reporting-Endpoints", f'{REPORT_GROUP}="{endpoint}"'))
    _append(result, config, _MORE_HEADERS)
    result += trials
    _append(result, config, _LAST_HEADERS)
    return tuple(result)


def _append(result: list[Header], config: Config, builders: _Builders) -> None:
    for name, builder in builders:
        value = builder(config)
        if value is not None:
            result.append((name, value))


_Builders = tuple[tuple[str, Callable[[Config], "str | None"]], ...]

# The headers after the core set, in this order; None means "no header". The
# report-only twins of COOP and COEP go between the two groups.
_MORE_HEADERS: _Builders = (
    ("Permissions-Policy", permissions_policy_value),
    ("Cross-Origin-Opener-Policy", cross_origin_opener_policy_value),
    ("Cross-Origin-Embedder-Policy", cross_origin_embedder_policy_value),
    ("Cross-Origin-Resource-Policy", cross_origin_resource_policy_value),
)
_LAST_HEADERS: _Builders = (
    ("X-Frame-Options", x_frame_options_value),
    ("Origin-Agent-Cluster", origin_agent_cluster_value),
    ("X-DNS-Prefetch-Control", x_dns_prefetch_control_value),
    ("X-Permitted-Cross-Domain-Policies", x_permitted_cross_domain_policies_value),
    ("X-Download-Options", x_download_options_value),
    (INTEGRITY_POLICY, integrity_policy_value),
    (INTEGRITY_POLICY_REPORT_ONLY, integrity_policy_report_only_value),
    ("Clear-Site-Data", clear_site_data_value),
    ("Cache-Control", cache_control_value),
)
