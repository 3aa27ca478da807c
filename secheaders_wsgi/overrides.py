"""Per-response changes: the plans of named overrides, and changed sides.

A named override costs no policy building per request: its plan on the top
level is built at start-up, its plan on a path rule (or a stack of overrides)
once, on first use, and cached. CSP changes and omitted headers make a
*derived* :class:`~secheaders_wsgi.plan.Side`: the base side with only the
changed header rebuilt (and X-Frame-Options when it follows a changed
frame-ancestors), from the policy as data the plan keeps
(:class:`~secheaders_wsgi.plan.CspParts`), with its own nonce template. A
derived side is cached too, so a view that makes the same change on every
request pays a dictionary lookup; the request path then treats it like any
precomputed side.
"""

from __future__ import annotations

import threading
from dataclasses import replace

from .config import Config, Directive, Sources
from .config.csp_grammar import BARE_DIRECTIVES, SAFE_SRC, effective
from .config.overrides import Change, apply
from .errors import ConfigError, did_you_mean
from .plan import _MARK, Nonced, Plan, Side, _watched
from .policy import Header
from .policy.csp import serialize, with_nonce, with_report

__all__ = ["CACHE_LIMIT", "CspEdit", "OverridePlans", "derived_side"]

#: One csp_update / csp_replace call: (report_only, replace, directives).
CspEdit = tuple[bool, bool, Change]

#: Entries a cache keeps. Views that compute their changes per request (a
#: tenant's own origin) could make a new key every time: past this many, a
#: change is built per request rather than kept for ever.
CACHE_LIMIT = 1024


class OverridePlans:
    """The plans of ``overrides:`` on each base plan, and the derived sides."""

    def __init__(self, config: Config, top: Plan) -> None:
        self._overrides = {override.name: override for override in config.overrides}
        self.names = tuple(self._overrides)
        self._lock = threading.Lock()
        # Keyed by the base plan's id: the middleware keeps every base plan
        # alive as long as itself, and this cache every plan it makes, so an
        # id is never reused under either.
        self._plans: dict[tuple[int, tuple[str, ...]], Plan] = {
            (id(top), (o.name,)): Plan.build(o.config) for o in config.overrides
        }
        # No lock: two threads that race build equal sides, and either is kept.
        self._sides: dict[tuple[int, tuple[CspEdit, ...], frozenset[str]], Side] = {}

    def check(self, name: object) -> str:
        """``name`` if it is a configured override, else a ConfigError."""
        if name.__class__ is str and name in self._overrides:
            return name
        allowed = ", ".join(self.names) if self.names else "none are configured"
        hint = did_you_mean(name, self.names) if isinstance(name, str) else ""
        raise ConfigError(
            f"use_override: {name!r} is not a named override (allowed: "
            f"{allowed}; add it to the config's overrides:){hint}"
        )

    def plan(self, base: Plan, names: tuple[str, ...]) -> Plan:
        """``base`` with the overrides ``names`` merged on, in order; cached."""
        key = (id(base), names)
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        # Using one override twice is using it once, at its last place.
        stack = tuple(reversed(dict.fromkeys(reversed(names))))
        with self._lock:
            plan = self._plans.get((id(base), stack))
            if plan is None:
                config = base.config
                for name in stack:
                    where = f"overrides.{name} after {', '.join(stack)}: "
                    config = apply(config, self._overrides[name], where)
                plan = Plan.build(config)
                if len(self._plans) < CACHE_LIMIT:
                    self._plans[(id(base), stack)] = plan
            if len(self._plans) < CACHE_LIMIT:
                self._plans[key] = plan
        return plan

    def side(
        self, side: Side, edits: tuple[CspEdit, ...], omit: frozenset[str]
    ) -> Side:
        """``side`` with ``edits`` and ``omit`` applied; cached."""
        key = (id(side), edits, omit)
        derived = self._sides.get(key)
        if derived is None:
            derived = derived_side(side, edits, omit)
            if len(self._sides) < CACHE_LIMIT:
                self._sides[key] = derived
        return derived


def derived_side(side: Side, edits: tuple[CspEdit, ...], omit: frozenset[str]) -> Side:
    """``side`` with the CSP ``edits`` applied in order, then ``omit``.

    The nonce still goes in per request, after the edits: the derived side
    has its own nonce template, split where the nonce goes.
    """
    plain = _omitted(_edited(side, edits, None), omit)
    marked = _omitted(_edited(side, edits, _MARK), omit)
    carriers = tuple(name.lower() for name, value in marked if _MARK in value)
    template = (
        Nonced(
            template=tuple((name, tuple(value.split(_MARK))) for name, value in marked),
            carriers=carriers,
        )
        if carriers
        else None
    )
    headers = tuple(plain)
    cache = _omitted(list(side.nonce_cache_control), omit)
    return replace(
        side,
        headers=headers,
        names=frozenset(name.lower() for name, _ in (*headers, *cache)),
        watch=_watched(headers, side.remove, side.cookies),
        nonce_template=template,
        nonce_cache_control=tuple(cache),
    )


def _omitted(ours: list[Header], omit: frozenset[str]) -> list[Header]:
    return [h for h in ours if h[0].lower() not in omit] if omit else ours


def _edited(side: Side, edits: tuple[CspEdit, ...], nonce: str | None) -> list[Header]:
    """``side``'s headers, its policies changed by ``edits``, with ``nonce``."""
    parts = side.csp
    ours = list(side.headers)
    template = side.nonce_template
    if nonce is not None and template is not None:
        ours = [(name, nonce.join(pieces)) for name, pieces in template.template]
    main = dict(parts.main) if parts.main is not None else None
    trial = dict(parts.trial) if parts.trial is not None else None
    touched_main = touched_trial = False
    for report_only, replace_sources, change in edits:
        policy = trial if report_only else main
        if policy is None:
            continue  # no such policy for this response: nothing to widen or narrow
        _edit(policy, change, replace_sources, parts.safe)
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
    return result


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
