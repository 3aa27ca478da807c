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
    #: The plans of the ``paths`` rules by prefix; ``None``: no rule.
    paths: PrefixTable[Plan] | None
    #: The trusted proxies' fix; ``None``: none trusted.
    proxies: TrustedProxies | None
    #: Matched exactly: a browser posts to the path as written in report-uri,
    #: and a spelling the receiver does not take goes to the app, which routes it.
    report_path: str | None
    receiver: ReportReceiver | None
    variants: Variants
    #: Nothing to decide before the app runs (no proxy, receiver, rule,
    #: redirect, cross-origin check or server_secured): most sites, one test
    #: per request.
    direct: bool
    #: Whether any plan (the top level, a rule) has a cross-origin check.
    guarded: bool
    #: Methods for which nothing is decided before the app either, when the
    #: top level's cross-origin check is all there is (its safe methods).
    direct_methods: frozenset[str]

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
        routed = paths is not None or proxies is not None or receiver is not None
        only_guard = (
            not routed
            and top.http.redirect is None
            and not top.secured
            and top.guard is not None
        )
        return cls(
            top=top,
            paths=paths,
            proxies=proxies,
            report_path=path,
            receiver=receiver,
            variants=Variants(config, top),
            direct=(
                not routed
                and top.http.redirect is None
                and top.guard is None
                and not top.secured
            ),
            guarded=any(plan.guard is not None for _, plan in [("", top), *rules]),
            direct_methods=top.guard.passes
            if only_guard and top.guard is not None
            else frozenset(),
        )
