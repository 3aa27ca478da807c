"""A response's own change to its policy (``update_csp``, ``replace_csp``).

:class:`CspParts` keeps a side's policies as data, before the nonce and the
report endpoint go in, so that a response that changes one rebuilds only
that header (and X-Frame-Options, where it follows frame-ancestors).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..config import Config, Directive, Sources
from ..config.csp_grammar import BARE_DIRECTIVES, effective
from ..config.csp_policy import csp_directives, expand_safe, report_only_directives
from ..config.overrides import Change
from ..reply import Header
from .csp import (
    CSP,
    CSP_REPORT_ONLY,
    serialize,
    with_nonce,
    with_report,
    without_report,
)
from .frame_options import frame_options_for

__all__ = ["CspEdit", "CspParts", "edited"]

#: One update_csp / replace_csp call: (report_only, replace, directives).
CspEdit = tuple[bool, bool, Change]


@dataclass(frozen=True, slots=True)
class CspParts:
    """A side's policies before the nonce and the report endpoint are added.

    ``None`` / ``-1``: no such policy.
    """

    #: The ``csp_header`` policy, sent as ``main_name``.
    main: tuple[Directive, ...] | None
    main_name: str
    #: Where its header sits in the side's headers.
    main_index: int
    #: Whether the nonce goes into it ('unsafe-inline' and debug are off).
    main_nonce: bool
    #: The ``csp_report_only_header`` policy, sent beside it.
    trial: tuple[Directive, ...] | None
    trial_index: int
    nonce_directives: tuple[str, ...]
    report: str | None
    #: What 'safe-src' stands for.
    safe: Sources
    #: X-Frame-Options follows the frame-ancestors the policy sends.
    derived_frame_options: bool

    @classmethod
    def build(
        cls, config: Config, ours: tuple[Header, ...], *, reporting: bool = True
    ) -> CspParts:
        main_name = CSP_REPORT_ONLY if config.csp_report_only else CSP
        names = [name for name, _ in ours]
        main = csp_directives(config)
        trial = report_only_directives(config)
        if not reporting:  # the variant csp_report_sample_rate leaves out
            main = main and without_report(main)
            trial = trial and without_report(trial)
        return cls(
            main=main,
            main_name=main_name,
            main_index=names.index(main_name) if main is not None else -1,
            main_nonce=not (config.csp_unsafe_inline or config.debug),
            trial=trial,
            trial_index=names.index(CSP_REPORT_ONLY) if trial is not None else -1,
            nonce_directives=config.csp_nonce_directives,
            report=config.report_endpoint if reporting else None,
            safe=tuple(dict.fromkeys(config.csp_safe_src)),
            derived_frame_options=config.x_frame_options is None
            and not config.csp_report_only,
        )


def edited(
    parts: CspParts,
    ours: tuple[Header, ...],
    edits: tuple[CspEdit, ...],
    nonce: str | None,
) -> list[Header]:
    """``ours`` with its policies changed by ``edits`` in order.

    ``ours`` carries ``nonce`` where the nonce goes (``None``: no nonce), and
    so does every header rebuilt here.
    """
    result = list(ours)
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
        _put(result, dropped, parts.main_index, value)
    if trial is not None and touched_trial:
        value = _value(trial, nonce, parts.nonce_directives, parts.report)
        _put(result, dropped, parts.trial_index, value)
    result = [h for i, h in enumerate(result) if i not in dropped]
    if main is not None and touched_main and parts.derived_frame_options:
        # X-Frame-Options follows the changed frame-ancestors, as at start-up.
        frame_options = frame_options_for(main.get("frame-ancestors"))
        result = [h for h in result if h[0] != "X-Frame-Options"]
        if frame_options is not None:
            result.append(("X-Frame-Options", frame_options))
    return result


def _edit(
    policy: dict[str, Sources], change: Change, replace: bool, safe: Sources
) -> None:
    for name, sources in change:
        if sources is None:
            policy.pop(name, None)
            continue
        added = expand_safe(sources, safe)
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
