"""Start-up: what one config means for an http and an https response.

:class:`Plan` is built once per config (the top level, each ``paths`` rule,
each override in use) when the middleware is made: the header tuples from
:mod:`.policy`, the nonce template, the cookie rewrite and the redirect, and
each :class:`Side` in the two spellings the adapters send (:class:`Wire`):
text for WSGI, lower-case bytes for ASGI. A request only reads it; the one
merge both adapters call (:func:`secheaders_wsgi.response.merged`) works on
either spelling.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .config import Config
from .errors import ConfigError
from .policy import Header, headers
from .policy.csp_edit import CspEdit, CspParts, edited
from .request.cookies import CookieRewrite
from .request.cross_origin import CrossOriginGuard
from .request.redirect import ForceHttps

__all__ = ["MARK", "Plan", "Side", "Wire"]

S = TypeVar("S", str, bytes)

# Stands in for the nonce while a template is built; config refuses control
# characters, so it cannot occur in a header value otherwise.
MARK = "\x00"


@dataclass(frozen=True, slots=True)
class Wire(Generic[S]):
    """A side's headers in one adapter's spelling, and what the merge tests."""

    headers: tuple[tuple[S, S], ...]
    #: Lower-case names of app headers that need more than appending ours:
    #: ours (the app's win), ``remove`` and, with a cookie rewrite, set-cookie.
    watch: frozenset[S]
    #: With the nonce made: ``watch`` and every name we may add (Cache-Control).
    nonce_watch: frozenset[S]
    #: Lower-case names of the app's headers to drop (``remove_headers``).
    remove: frozenset[S]
    #: The headers of ours that carry the nonce: where each sits in
    #: ``headers``, and its value split where the nonce goes; ``None``: the
    #: nonce changes nothing.
    pieces: tuple[tuple[int, S, tuple[S, ...]], ...] | None
    #: Lower-case names of the headers that carry the nonce.
    carriers: frozenset[S]
    #: Added beside a nonced header of ours (``csp_nonce_cache_control``).
    cache: tuple[tuple[S, S], ...]
    #: The lower-case names of ``headers`` and of ``cache``, in their order,
    #: and all of them as a set.
    lows: tuple[S, ...]
    cache_lows: tuple[S, ...]
    own: frozenset[S]
    #: ``set-cookie`` in this spelling, and the rewrite of one value.
    cookie: S
    rewrite: Callable[[S], S] | None
    #: Whether this spelling is bytes (the nonce is encoded to join in).
    raw: bool
    #: Whether a Content-Security-Policy of ours goes out at all.
    policy: bool

    @classmethod
    def build(
        cls,
        spell: Callable[[str], S],
        lowered: bool,
        ours: tuple[Header, ...],
        marked: tuple[Header, ...],
        remove: frozenset[str],
        cookies: CookieRewrite | None,
        cache: tuple[Header, ...],
    ) -> Wire[S]:
        """``lowered``: our names go out lower-case (ASGI: HTTP/2 refuses others)."""

        def name(text: str) -> S:
            return spell(text.lower() if lowered else text)

        def low(text: str) -> S:
            return spell(text.lower())

        # The nonce goes in place: both lists name the same headers in order.
        assert [n for n, _ in ours] == [n for n, _ in marked], (ours, marked)
        ours_names = {low(n) for n, _ in ours}
        watch = ours_names | {low(n) for n in remove}
        if cookies is not None:
            watch.add(low("set-cookie"))
        carriers = frozenset(low(n) for n, value in marked if MARK in value)
        rewrite: Callable[[S], S] | None = None
        if cookies is not None and "set-cookie" not in remove:
            rewrite = _spelt(cookies, spell)
        return cls(
            headers=tuple((name(n), spell(v)) for n, v in ours),
            watch=frozenset(watch),
            nonce_watch=frozenset(watch | {low(n) for n, _ in cache}),
            remove=frozenset(low(n) for n in remove),
            pieces=tuple(
                (i, name(n), tuple(spell(piece) for piece in v.split(MARK)))
                for i, (n, v) in enumerate(marked)
                if MARK in v
            )
            or None,
            carriers=carriers,
            cache=tuple((name(n), spell(v)) for n, v in cache),
            lows=tuple(low(n) for n, _ in ours),
            cache_lows=tuple(low(n) for n, _ in cache),
            own=frozenset(low(n) for n, _ in (*ours, *cache)),
            cookie=low("set-cookie"),
            rewrite=rewrite,
            raw=spell is _latin,
            policy=any(n.startswith("Content-Security-Policy") for n, _ in ours),
        )


def _text(value: str) -> str:
    return value


def _latin(value: str) -> bytes:
    # Header values are latin-1 text in WSGI; every byte maps to one character.
    return value.encode("latin-1")


def _spelt(cookies: CookieRewrite, spell: Callable[[str], S]) -> Callable[[S], S]:
    if spell is _text:
        return cookies.function()  # type: ignore[return-value]
    return cookies.bytes_function()  # type: ignore[return-value]


@dataclass(frozen=True, slots=True, eq=False)
class Side:
    """What one config means for an http or an https response."""

    #: Ours, and the same with :data:`MARK` where the nonce goes.
    headers: tuple[Header, ...]
    marked: tuple[Header, ...]
    #: The two spellings: WSGI's text, ASGI's lower-case bytes.
    text: Wire[str]
    raw: Wire[bytes]
    remove: frozenset[str]
    cookies: CookieRewrite | None
    #: Added to a response whose own CSP header carries the nonce.
    nonce_cache_control: tuple[Header, ...]
    #: ``force_https``: the redirect for plain-http requests; ``None``: none.
    redirect: ForceHttps | None
    #: The policies as data, for a response that changes one (``update_csp``).
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
        return cls.made(
            side.headers,
            side.marked,
            side.nonce_cache_control,
            base=side,
            rate=rate,
            unsampled=quiet,
        )

    @classmethod
    def _build(cls, config: Config, *, https: bool, reporting: bool) -> Side:
        ours = headers(config, https=https, reporting=reporting)
        for name, value in ours:
            if not value.strip():  # the config checks should make this unreachable
                raise ConfigError(f"{name} would be sent empty: browsers ignore it")
        cache = config.csp_nonce_cache_control
        # cache_control, when set, is in ours already and wins over this.
        cache_control = (
            (("Cache-Control", cache),)
            if isinstance(cache, str) and config.cache_control is False
            else ()
        )
        marked = headers(config, https=https, nonce=MARK, reporting=reporting)
        return cls._made(
            ours,
            marked,
            cache_control,
            remove=frozenset(name.lower() for name in config.remove_headers),
            cookies=CookieRewrite.for_config(config, https=https),
            redirect=None if https else ForceHttps.for_config(config, ours),
            csp=CspParts.build(config, ours, reporting=reporting),
        )

    @classmethod
    def made(
        cls,
        ours: tuple[Header, ...],
        marked: tuple[Header, ...],
        cache: tuple[Header, ...],
        *,
        base: Side,
        rate: float = 1.0,
        unsampled: Side | None = None,
    ) -> Side:
        """A side with other headers than ``base`` and all else of it."""
        return cls._made(
            ours,
            marked,
            cache,
            remove=base.remove,
            cookies=base.cookies,
            redirect=base.redirect,
            csp=base.csp,
            rate=rate,
            unsampled=unsampled,
        )

    @classmethod
    def _made(
        cls,
        ours: tuple[Header, ...],
        marked: tuple[Header, ...],
        cache: tuple[Header, ...],
        *,
        remove: frozenset[str],
        cookies: CookieRewrite | None,
        redirect: ForceHttps | None,
        csp: CspParts,
        rate: float = 1.0,
        unsampled: Side | None = None,
    ) -> Side:
        # The one place a side's derived parts are computed, for every side
        # (top level, rule, override, sample, a response's own change).
        return cls(
            headers=ours,
            marked=marked,
            text=Wire.build(_text, False, ours, marked, remove, cookies, cache),
            raw=Wire.build(_latin, True, ours, marked, remove, cookies, cache),
            remove=remove,
            cookies=cookies,
            nonce_cache_control=cache,
            redirect=redirect,
            csp=csp,
            rate=rate,
            unsampled=unsampled,
        )

    def derived(self, edits: tuple[CspEdit, ...], omit: frozenset[str]) -> Side:
        """This side with the CSP ``edits`` applied in order, then ``omit``.

        The nonce still goes in per request, after the edits: the derived side
        has its own nonce template, split where the nonce goes.
        """
        ours = _omitted(edited(self.csp, self.headers, edits, None), omit)
        marked = _omitted(edited(self.csp, self.marked, edits, MARK), omit)
        cache = _omitted(list(self.nonce_cache_control), omit)
        return Side.made(tuple(ours), tuple(marked), tuple(cache), base=self)


def _omitted(ours: list[Header], omit: frozenset[str]) -> list[Header]:
    return [h for h in ours if h[0].lower() not in omit] if omit else ours


@dataclass(frozen=True, eq=False)
class Plan:
    """What one config means for a request, computed once at start-up.

    Compared by identity: a plan is a key of the caches of its variants.
    """

    http: Side
    https: Side
    secured: bool
    unsafe_eval: bool
    #: ``cross_origin``: the check before the app runs; ``None``: none.
    guard: CrossOriginGuard | None
    #: Anything to decide before the app runs: the https scheme, the
    #: redirect or the cross-origin check.
    before_app: bool
    #: Where it comes from, for messages: "the top level", "paths rule '/x/'".
    where: str
    #: What it was built from: an override is merged onto it on first use.
    config: Config = field(repr=False)

    @classmethod
    def build(cls, config: Config, where: str = "the top level") -> Plan:
        http = Side.build(config, https=False)
        guard = CrossOriginGuard.for_config(config)
        return cls(
            http=http,
            https=Side.build(config, https=True),
            secured=config.server_secured,
            unsafe_eval=config.csp_unsafe_eval,
            guard=guard,
            before_app=(
                config.server_secured or http.redirect is not None or guard is not None
            ),
            where=where,
            config=config,
        )
