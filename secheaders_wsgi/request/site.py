"""What a config means for every request of a site, built once for either adapter.

The WSGI and the ASGI middleware hold the same parts: the top-level plan, the
per-path plans, the trusted-proxy fix, the report receiver and the class of
their per-response states. Each adapter wraps a :class:`~secheaders_wsgi.plan.Plan`
in what its request path reads (``wrap``); the rest is the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from ..config import Config
from ..overrides import OverridePlans
from ..plan import Plan
from ..reports import ReportReceiver
from .paths import PrefixTable
from .response import ResponseState
from .scheme import trusted_proxies

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = ["Site"]

P = TypeVar("P")


@dataclass(frozen=True)
class Site(Generic[P]):
    """The parts of one middleware, computed at start-up."""

    plan: P
    #: The class of this middleware's per-response states.
    state: type[ResponseState]
    #: The plans of the ``paths`` rules by prefix; ``None``: no rule.
    paths: PrefixTable[P] | None
    #: Fixes the environ from the trusted proxies' values; ``None``: none trusted.
    proxies: Callable[[WSGIEnvironment], None] | None
    #: Matched exactly: a browser posts to the path as written in report-uri,
    #: and a spelling the receiver does not take goes to the app, which routes it.
    report_path: str | None
    receiver: ReportReceiver | None
    #: Most sites use no rule, proxy, receiver or redirect: one test per
    #: request instead of four.
    plain: bool

    @classmethod
    def build(cls, config: Config, wrap: Callable[[Plan], P]) -> Site[P]:
        top = Plan.build(config)
        paths = (
            PrefixTable(
                (prefix, wrap(Plan.build(rule))) for prefix, rule in config.paths
            )
            if config.paths
            else None
        )
        proxies = (
            trusted_proxies(config.trusted_proxies) if config.trusted_proxies else None
        )
        # Site-wide: a rule may not set csp_report_path, so one receiver serves all.
        path = config.csp_report_path
        receiver = ReportReceiver.for_config(config) if path else None
        return cls(
            plan=wrap(top),
            state=ResponseState.for_plans(OverridePlans(config, top), top),
            paths=paths,
            proxies=proxies,
            report_path=path,
            receiver=receiver,
            plain=(
                paths is None
                and proxies is None
                and receiver is None
                and top.http.redirect is None
            ),
        )
