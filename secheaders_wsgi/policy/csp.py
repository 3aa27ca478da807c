"""Content-Security-Policy and its report-only twin, as data and as text.

The policy as ``(directive, sources)`` pairs comes first (:func:`csp_directives`),
so that the per-request nonce (:func:`with_nonce`) and the report endpoint
(:func:`with_report`) can be added before :func:`serialize` writes the header.
"""

from __future__ import annotations

from ..config import Config, Directive, Sources
from ..config.csp_grammar import SAFE_SRC, effective
from ..config.csp_keys import REPORT_GROUP
from ..config.presets import default_policy

CSP = "Content-Security-Policy"
CSP_REPORT_ONLY = "Content-Security-Policy-Report-Only"


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


def serialize(directives: tuple[Directive, ...]) -> str:
    """``default-src 'self'; upgrade-insecure-requests`` from the pairs."""
    return "; ".join(" ".join((name, *sources)) for name, sources in directives)


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


def with_nonce(
    directives: tuple[Directive, ...], names: tuple[str, ...], nonce: str
) -> tuple[Directive, ...]:
    """``directives`` with ``'nonce-<nonce>'`` added to each of ``names``.

    A directive the policy lacks is derived from its fallback (``script-src``
    from ``default-src``), so the nonce restricts nothing that was allowed;
    with no fallback either, it is left out: the policy does not restrict that
    type at all. A directive holding ``'unsafe-inline'`` gets no nonce:
    browsers ignore ``'unsafe-inline'`` once a nonce is present, which would
    break the page. ``'none'`` is dropped beside the nonce.
    """
    policy = dict(directives)
    source = f"'nonce-{nonce}'"
    for name in names:
        base = effective(policy, name)
        if base is None or "'unsafe-inline'" in base:
            continue
        policy[name] = tuple(s for s in base if s != "'none'") + (source,)
    return tuple(policy.items())


def report_only_directives(config: Config) -> tuple[Directive, ...] | None:
    """The ``csp_report_only_header`` policy: as written, 'safe-src' expanded."""
    if config.csp_report_only_header is None:
        return None
    safe = _unique(config.csp_safe_src)
    return tuple(
        (name, expand_safe(sources, safe))
        for name, sources in config.csp_report_only_header
    )


def with_report(
    directives: tuple[Directive, ...], uri: str | None
) -> tuple[Directive, ...]:
    # report-uri for browsers without the Reporting API (Firefox, Safari),
    # report-to for those with it; those that know both use report-to.
    if uri is None:
        return directives
    return (*directives, ("report-uri", (uri,)), ("report-to", (REPORT_GROUP,)))


def without_report(directives: tuple[Directive, ...]) -> tuple[Directive, ...]:
    """``directives`` without report-uri and report-to, however they got there."""
    return tuple(d for d in directives if d[0] not in ("report-uri", "report-to"))
