"""Pure functions from a validated :class:`~secheaders_wsgi.config.Config` to headers.

Nothing here sees a request: the middleware calls :func:`headers` once per scheme
at start-up and only copies the result afterwards. :func:`csp_directives` is the
policy as data, for anything that has to extend it per request.
"""

from __future__ import annotations

from .config import Config, Directive, Sources
from .csp import SAFE_SRC
from .presets import STRICT_HSTS

Header = tuple[str, str]

#: The seed's HSTS value: one year, sub-domains included.
DEFAULT_HSTS = "max-age=31556926; includeSubDomains"

_ANYTHING = ("*", "data:", "blob:")

CSP = "Content-Security-Policy"
CSP_REPORT_ONLY = "Content-Security-Policy-Report-Only"
#: The Reporting API group that report-to names and Reporting-Endpoints defines.
REPORT_GROUP = "csp-endpoint"


def headers(
    config: Config, *, https: bool, nonce: str | None = None
) -> tuple[Header, ...]:
    """The security headers for one response, in a fixed order.

    ``https`` says whether the response goes over HTTPS: Strict-Transport-Security
    is only sent then (RFC 6797 section 7.2). ``nonce``, if given, goes into the
    ``csp_nonce_directives`` of every CSP header as ``'nonce-<nonce>'``, except
    while 'unsafe-inline' is in force (see :func:`with_nonce`).

    >>> headers(load_config({"csp_header": False}), https=False)
    (('Referrer-Policy', 'strict-origin-when-cross-origin'),)
    """
    result: list[Header] = []
    report = report_uri(config)
    directives = csp_directives(config)
    if directives is not None:
        if nonce is not None and not (config.csp_unsafe_inline or config.debug):
            directives = with_nonce(directives, config.csp_nonce_directives, nonce)
        name = CSP_REPORT_ONLY if config.csp_report_only else CSP
        result.append((name, serialize(_with_report(directives, report))))
    trial = report_only_directives(config)
    if trial is not None:
        if nonce is not None:
            trial = with_nonce(trial, config.csp_nonce_directives, nonce)
        result.append((CSP_REPORT_ONLY, serialize(_with_report(trial, report))))
    if directives is not None:
        result += [
            ("X-Content-Type-Options", "nosniff"),
            ("X-XSS-Protection", _xss_protection(config)),
        ]
    if isinstance(config.referrer_policy, str):
        result.append(("Referrer-Policy", config.referrer_policy))
    hsts = hsts_value(config)
    if https and hsts is not None:
        result.append(("Strict-Transport-Security", hsts))
    if report is not None and (directives is not None or trial is not None):
        result.append(("Reporting-Endpoints", f'{REPORT_GROUP}="{report}"'))
    return tuple(result)


def hsts_value(config: Config) -> str | None:
    if isinstance(config.hsts_header, str):
        return config.hsts_header
    if config.hsts_header is None and config.server_secured:
        return STRICT_HSTS if config.preset == "strict" else DEFAULT_HSTS
    return None


def csp_directives(config: Config) -> tuple[Directive, ...] | None:
    """The Content-Security-Policy as ``(directive, sources)`` pairs, or ``None``."""
    if config.csp_header is False:
        return None
    safe = _unique(config.csp_safe_src)
    if config.csp_header is True:
        policy = _default_policy(config, safe)
    else:
        policy = {name: _expand(sources, safe) for name, sources in config.csp_header}
    _add_unsafe(policy, _unsafe_sources(config))
    if config.csp_frame_ancestors is not True:
        ancestors = config.csp_frame_ancestors or ("'none'",)
        policy["frame-ancestors"] = _expand(ancestors, safe)
    return tuple(policy.items())


def serialize(directives: tuple[Directive, ...]) -> str:
    """``default-src 'self'; upgrade-insecure-requests`` from the pairs."""
    return "; ".join(" ".join((name, *sources)) for name, sources in directives)


def _default_policy(config: Config, safe: Sources) -> dict[str, Sources]:
    connect = ("https:", "wss:") if config.server_secured else ("http:", "ws:")
    return {
        "default-src": safe,
        "script-src": safe,
        "style-src": safe,
        "manifest-src": ("'self'",),
        "connect-src": connect,
        "img-src": _ANYTHING,
        "media-src": _ANYTHING,
        "frame-src": _ANYTHING,
        "object-src": _ANYTHING,
    }


def _unsafe_sources(config: Config) -> Sources:
    # Order as in the seed's documented header: eval first, then inline.
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
        base = policy.get(name, policy.get("default-src"))
        if base is not None:
            # 'none' beside other sources is ignored by browsers: drop it.
            kept = tuple(source for source in base if source != "'none'")
            policy[name] = _unique(kept + extra)


def _expand(sources: Sources, safe: Sources) -> Sources:
    expanded: list[str] = []
    for source in sources:
        expanded += safe if source == SAFE_SRC else (source,)
    return _unique(expanded)


def _unique(sources: tuple[str, ...] | list[str]) -> Sources:
    return tuple(dict.fromkeys(sources))


# -- issue 3: modern CSP

# Where a directive takes its sources from when the policy does not have it
# (CSP3 section 6.8.3, "Get the effective directive"), for the directives a
# nonce can go in.
_FALLBACK = {
    "script-src-elem": ("script-src", "default-src"),
    "style-src-elem": ("style-src", "default-src"),
    "script-src": ("default-src",),
    "style-src": ("default-src",),
    "default-src": (),
}


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
        base = policy.get(name)
        for fallback in _FALLBACK[name]:
            if base is None:
                base = policy.get(fallback)
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
        (name, _expand(sources, safe))
        for name, sources in config.csp_report_only_header
    )


def report_uri(config: Config) -> str | None:
    """Where browsers send CSP reports: ``csp_report_uri``, else the receiver."""
    return config.csp_report_uri or config.csp_report_path


def _with_report(
    directives: tuple[Directive, ...], uri: str | None
) -> tuple[Directive, ...]:
    # report-uri for browsers without the Reporting API (Firefox, Safari),
    # report-to for those with it; those that know both use report-to.
    if uri is None:
        return directives
    return (*directives, ("report-uri", (uri,)), ("report-to", (REPORT_GROUP,)))


def _xss_protection(config: Config) -> str:
    # "0" turns off the XSS auditor of old browsers, which could be abused to
    # remove scripts from a page or leak data; modern browsers have none and
    # CSP replaces it. The seed's "1; mode=block" stays the default.
    return "0" if config.preset == "strict" else "1; mode=block"
