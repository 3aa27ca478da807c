"""Start-up and first use: the plans of named overrides, and changed sides.

A named override costs no policy building per request: its plan on the top
level is built at start-up, its plan on a path rule (or on another override)
once, on first use, and kept. A response's own CSP change or omission makes a
derived :class:`~secheaders_wsgi.plan.Side` (:meth:`Side.derived`), kept too,
so a view that makes the same change on every request pays a dictionary
lookup.

Every cache is keyed by the objects themselves, never by ``id()``: a key
holds its plan or side alive, so no entry can answer for another object that
took a freed one's address. Past :data:`CACHE_LIMIT` entries the oldest goes.
"""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

from .config import Config
from .config.overrides import apply
from .errors import ConfigError, did_you_mean, shown
from .plan import Plan, Side
from .policy.csp_edit import CspEdit

__all__ = ["CACHE_LIMIT", "Variants"]

#: Entries a cache keeps. Views that compute their changes per request (a
#: tenant's own origin) could make a new key every time: past this many, the
#: oldest entry goes, so memory stays bounded whatever the requests.
CACHE_LIMIT = 1024

K = TypeVar("K")
V = TypeVar("V")


class _Bounded(Generic[K, V]):
    """A dict that drops its oldest entry past ``limit`` (first in, first out)."""

    def __init__(self) -> None:
        self._items: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        return self._items.get(key)

    def put(self, key: K, value: V) -> None:
        items = self._items
        if len(items) >= CACHE_LIMIT:
            try:
                items.pop(next(iter(items)), None)
            except (RuntimeError, StopIteration):
                pass  # another thread changed it between the two steps
        items[key] = value

    def __len__(self) -> int:
        return len(self._items)


class Variants:
    """The plans of ``overrides:`` on each base plan, and the derived sides."""

    def __init__(self, config: Config, top: Plan) -> None:
        self._overrides = {override.name: override for override in config.overrides}
        self.names = tuple(self._overrides)
        self._lock = threading.Lock()
        #: The top level's overrides, built now and never dropped: the plan
        #: of ``(top, name)`` for a name that is configured.
        self.fixed: dict[tuple[Plan, str], Plan] = {
            (top, o.name): Plan.build(o.config, f"overrides.{o.name}")
            for o in config.overrides
        }
        self._plans: _Bounded[tuple[Plan, str], Plan] = _Bounded()
        # No lock: two threads that race build equal sides, and either is kept.
        self._sides: _Bounded[tuple[Side, tuple[CspEdit, ...], frozenset[str]], Side]
        self._sides = _Bounded()

    def check(self, name: object) -> str:
        """``name`` if it is a configured override, else a ConfigError."""
        if name.__class__ is str and name in self._overrides:
            return name
        allowed = ", ".join(self.names) if self.names else "none are configured"
        hint = did_you_mean(name, self.names) if isinstance(name, str) else ""
        raise ConfigError(
            f"use_override: {shown(name)} is not a named override (allowed: "
            f"{allowed}; add it to the config's overrides:){hint}"
        )

    def plan(self, base: Plan, name: str) -> Plan:
        """``base`` with the override ``name`` merged on; built once and kept.

        A stack of overrides is one call per name, each on the plan before:
        the cost of a call does not grow with the calls before it.
        """
        key = (base, name)
        plan = self.fixed.get(key) or self._plans.get(key)
        if plan is not None:
            return plan
        with self._lock:
            plan = self._plans.get(key)
            if plan is None:
                config = apply(
                    base.config,
                    self._overrides[name],
                    f"overrides.{name} after {base.where}: ",
                )
                plan = Plan.build(config, f"{base.where}, then overrides.{name}")
                self._plans.put(key, plan)
        return plan

    def side(
        self, side: Side, edits: tuple[CspEdit, ...], omit: frozenset[str]
    ) -> Side:
        """``side`` with ``edits`` and ``omit`` applied; built once and kept."""
        key = (side, edits, omit)
        derived = self._sides.get(key)
        if derived is None:
            derived = side.derived(edits, omit)
            self._sides.put(key, derived)
        return derived
