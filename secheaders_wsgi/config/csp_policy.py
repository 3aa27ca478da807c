"""The Content-Security-Policy a config sends, as data: ``(directive, sources)``.

The defaults spelt out, 'safe-src' expanded, 'unsafe-inline'/'unsafe-eval'
added as the switches say, frame-ancestors from ``csp_frame_ancestors``.
:mod:`secheaders_wsgi.policy.csp` adds the nonce and the report endpoint and
writes the header; ``framework_pages`` (:mod:`.pages`) reads the policy a
page must work under.
"""

from __future__ import annotations

from .csp_grammar import SAFE_SRC, effective
from .model import Config
from .presets import default_policy
from .values import Directive, Sources

__all__ = [
    "csp_directives",
    "expand_safe",
    "frame_ancestors",
    "report_only_directives",
]


def csp_directives(config: Config) -> tuple[Directive, ...] | None:
    """The Content-Security-Policy as ``(directive, sources)`` pairs, or ``None``."""
    if config.csp_header is False:
        return None
    safe = _unique(config.csp_safe_src)
    if config.csp_header is True:
        policy = _default_policy(config, safe)
    else:
        policy = {
            name: expand_safe(sources, safe) for name, sources in config.csp_header
        }
    _add_unsafe(policy, _unsafe_sources(config))
    ancestors = frame_ancestors(config)
    if ancestors is not None:
        policy["frame-ancestors"] = ancestors
    return tuple(policy.items())


def frame_ancestors(config: Config) -> Sources | None:
    """The sources ``csp_frame_ancestors`` asks for, or ``None`` for no directive."""
    if config.csp_frame_ancestors is True:
        return None
    ancestors = config.csp_frame_ancestors or ("'none'",)
    return expand_safe(ancestors, _unique(config.csp_safe_src))


def _default_policy(config: Config, safe: Sources) -> dict[str, Sources]:
    return {
        name: expand_safe(sources, safe)
        for name, sources in default_policy(config.server_secured)
    }


def _unsafe_sources(config: Config) -> Sources:
    # Order as in the contract's documented header: eval first, then inline.
    extra: Sources = ()
    if config.csp_unsafe_eval:
        extra += ("'unsafe-eval'",)
    if config.csp_unsafe_inline or config.debug:
        extra += ("'unsafe-inline'",)
    return extra


def _add_unsafe(policy: dict[str, Sources], extra: Sources) -> None:
    """Add ``extra`` to script-src and style-src, deriving them from default-src."""
    if not extra:
        return
    for name in ("script-src", "style-src"):
        base = effective(policy, name)
        if base is not None:
            # 'none' beside other sources is ignored by browsers: drop it.
            kept = tuple(source for source in base if source != "'none'")
            policy[name] = _unique(kept + extra)


def expand_safe(sources: Sources, safe: Sources) -> Sources:
    """``sources`` with ``'safe-src'`` spelt out as ``safe``, each source once."""
    expanded: list[str] = []
    for source in sources:
        expanded += safe if source == SAFE_SRC else (source,)
    return _unique(expanded)


def _unique(sources: tuple[str, ...] | list[str]) -> Sources:
    return tuple(dict.fromkeys(sources))


def report_only_directives(config: Config) -> tuple[Directive, ...] | None:
    """The ``csp_report_only_header`` policy: as written, 'safe-src' expanded."""
    if config.csp_report_only_header is None:
        return None
    safe = _unique(config.csp_safe_src)
    return tuple(
        (name, expand_safe(sources, safe))
        for name, sources in config.csp_report_only_header
    )
