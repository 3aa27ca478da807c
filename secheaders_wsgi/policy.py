"""Pure functions from a validated :class:`~secheaders_wsgi.config.Config` to headers.

Nothing here sees a request: the middleware calls :func:`headers` once per scheme
at start-up and only copies the result afterwards. :func:`csp_directives` is the
policy as data, for anything that has to extend it per request.
"""

from __future__ import annotations

from .config import Config, Directive, Sources
from .csp import SAFE_SRC

Header = tuple[str, str]

#: The seed's HSTS value: one year, sub-domains included.
DEFAULT_HSTS = "max-age=31556926; includeSubDomains"

_ANYTHING = ("*", "data:", "blob:")


def headers(config: Config, *, https: bool) -> tuple[Header, ...]:
    """The security headers for one response, in a fixed order.

    ``https`` says whether the response goes over HTTPS: Strict-Transport-Security
    is only sent then (RFC 6797 section 7.2).

    >>> headers(load_config({"csp_header": False}), https=False)
    (('Referrer-Policy', 'strict-origin-when-cross-origin'),)
    """
    result: list[Header] = []
    directives = csp_directives(config)
    if directives is not None:
        result += [
            ("Content-Security-Policy", serialize(directives)),
            ("X-Content-Type-Options", "nosniff"),
            ("X-XSS-Protection", "1; mode=block"),
        ]
    if isinstance(config.referrer_policy, str):
        result.append(("Referrer-Policy", config.referrer_policy))
    hsts = hsts_value(config)
    if https and hsts is not None:
        result.append(("Strict-Transport-Security", hsts))
    return tuple(result)


def hsts_value(config: Config) -> str | None:
    if isinstance(config.hsts_header, str):
        return config.hsts_header
    if config.hsts_header is None and config.server_secured:
        return DEFAULT_HSTS
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
