"""Start-up: what a config means for every request of a site, built once.

The WSGI and the ASGI middleware (and Django's) hold one :class:`Site` each,
through the core (:mod:`.response`): the top-level plan, the per-path plans,
the trusted proxies, the report receiver and the override variants.
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import Config
from .plan import Plan
from .reports import ReportReceiver
from .request.paths import PrefixTable
from .request.scheme import TrustedProxies
from .variants import Variants

__all__ = ["Site"]


@dataclass(frozen=True)
class Site:
    """The parts of one middleware, computed at start-up."""

    top: Plan
    #: The plans of the ``paths`` rules, and by prefix; ``None``: no rule.
    rules: tuple[Plan, ...]
    paths: PrefixTable[Plan] | None
    #: The trusted proxies' fix; ``None``: none trusted.
    proxies: TrustedProxies | None
    #: Matched exactly: a browser posts to the path as written in report-uri,
    #: and a spelling the receiver does not take goes to the app, which routes it.
    report_path: str | None
    receiver: ReportReceiver | None
    variants: Variants
    #: No proxy or receiver, and no plan decides anything before the app
    #: (https scheme, redirect, cross-origin check): a request's plan is its
    #: path's alone.
    by_path: bool
    #: Whether any plan (the top level, a rule) has a cross-origin check.
    guarded: bool

    @classmethod
    def build(cls, config: Config) -> Site:
        top = Plan.build(config)
        rules = [
            (prefix, Plan.build(rule, f"paths rule {prefix!r}"))
            for prefix, rule in config.paths
        ]
        paths = PrefixTable(rules) if rules else None
        proxies = (
            TrustedProxies(config.trusted_proxies) if config.trusted_proxies else None
        )
        # Site-wide: a rule may not set csp_report_path, so one receiver serves all.
        path = config.csp_report_path
        receiver = ReportReceiver.for_config(config) if path else None
        ruled = tuple(plan for _, plan in rules)
        plans = (top, *ruled)
        return cls(
            top=top,
            rules=ruled,
            paths=paths,
            proxies=proxies,
            report_path=path,
            receiver=receiver,
            variants=Variants(config, top),
            by_path=proxies is None
            and receiver is None
            and not any(plan.before_app for plan in plans),
            guarded=any(plan.guard is not None for plan in plans),
        )
