"""``audit``: the weaknesses of the header set a config gives, and how to fix each.

Use it before deploying a config, or in CI to gate one:
``python -m secheaders_wsgi audit security.yaml --fail-on high``. It reads only
the headers and the policy the config makes (the same data the middleware
sends); it never sees the application, so it cannot know about headers the app
sets itself.

>>> from secheaders_wsgi import load_config
>>> [finding.rule for finding in audit(load_config({"csp_header": False}))][:1]
['no-csp']

Each rule (:mod:`.rules`) cites its source in a comment: the CSP Level 3 spec (CSP3),
MDN's HTTP header reference, or the OWASP cheat sheets.
"""

from __future__ import annotations

from dataclasses import replace

from ..config import Config
from .rules import RULES, site_wide_changes
from .view import SEVERITIES, Finding, Severity, View

__all__ = ["SEVERITIES", "Finding", "Severity", "at_least", "audit"]


def audit(config: Config) -> tuple[Finding, ...]:
    """The findings for ``config``, most severe first, in a fixed order.

    The header set is the one an HTTPS response gets, so HSTS counts, and the
    policy is judged as written: a per-request nonce is added only where the
    app asks for one and 'unsafe-inline' is off, so it changes no finding.
    Each ``paths`` rule and each of ``overrides:`` (merged onto the top
    level, as a view's ``use_override`` gets it) is audited too; each reports
    only what the top level does not already (the weaker ``/embed/`` rule, not
    the same finding twice), and a rule that changes a header browsers keep
    per site (HSTS, COOP, ...) is named.
    """
    findings = _findings(config)
    known = {(f.rule, f.message) for f in findings}
    top = View.of(config)
    for prefix, rule_config in config.paths:
        findings += [
            replace(f, prefix=prefix)
            for f in (
                *_findings(rule_config),
                *site_wide_changes(top, View.of(rule_config)),
            )
            if (f.rule, f.message) not in known
        ]
    for override in config.overrides:
        findings += [
            replace(f, override=override.name)
            for f in _findings(override.config)
            if (f.rule, f.message) not in known
        ]
    return tuple(sorted(findings, key=lambda f: -SEVERITIES.index(f.severity)))


def _findings(config: Config) -> list[Finding]:
    view = View.of(config)
    return [finding for rule in RULES for finding in rule(view)]


def at_least(findings: tuple[Finding, ...], severity: Severity) -> bool:
    """Whether any finding is ``severity`` or worse (``--fail-on``)."""
    floor = SEVERITIES.index(severity)
    return any(SEVERITIES.index(f.severity) >= floor for f in findings)
