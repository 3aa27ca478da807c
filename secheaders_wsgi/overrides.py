"""Per-response changes: the plans of named overrides, and a changed CSP.

A named override costs no policy building per request: its plan on the top
level is built at start-up, its plan on a path rule (or a stack of overrides)
once, on first use, and cached. A ``csp_update`` / ``csp_replace`` rebuilds
only the header it changes (and X-Frame-Options when it follows a changed
frame-ancestors), from the policy as data the plan keeps (:class:`.CspParts`).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from .config import Config, Directive, Sources
from .config.csp_grammar import BARE_DIRECTIVES, SAFE_SRC, effective
from .config.overrides import Change, apply
from .errors import ConfigError, did_you_mean
from .plan import Plan, Side
from .policy import Header
from .policy.csp import serialize, with_nonce, with_report

__all__ = ["CspEdit", "OverridePlans", "changed_headers"]

#: One csp_update / csp_replace call: (report_only, replace, directives).
CspEdit = tuple[bool, bool, Change]


class OverridePlans:
    """The plans of ``overrides:`` on each base plan (top level, path rules)."""

    def __init__(self, config: Config, top: Plan) -> None:
        self._overrides = {override.name: override for override in config.overrides}
        self.names = tuple(self._overrides)
        self._lock = threading.Lock()
        # Keyed by the base plan's id: the middleware keeps every base plan
        # alive as long as itself, so an id is never reused under it.
        self._cache: dict[tuple[int, tuple[str, ...]], Plan] = {
            (id(top), (o.name,)): Plan.build(o.config) for o in config.overrides
        }

    def check(self, name: object) -> str:
        """``name`` if it is a configured override, else a ConfigError."""
        if isinstance(name, str) and name in self._overrides:
            return name
        allowed = ", ".join(self.names) if self.names else "none are configured"
        hint = did_you_mean(name, self.names) if isinstance(name, str) else ""
        raise ConfigError(
            f"use_override: {name!r} is not a named override (allowed: "
            f"{allowed}; add it to the config's overrides:).{hint}"
        )

    def plan(self, base: Plan, names: Sequence[str]) -> Plan:
        """``base`` with the overrides ``names`` merged on, in order; cached."""
        # Using one override twice is using it once, at its last place: this
        # keeps the cache as small as the set of distinct stacks.
        stack = tuple(reversed(dict.fromkeys(reversed(names))))
        key = (id(base), stack)
        plan = self._cache.get(key)
        if plan is None:
            with self._lock:
                plan = self._cache.get(key)
                if plan is None:
                    config = base.config
                    for name in stack:
                        where = f"overrides.{name} after {', '.join(stack)}: "
                        config = apply(config, self._overrides[name], where)
                    plan = self._cache[key] = Plan.build(config)
        return plan


def changed_headers(
    side: Side, edits: Sequence[CspEdit], nonce: str | None, hidden: set[str]
) -> tuple[Header, ...]:
    """``side``'s headers with ``edits`` applied to its policies, then the nonce.

    ``hidden``: lower-cased names whose header of ours does not go out (the
    app set it, or omit_headers): a nonce only there needs no Cache-Control.
    """
    parts = side.csp
    ours = list(side.headers)
    template = side.nonce_template
    if nonce is not None and template is not None:
        ours = [(name, nonce.join(pieces)) for name, pieces in template.template]
    main = dict(parts.main) if parts.main is not None else None
    trial = dict(parts.trial) if parts.trial is not None else None
    touched_main = touched_trial = False
    for report_only, replace, change in edits:
        policy = trial if report_only else main
        if policy is None:
            continue  # no such policy for this response: nothing to widen or narrow
        _edit(policy, change, replace, parts.safe)
        if report_only:
            touched_trial = True
        else:
            touched_main = True
    dropped: set[int] = set()
    if main is not None and touched_main:
        use = nonce if parts.main_nonce else None
        value = _value(main, use, parts.nonce_directives, parts.report)
        _put(ours, dropped, parts.main_index, value)
    if trial is not None and touched_trial:
        value = _value(trial, nonce, parts.nonce_directives, parts.report)
        _put(ours, dropped, parts.trial_index, value)
    result = [h for i, h in enumerate(ours) if i not in dropped]
    if main is not None and touched_main and parts.derived_frame_options:
        result = _frame_options(result, main.get("frame-ancestors"))
    if nonce is not None:
        mark = f"'nonce-{nonce}'"
        if any(mark in value and name.lower() not in hidden for name, value in result):
            result += side.nonce_cache_control
    return tuple(result)


def _edit(
    policy: dict[str, Sources], change: Change, replace: bool, safe: Sources
) -> None:
    for name, sources in change:
        if sources is None:
            policy.pop(name, None)
            continue
        added = _expand(sources, safe)
        if replace or name in BARE_DIRECTIVES:
            policy[name] = added
            continue
        # Adding to a directive the policy lacks starts from its fallback
        # (img-src from default-src), so the update only ever allows more.
        base = effective(policy, name) or ()
        merged = tuple(dict.fromkeys((*base, *added)))
        if len(merged) > 1:
            merged = tuple(s for s in merged if s != "'none'")
        policy[name] = merged


def _expand(sources: Sources, safe: Sources) -> Sources:
    expanded: list[str] = []
    for source in sources:
        expanded += safe if source == SAFE_SRC else (source,)
    return tuple(dict.fromkeys(expanded))


def _value(
    policy: dict[str, Sources],
    nonce: str | None,
    names: tuple[str, ...],
    report: str | None,
) -> str | None:
    if not policy:
        return None  # every directive dropped: no header rather than an empty one
    directives: tuple[Directive, ...] = tuple(policy.items())
    if nonce is not None:
        directives = with_nonce(directives, names, nonce)
    return serialize(with_report(directives, report))


def _put(ours: list[Header], dropped: set[int], index: int, value: str | None) -> None:
    if value is None:
        dropped.add(index)
    else:
        ours[index] = (ours[index][0], value)


_FRAME_OPTIONS: dict[Sources, str] = {("'none'",): "DENY", ("'self'",): "SAMEORIGIN"}


def _frame_options(ours: list[Header], ancestors: Sources | None) -> list[Header]:
    """X-Frame-Options derived from the changed frame-ancestors, as at start-up."""
    value = _FRAME_OPTIONS.get(ancestors or ())
    kept = [h for h in ours if h[0] != "X-Frame-Options"]
    if value is not None:
        kept.append(("X-Frame-Options", value))
    return kept
