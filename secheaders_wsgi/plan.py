"""Start-up: what one config means for an http and an https response.

:class:`Plan` is built once per config (the top level and each ``paths`` rule)
when ``SecureHeaders`` is made: the header tuples from :mod:`.policy`, the
lower-cased name sets the request path tests against, the nonce template, the
cookie rewrite and the redirect. A request only reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from .config import Config, Directive, Sources
from .errors import ConfigError
from .policy import Header, headers
from .policy.csp import (
    CSP,
    CSP_REPORT_ONLY,
    csp_directives,
    report_only_directives,
    without_report,
)
from .request.cookies import CookieRewrite
from .request.redirect import ForceHttps


@dataclass(frozen=True, slots=True)
class Side:
    """What one config means for an http or an https response."""

    headers: tuple[Header, ...]
    #: Lower-case names of every header we may add, the nonced ones included.
    names: frozenset[str]
    #: Lower-case names of app headers that need more than appending ours:
    #: ours (the app's win), ``remove`` and, with a cookie rewrite, set-cookie.
    watch: frozenset[str]
    #: Lower-case names of the app's headers to drop (``remove_headers``).
    remove: frozenset[str]
    #: The Set-Cookie rewrite; ``None``: none.
    cookies: CookieRewrite | None
    #: Our headers split where the nonce goes; ``None``: the nonce changes
    #: nothing (no CSP, 'unsafe-inline' in force, no nonce directive).
    nonce_template: Nonced | None
    #: Added to a response whose own CSP header carries the nonce.
    nonce_cache_control: tuple[Header, ...]
    #: ``force_https``: the redirect for plain-http requests; ``None``: none.
    redirect: ForceHttps | None
    #: The policies as data, for a response that changes one (``csp_update``).
    csp: CspParts
    #: ``csp_report_sample_rate`` when it is between 0 and 1: the share of
    #: responses that get this side; the others get :attr:`unsampled`.
    rate: float = 1.0
    #: This side without report-uri and report-to; ``None``: no sampling.
    unsampled: Side | None = None

    @classmethod
    def build(cls, config: Config, *, https: bool) -> Side:
        rate = config.csp_report_sample_rate
        side = cls._build(config, https=https, reporting=rate != 0)
        if not 0 < rate < 1:
            return side
        # Both variants now, so a response only draws a number to pick one.
        quiet = cls._build(config, https=https, reporting=False)
        if quiet.headers == side.headers:  # nothing reports: nothing to sample
            return side
        return replace(side, rate=rate, unsampled=quiet)

    @classmethod
    def _build(cls, config: Config, *, https: bool, reporting: bool) -> Side:
        ours = headers(config, https=https, reporting=reporting)
        for name, value in ours:
            if not value.strip():  # the config checks should make this unreachable
                raise ConfigError(f"{name} would be sent empty: browsers ignore it")
        remove = frozenset(name.lower() for name in config.remove_headers)
        cookies = CookieRewrite.for_config(config, https=https)
        cache = config.csp_nonce_cache_control
        # cache_control, when set, is in ours already and wins over this.
        cache_control = (
            (("Cache-Control", cache),)
            if isinstance(cache, str) and config.cache_control is False
            else ()
        )
        return cls(
            headers=ours,
            names=frozenset(name.lower() for name, _ in (*ours, *cache_control)),
            watch=_watched(ours, remove, cookies),
            remove=remove,
            cookies=cookies,
            nonce_template=_nonce_template(config, https=https, reporting=reporting),
            nonce_cache_control=cache_control,
            redirect=None if https else ForceHttps.for_config(config, ours),
            csp=CspParts.build(config, ours, reporting=reporting),
        )

    def nonced(self, nonce: str, present: set[str]) -> tuple[Header, ...]:
        """Our headers for a response whose app used ``nonce``.

        ``present``: the lower-cased names of the app's headers.
        """
        template = self.nonce_template
        if template is None:
            return self.headers
        ours = tuple([(name, nonce.join(pieces)) for name, pieces in template.template])
        # A shared cache would replay one nonce to every visitor. Only when our
        # nonced header goes out: an app-set CSP or Cache-Control wins.
        for name in template.carriers:
            if name not in present:
                return ours + self.nonce_cache_control
        return ours


@dataclass(frozen=True)
class Plan:
    """What one config means for a request, computed once at start-up."""

    http: Side
    https: Side
    secured: bool
    unsafe_eval: bool
    #: What it was built from: an override is merged onto it on first use.
    config: Config = field(compare=False, repr=False)

    @classmethod
    def build(cls, config: Config) -> Plan:
        return cls(
            http=Side.build(config, https=False),
            https=Side.build(config, https=True),
            secured=config.server_secured,
            unsafe_eval=config.csp_unsafe_eval,
            config=config,
        )


@dataclass(frozen=True, slots=True)
class CspParts:
    """A side's policies before the nonce and the report endpoint are added.

    A response that changes its policy (``csp_update``) rebuilds only the
    header it changes, from these; ``None`` / ``-1``: no such policy.
    """

    #: The ``csp_header`` policy, sent as ``main_name``.
    main: tuple[Directive, ...] | None
    main_name: str
    #: Where its header sits in :attr:`Side.headers`.
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


@dataclass(frozen=True)
class Nonced:
    """Our headers with each value split where the nonce goes."""

    template: tuple[tuple[str, tuple[str, ...]], ...]
    #: Lower-case names of the headers that carry the nonce.
    carriers: tuple[str, ...]


# Stands in for the nonce while the template is built; config refuses control
# characters, so it cannot occur in a header value otherwise.
_MARK = "\x00"


def _nonce_template(config: Config, *, https: bool, reporting: bool) -> Nonced | None:
    marked = headers(config, https=https, nonce=_MARK, reporting=reporting)
    if not any(_MARK in value for _, value in marked):
        return None
    return Nonced(
        template=tuple((name, tuple(value.split(_MARK))) for name, value in marked),
        carriers=tuple(name.lower() for name, value in marked if _MARK in value),
    )


def _watched(
    ours: tuple[Header, ...], remove: frozenset[str], cookies: CookieRewrite | None
) -> frozenset[str]:
    names = {name.lower() for name, _ in ours} | remove
    if cookies is not None:
        names.add("set-cookie")
    return frozenset(names)
