"""Integrity-Policy and its report-only twin: an RFC 8941 dictionary.

``blocked-destinations=(script style), sources=(inline), endpoints=(csp-endpoint)``:
the browser refuses (or, report-only, reports) a script or stylesheet loaded
without an ``integrity`` attribute. ``endpoints`` names a group of the
Reporting-Endpoints header this package sends (see :mod:`.csp`).
"""

from __future__ import annotations

from ..config import Config, Directive

INTEGRITY_POLICY = "Integrity-Policy"
INTEGRITY_POLICY_REPORT_ONLY = "Integrity-Policy-Report-Only"


def integrity_policy_value(config: Config) -> str | None:
    """The enforced policy, or ``None`` when ``integrity_policy`` is off."""
    return _serialize(config.integrity_policy)


def integrity_policy_report_only_value(config: Config) -> str | None:
    """The report-only policy, or ``None`` when off."""
    return _serialize(config.integrity_policy_report_only)


def endpoints(config: Config) -> tuple[str, ...]:
    """The reporting endpoints both policies name."""
    named: list[str] = []
    for policy in (config.integrity_policy, config.integrity_policy_report_only):
        if isinstance(policy, tuple):
            named += dict(policy).get("endpoints", ())
    return tuple(dict.fromkeys(named))


def _serialize(policy: bool | tuple[Directive, ...]) -> str | None:
    if not isinstance(policy, tuple):
        return None
    # Every member is an inner list of tokens: no quoting needed.
    return ", ".join(f"{name}=({' '.join(tokens)})" for name, tokens in policy)
