"""Pure functions from a validated :class:`~secheaders_wsgi.config.Config` to headers.

Nothing here sees a request: the middleware calls :func:`headers` once per scheme
at start-up and only copies the result afterwards. :func:`csp_directives` is the
policy as data, for anything that has to extend it per request.
"""

from __future__ import annotations

from collections.abc import Callable

from . import csp
from .config import Config, Directive, Sources
from .csp import SAFE_SRC

Header = tuple[str, str]

#: The seed's HSTS value: one year, sub-domains included.
DEFAULT_HSTS = "max-age=31556926; includeSubDomains"


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
        ]
    xss = xss_protection_value(config, csp_active=directives is not None)
    if xss is not None:
        result.append(("X-XSS-Protection", xss))
    if isinstance(config.referrer_policy, str):
        result.append(("Referrer-Policy", config.referrer_policy))
    hsts = hsts_value(config)
    if https and hsts is not None:
        result.append(("Strict-Transport-Security", hsts))
    for name, builder in _MORE_HEADERS:
        value = builder(config)
        if value is not None:
            result.append((name, value))
    return tuple(result)


def hsts_value(config: Config) -> str | None:
    if isinstance(config.hsts_header, str):
        return config.hsts_header
    # force_https promises https too: it gets the default, on https responses.
    if config.hsts_header is None and (config.server_secured or config.force_https):
        return DEFAULT_HSTS
    return None


def xss_protection_value(config: Config, *, csp_active: bool) -> str | None:
    """An explicit ``xss_protection`` always; the seed's value only beside a CSP."""
    if isinstance(config.xss_protection, str):
        return config.xss_protection
    if config.xss_protection is None and csp_active:
        return "1; mode=block"
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
    return {
        name: _expand(sources, safe)
        for name, sources in csp.default_policy(config.server_secured)
    }


def _unsafe_sources(config: Config) -> Sources:
    # Order as in the seed's documented header: eval first, then inline.
    extra = ()
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


# -- issue 4: more headers, one builder each; None means "no header"


def permissions_policy_value(config: Config) -> str | None:
    """``camera=(), geolocation=(self "https://maps.example")``."""
    if config.permissions_policy is False or not config.permissions_policy:
        return None
    return ", ".join(
        f"{feature}={_allowlist(entries)}"
        for feature, entries in config.permissions_policy  # type: ignore[union-attr]
    )


def _allowlist(entries: Sources) -> str:
    if entries == ("*",):
        return "*"
    # self and src are tokens; an origin is a quoted string (RFC 8941).
    items = (e if e in ("self", "src") else f'"{e}"' for e in entries)
    return f"({' '.join(items)})"


def x_frame_options_value(config: Config) -> str | None:
    """Explicit, or for browsers without frame-ancestors, derived from it.

    The frame-ancestors the CSP sends: ``'none'`` gives ``DENY``, exactly
    ``'self'`` gives ``SAMEORIGIN``; anything else has no X-Frame-Options spelling.
    """
    if isinstance(config.x_frame_options, str):
        return config.x_frame_options
    if config.x_frame_options is False:
        return None
    ancestors = dict(csp_directives(config) or ()).get("frame-ancestors")
    if ancestors == ("'none'",):
        return "DENY"
    return "SAMEORIGIN" if ancestors == ("'self'",) else None


def _string(key: str) -> Callable[[Config], str | None]:
    def value(config: Config) -> str | None:
        setting = getattr(config, key)
        return setting if isinstance(setting, str) else None

    return value


def _switch(key: str, on: str, off: str) -> Callable[[Config], str | None]:
    def value(config: Config) -> str | None:
        setting = getattr(config, key)
        return None if setting is None else on if setting else off

    return value


_MORE_HEADERS: tuple[tuple[str, Callable[[Config], str | None]], ...] = (
    ("Permissions-Policy", permissions_policy_value),
    ("Cross-Origin-Opener-Policy", _string("cross_origin_opener_policy")),
    ("Cross-Origin-Embedder-Policy", _string("cross_origin_embedder_policy")),
    ("Cross-Origin-Resource-Policy", _string("cross_origin_resource_policy")),
    ("X-Frame-Options", x_frame_options_value),
    ("Origin-Agent-Cluster", _switch("origin_agent_cluster", "?1", "?0")),
    ("X-DNS-Prefetch-Control", _switch("x_dns_prefetch_control", "on", "off")),
    (
        "X-Permitted-Cross-Domain-Policies",
        _string("x_permitted_cross_domain_policies"),
    ),
)
