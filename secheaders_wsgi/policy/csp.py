"""Content-Security-Policy and its report-only twin, as text.

The policy as ``(directive, sources)`` pairs comes from the config
(:mod:`secheaders_wsgi.config.csp_policy`); here the per-request nonce
(:func:`with_nonce`) and the report endpoint (:func:`with_report`) are added
before :func:`serialize` writes the header.
"""

from __future__ import annotations

from ..config import Directive
from ..config.csp_grammar import effective
from ..config.csp_keys import REPORT_GROUP

__all__ = [
    "CSP",
    "CSP_REPORT_ONLY",
    "serialize",
    "with_nonce",
    "with_report",
    "without_report",
]

CSP = "Content-Security-Policy"
CSP_REPORT_ONLY = "Content-Security-Policy-Report-Only"


def serialize(directives: tuple[Directive, ...]) -> str:
    """``default-src 'self'; upgrade-insecure-requests`` from the pairs."""
    return "; ".join(" ".join((name, *sources)) for name, sources in directives)


def with_nonce(
    directives: tuple[Directive, ...], names: tuple[str, ...], nonce: str
) -> tuple[Directive, ...]:
    """``directives`` with ``'nonce-<nonce>'`` added to each of ``names``.

    A directive the policy lacks is derived from its fallback (``script-src``
    from ``default-src``), so the nonce restricts nothing that was allowed;
    with no fallback either, it is left out: the policy does not restrict that
    type at all. A directive holding ``'unsafe-inline'`` gets no nonce:
    browsers ignore ``'unsafe-inline'`` once a nonce is present, which would
    break the page. ``'none'`` is dropped beside the nonce.
    """
    policy = dict(directives)
    source = f"'nonce-{nonce}'"
    for name in names:
        base = effective(policy, name)
        if base is None or "'unsafe-inline'" in base:
            continue
        policy[name] = tuple(s for s in base if s != "'none'") + (source,)
    return tuple(policy.items())


def with_report(
    directives: tuple[Directive, ...], uri: str | None
) -> tuple[Directive, ...]:
    # report-uri for browsers without the Reporting API (Firefox, Safari),
    # report-to for those with it; those that know both use report-to.
    if uri is None:
        return directives
    return (*directives, ("report-uri", (uri,)), ("report-to", (REPORT_GROUP,)))


def without_report(directives: tuple[Directive, ...]) -> tuple[Directive, ...]:
    """``directives`` without report-uri and report-to, however they got there."""
    return tuple(d for d in directives if d[0] not in ("report-uri", "report-to"))
