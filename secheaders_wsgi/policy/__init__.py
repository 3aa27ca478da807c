"""Pure functions from a validated :class:`~secheaders_wsgi.config.Config` to headers.

Nothing here sees a request: the middleware calls :func:`headers` at start-up, for
each scheme and rule (and once more with a marker where a nonce goes), and only
copies the results afterwards. :func:`csp_directives` is the
policy as data, for anything that has to extend it per request.

One module per header (or family of headers); this one puts them in their
fixed order.
"""

from __future__ import annotations

from ..config import Config
from .csp import (
    CSP,
    CSP_REPORT_ONLY,
    REPORT_GROUP,
    csp_directives,
    report_only_directives,
    serialize,
    with_nonce,
    with_report,
)
from .frame_options import x_frame_options_value
from .hsts import DEFAULT_HSTS, hsts_value
from .permissions import permissions_policy_value
from .simple import (
    cross_origin_embedder_policy_value,
    cross_origin_opener_policy_value,
    cross_origin_resource_policy_value,
    origin_agent_cluster_value,
    x_dns_prefetch_control_value,
    x_permitted_cross_domain_policies_value,
)
from .xss import xss_protection_value

__all__ = ["DEFAULT_HSTS", "Header", "csp_directives", "headers"]

Header = tuple[str, str]


def headers(
    config: Config, *, https: bool, nonce: str | None = None
) -> tuple[Header, ...]:
    """The security headers for one response, in a fixed order.

    ``https`` says whether the response goes over HTTPS: Strict-Transport-Security
    is only sent then (RFC 6797 section 7.2). ``nonce``, if given, goes into the
    ``csp_nonce_directives`` of every CSP header as ``'nonce-<nonce>'``, except
    while 'unsafe-inline' is in force (see :func:`with_nonce`).

    >>> from secheaders_wsgi import load_config
    >>> headers(load_config({"csp_header": False}), https=False)
    (('Referrer-Policy', 'strict-origin-when-cross-origin'),)
    """
    result: list[Header] = []
    report = config.report_endpoint
    directives = csp_directives(config)
    if directives is not None:
        if nonce is not None and not (config.csp_unsafe_inline or config.debug):
            directives = with_nonce(directives, config.csp_nonce_directives, nonce)
        name = CSP_REPORT_ONLY if config.csp_report_only else CSP
        result.append((name, serialize(with_report(directives, report))))
    trial = report_only_directives(config)
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
    if report is not None and (directives is not None or trial is not None):
        result.append(("Reporting-Endpoints", f'{REPORT_GROUP}="{report}"'))
    for name, builder in _MORE_HEADERS:
        value = builder(config)
        if value is not None:
            result.append((name, value))
    return tuple(result)


# The headers after the core set, in this order; None means "no header".
_MORE_HEADERS = (
    ("Permissions-Policy", permissions_policy_value),
    ("Cross-Origin-Opener-Policy", cross_origin_opener_policy_value),
    ("Cross-Origin-Embedder-Policy", cross_origin_embedder_policy_value),
    ("Cross-Origin-Resource-Policy", cross_origin_resource_policy_value),
    ("X-Frame-Options", x_frame_options_value),
    ("Origin-Agent-Cluster", origin_agent_cluster_value),
    ("X-DNS-Prefetch-Control", x_dns_prefetch_control_value),
    ("X-Permitted-Cross-Domain-Policies", x_permitted_cross_domain_policies_value),
)
