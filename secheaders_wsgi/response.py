"""The core: everything decided for one request, once, for every adapter.

An adapter (WSGI, ASGI, Django) only translates. Before the app runs it hands
the core an :class:`Incoming`, its view of the request, and gets back the plan
to answer with, or a :class:`~secheaders_wsgi.reply.Reply` to send
instead of calling the app (the https redirect), or the report receiver
(:meth:`Core.route`); the core also writes the scheme, host and prefix the app
must see back through the view. Then :meth:`Core.begin` makes the request's
:class:`ResponseState` (the lazy nonce, what the view asks for, the sampled
variant) and puts it where the app finds it; when the response starts,
:meth:`ResponseState.start_response` hands the merged header list, in the
adapter's spelling (:func:`merged`: text for WSGI, lower-case bytes for ASGI),
to the state's ``server``: under WSGI the app calls it as its
``start_response`` and it calls the server's.

The functions views call (:func:`use_override`, :func:`update_csp`,
:func:`replace_csp`, :func:`drop_headers`, :func:`csp_nonce`) record on the
state; they take a WSGI environ or an ASGI scope alike.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from random import random
from types import MappingProxyType
from typing import Any, Protocol, TypeVar, cast

from .config import Config
from .config.combinations import report_endpoint_clashes
from .config.overrides import Change, csp_change, header_names
from .errors import ConfigError, warn
from .plan import Plan, Side, Wire
from .policy.csp_edit import CspEdit
from .reply import Reply
from .reports import ReportReceiver
from .request.scheme import Fix, secured
from .site import Site
from .wiring import REENTERED, STACKED

__all__ = [
    "STATE_KEY",
    "UNSAFE_EVAL_KEY",
    "Core",
    "Incoming",
    "ResponseState",
    "csp_nonce",
    "drop_headers",
    "merged",
    "replace_csp",
    "update_csp",
    "use_override",
]

#: The request's state; called with no argument, it is the request's nonce.
STATE_KEY = "secheaders.csp_nonce"
#: Whether the response's policy allows eval.
UNSAFE_EVAL_KEY = "secheaders.csp_unsafe_eval"

S = TypeVar("S", str, bytes)


class Incoming(Protocol):
    """An adapter's view of a request: what the core reads, and where it writes.

    Paths are spelt as PEP 3333 spells ``PATH_INFO`` (the bytes as latin-1).
    """

    def path(self) -> str: ...

    def method(self) -> str: ...

    def scheme(self) -> str: ...

    def header(self, name: str) -> str | None:
        """The header named exactly ``name`` (lower-case, compared without
        case), repeated ones joined by commas; ``None``: not sent."""

    def server_port(self) -> str | None: ...

    def target(self) -> tuple[str, str]:
        """The mount prefix (``SCRIPT_NAME``) and the query string."""

    def rewrite(self, fix: Fix) -> None:
        """Make the app see ``fix``'s scheme, host, server and prefix."""


class Core:
    """One middleware's decisions: a :class:`Site` and the requests through it.

    ``label`` names the middleware in messages (where it was built, its
    config); ``raw``: the adapter's headers are bytes (ASGI), not text (WSGI).
    """

    def __init__(self, config: Config, label: str, *, raw: bool = False) -> None:
        site = Site.build(config)
        self.config = config
        self.label = label
        #: The adapter's headers are bytes (ASGI), not text.
        self.raw = raw
        self.site = site
        self.top = site.top
        #: ``quick(value)``: the plan from one field of the request, where
        #: that is all it takes; ``None``: :meth:`route` the request. Cheaper
        #: than building the request's view for ``route``; chosen for the site
        #: at start-up. The field is the path (in PEP 3333's spelling) where
        #: :attr:`quick_reads_path`, else the method.
        self.quick_reads_path = site.by_path
        self.quick: Callable[[str], Plan | None] = (
            self._by_path() if site.by_path else self._by_method()
        )
        # Nothing but the https scheme to decide, for every request.
        top = site.top
        self._secured_only = (
            top.secured
            and site.paths is None
            and site.proxies is None
            and site.receiver is None
            and top.http.redirect is None
            and top.guard is None
        )
        #: Whether a WebSocket handshake has anything to be decided: its
        #: scheme, host or prefix, or a cross-origin check.
        self.checks_websockets = (
            site.proxies is not None or config.server_secured or site.guarded
        )
        # How a state starts for each plan a path picks (the top level's,
        # each rule's), over http and over https (see _Start).
        top = site.top
        self._starts = {
            plan: self._state_starts(plan, site.variants.fixed)
            for plan in (top, *site.rules)
        }
        self._http_start, self._https_start = self._starts[top]
        #: Every request gets the top plan and draws nothing: the adapter
        #: may route nothing and call :meth:`begin` with no plan.
        self.plain = site.by_path and site.paths is None and not _sampling(top)
        self._warned: set[str] = set()
        self._lock = threading.Lock()

    def _state_starts(
        self, plan: Plan, fixed: Mapping[tuple[Plan, str], Plan]
    ) -> tuple[_Start, _Start]:
        """The start of a state of ``plan``, over http, then over https."""
        raw = self.raw
        sampling = _sampling(plan)
        # The overrides built on this plan at start-up whose sides draw no
        # sample: use_override then only swaps the plan and the wire. A plan
        # that samples has none: begin draws its wire per request.
        ready = [
            (name, merged)
            for (on, name), merged in fixed.items()
            if on is plan and not _sampling(merged) and not sampling
        ]

        def start(https: bool) -> _Start:
            side = plan.https if https else plan.http
            swaps = {
                name: (
                    merged,
                    _wire(merged.https if https else merged.http, raw),
                    merged.unsafe_eval is not plan.unsafe_eval,
                )
                for name, merged in ready
            }
            return plan, _wire(side, raw), _DRAW if sampling else swaps

        return start(False), start(True)

    def _by_path(self) -> Callable[[str], Plan]:
        site, top = self.site, self.top
        if site.paths is None:
            return lambda path: top
        longest = site.paths.longest
        # The plan of each path seen lately: pages are asked for again and
        # again. Bounded whatever the paths, emptied when full (one atomic
        # step, safe under threads); a new path walks the table.
        seen: dict[str, Plan] = {}

        def by_path(path: str) -> Plan:
            plan = seen.get(path)
            if plan is None:
                if len(seen) >= _PATHS_SEEN:
                    seen.clear()
                plan = seen[path] = longest(path) or top
            return plan

        return by_path

    def _by_method(self) -> Callable[[str], Plan | None]:
        site, top = self.site, self.top
        guard = top.guard
        if (
            guard is not None
            and site.paths is None
            and site.proxies is None
            and site.receiver is None
            and not top.secured
            and top.http.redirect is None
        ):
            # The top level's cross-origin check is all there is to decide:
            # the methods it lets through whatever the headers say need
            # nothing read (a GET under csrf mode).
            passes = guard.passes
            return lambda method: top if method in passes else None
        return lambda method: None

    def route(self, request: Incoming) -> Plan | Reply | ReportReceiver:
        """The plan for this request, or what answers it instead of the app.

        Trusted proxies first, then the report receiver, the path rule, the
        https scheme of ``server_secured``, the https redirect and the
        cross-origin check (``cross_origin``): all before the app runs.
        """
        if self._secured_only:  # the usual production site: one fix
            request.rewrite(secured(request.header("host"), request.server_port()))
            return self.top
        site = self.site
        if site.proxies is not None:
            request.rewrite(site.proxies.fix(request.header, request.header("host")))
        path = request.path()
        if site.receiver is not None and path == site.report_path:
            return site.receiver  # never the app's
        plan = self.top
        if site.paths is not None:
            plan = site.paths.longest(path) or plan
        if plan.before_app:
            return self._before_app(plan, request, path)
        return plan

    @staticmethod
    def _before_app(plan: Plan, request: Incoming, path: str) -> Plan | Reply:
        """``server_secured``, the redirect and the cross-origin check."""
        if plan.secured:
            fix = secured(request.header("host"), request.server_port())
            request.rewrite(fix)
        redirect = plan.http.redirect
        if (
            redirect is not None
            and request.scheme() != "https"
            and redirect.applies(path)
        ):
            script_name, query = request.target()
            return redirect.reply(
                request.method(), request.header("host"), script_name, path, query
            )
        guard = plan.guard
        if guard is not None and (method := request.method()) not in guard.passes:
            scheme = request.scheme()
            refusal = guard.answer(
                method,
                request.header("sec-fetch-site"),
                request.header("sec-fetch-mode"),
                request.header("sec-fetch-dest"),
                request.header("origin"),
                scheme,
                request.header("host"),
                path,
            )
            if refusal is not None:
                # The refusal is a response of the site's: it gets our headers.
                side = plan.https if scheme == "https" else plan.http
                return refusal.with_ours(side.headers)
        return plan

    def websocket(self, request: Incoming) -> bool:
        """A WebSocket handshake: the scheme, host and prefix, and the
        cross-origin check of its path's plan. ``False``: refuse it."""
        site = self.site
        if site.proxies is not None:
            request.rewrite(site.proxies.fix(request.header, request.header("host")))
        if self.config.server_secured:
            request.rewrite(secured(request.header("host"), request.server_port()))
        path = request.path()
        plan = self.top
        if site.paths is not None:
            plan = site.paths.longest(path) or plan
        guard = plan.guard
        return guard is None or guard.admits_websocket(
            request.header("sec-fetch-site"),
            request.header("origin"),
            request.scheme(),
            request.header("host"),
            path,
        )

    def begin(
        self, carrier: MutableMapping[str, Any], https: bool, plan: Plan | None = None
    ) -> ResponseState:
        """The request's state, put in ``carrier`` (the environ or the scope).

        ``plan``: the one :meth:`route` or :attr:`quick` gave; ``None``: the
        top level's, where :attr:`plain` says it is every request's.

        A state already there whose response has not started is another
        SecureHeaders' around this one: refused, since this one's headers
        would win and the outer one's config do nothing without a word; or
        this one's own, when the app leads back to the middleware. (One whose
        response has gone is a finished request's, in an environ used again.)
        """
        if plan is None:
            chosen, wire, ready = self._https_start if https else self._http_start
        else:
            chosen, wire, ready = self._starts[plan][1 if https else 0]
        state = ResponseState()
        state.plan = chosen
        state.wire = wire
        state.ready = ready
        state.changed = False
        state.https = https
        state.core = self
        if STATE_KEY in carrier and not getattr(carrier[STATE_KEY], "sent", True):
            raise self._stacked(carrier[STATE_KEY])
        carrier[STATE_KEY] = state
        carrier[UNSAFE_EVAL_KEY] = chosen.unsafe_eval
        if ready is _DRAW:  # csp_report_sample_rate: draw
            state.ready = _ASKED  # no swap: an override merges on the draw
            side = chosen.https if https else chosen.http
            if side.unsampled is not None:
                state.sampled = sampled = random() < side.rate
                if not sampled:
                    side = side.unsampled
            state.wire = side.raw if self.raw else side.text  # _wire, inline
        return state

    def _stacked(self, outer: object) -> Exception:
        core = getattr(outer, "core", None)
        if core is self:
            # flask_app.wsgi_app = SecureHeaders(flask_app): it calls itself.
            return TypeError(REENTERED)
        other = core.label if isinstance(core, Core) else "another middleware"
        return RuntimeError(
            f"two SecureHeaders handle this request: {other} (outer) and "
            f"{self.label} (inner); {STACKED}"
        )

    def nonce_unused(self, plan: Plan, wire: Wire[Any]) -> None:
        """Warn, once per plan, that a response made a nonce its policy ignores."""
        if wire.pieces is not None or not wire.policy:
            return  # the nonce is used, or no policy goes out to mislead
        where = plan.where
        with self._lock:
            if where in self._warned:
                return
            self._warned.add(where)
        warn(
            f"csp_nonce() was used on a response under {where}, whose "
            "Content-Security-Policy takes no nonce ('unsafe-inline' is in "
            "force there, or no script-src/style-src to put it in), so the "
            "nonce protects nothing. Set csp_unsafe_inline: false for "
            f"{where} (or preset: strict) so the policy uses it, or stop "
            "asking for a nonce there"
        )


_C = TypeVar("_C", bound=type)


def _share_names(cls: _C) -> _C:
    """``cls``, every name a state may set stored once on a throwaway instance.

    CPython keeps the instance attributes of a class in keys shared by its
    instances, but lets the keys grow only while few instances exist. States
    are made by the thousand and most set only what they start with: a name
    first set later (``made`` by the nonce, ``asked`` by ``update_csp``)
    would then cost every such state a dict of its own, about 50 ns a store.
    """
    probe = cls()
    for name in _STATE_NAMES:
        setattr(probe, name, getattr(probe, name, None))
    return cls


#: How a request's state starts, for one plan and scheme: the plan, the
#: wire and the swap table. (A plain tuple: unpacking one is fast.)
_Start = tuple[Plan, Wire[Any], Mapping[str, tuple[Plan, Wire[Any], bool]]]


#: What a request may set on its state, those :meth:`Core.begin` sets first.
_STATE_NAMES = (
    "plan",
    "wire",
    "ready",
    "changed",
    "https",
    "core",
    "server",
    "made",
    "asked",
    "sampled",
    "edits",
    "omit",
)


def _wire(side: Side, raw: bool) -> Wire[Any]:
    return side.raw if raw else side.text


def _sampling(plan: Plan) -> bool:
    return plan.http.unsampled is not None or plan.https.unsampled is not None


@_share_names
class ResponseState:
    """What one response asked for, and whether its headers have left.

    :meth:`Core.begin` makes one per request and sets the first six below;
    the adapter sets ``server``. One class for every core, adapter and plan,
    with no class default for
    those: CPython 3.11 reads and sets the attributes of an instance fast
    only where it keeps meeting one class, and where the name has no class
    default.
    """

    #: The plan the request was routed to, with the overrides a view asked
    #: for merged on.
    plan: Plan
    #: The wire chosen when the request began (the sample drawn), in the
    #: adapter's spelling; an override's, once swapped in.
    wire: Wire[Any]
    #: override name -> the plan and wire it gives a response that asked
    #: nothing else yet (the overrides built at start-up on this plan), and
    #: whether it turns the eval switch the app reads. Emptied by the first
    #: call that asks for anything, ``None`` once the headers have left: one
    #: lookup tells use_override whether a swap is all it takes.
    ready: Mapping[str, tuple[Plan, Wire[Any], bool]] | None
    #: The app made the nonce or a view asked for a change.
    changed: bool
    #: Whether the request came over https.
    https: bool
    core: Core
    #: Takes the merged headers from :meth:`start_response`: the server's
    #: ``start_response`` under WSGI; ``None``: they are returned (ASGI,
    #: Django).
    server: Callable[[Any, list[Any], Any], Any] | None
    #: A view called one of the functions below (not only the nonce).
    asked = False
    made: str | None = None
    #: Whether this response carries the reporting directives, once drawn
    #: (``csp_report_sample_rate``); ``None``: not drawn.
    sampled: bool | None = None
    edits: tuple[CspEdit, ...] = ()
    omit: frozenset[str] = frozenset()

    @property
    def sent(self) -> bool:
        """Whether the response's headers have left: nothing can change now."""
        return self.ready is None

    def nonce(self) -> str:
        """The request's CSP nonce, made on first use.

        A first call after the response started raises: the policy has left
        without it, so the browser would block what it was meant for.
        """
        made = self.made
        if made is None:
            if self.sent:
                raise _too_late()
            made = self.made = secrets.token_urlsafe(_NONCE_BYTES)
            self.changed = True
        return made

    # environ["secheaders.csp_nonce"] is the state itself: one object and one
    # key per request, the nonce's or not.
    __call__ = nonce

    def start_response(
        self, head: Any, app_headers: Sequence[tuple[S, S]], exc_info: Any = None
    ) -> Any:
        """The app's headers merged with ours, handed to :attr:`server`.

        ``app_headers`` in the adapter's spelling (text for WSGI, bytes for
        ASGI), as is the merged list. Under WSGI this is the
        ``start_response`` the app calls: ``server`` is the server's, and
        gets ``head`` (the status) and ``exc_info`` as they came. With no
        ``server`` (ASGI, Django) the merged list is returned. From here on
        the response cannot change (a first nonce or a change raises).
        """
        self.ready = None  # sent
        if self.changed:
            merged = self._changed(app_headers)
        else:
            # The usual response, inline: no app header is one of ours, one
            # to remove or a cookie to rewrite, so appending is all there is.
            wire: Wire[S] = self.wire
            watch = wire.watch
            for name, _ in app_headers:
                if name.lower() in watch:
                    merged = _merged_slowly(wire, app_headers, wire.headers, ())
                    break
            else:
                merged = [*app_headers, *wire.headers]  # type: ignore[list-item]
        server = self.server
        return merged if server is None else server(head, merged, exc_info)

    def _changed(self, app_headers: Sequence[tuple[S, S]]) -> list[tuple[S, S]]:
        wire: Wire[S] = self.wire
        if self.asked:
            side = self.side()
            wire = _wire(side, self.core.raw)
        made = self.made
        if made is not None and wire.pieces is None:
            self.core.nonce_unused(self.plan, wire)
        return merged(wire, app_headers, made)

    def side(self) -> Side:
        """The plan's side with this response's overrides, edits and omissions."""
        plan = self.plan
        side = plan.https if self.https else plan.http
        if side.unsampled is not None:  # csp_report_sample_rate
            if self.sampled is None:  # only the override samples: draw now
                self.sampled = random() < side.rate
            if not self.sampled:
                side = side.unsampled
        if self.edits or self.omit:
            side = self.core.site.variants.side(side, self.edits, self.omit)
        return side


#: A response's ``ready`` once it asked for anything: no swap is enough.
_ASKED: Mapping[str, tuple[Plan, Wire[Any], bool]] = MappingProxyType({})
#: A state's ``ready`` when it begins, where its plan draws a sample per
#: request (``csp_report_sample_rate``): :meth:`Core.begin` draws.
_DRAW: Mapping[str, tuple[Plan, Wire[Any], bool]] = MappingProxyType({})

#: How many request paths' plans a site with ``paths`` rules keeps.
_PATHS_SEEN = 4096

# 18 random bytes: 144 bits (CSP3 asks for at least 128), and a multiple of
# three, so the base64url text has no '=' padding to get wrong in templates.
_NONCE_BYTES = 18


def _too_late() -> RuntimeError:
    return RuntimeError(
        "the CSP nonce was asked for after start_response: the "
        "Content-Security-Policy header has been sent without it, so "
        "browsers would block the element it is for; get the nonce "
        "before the response starts (e.g. render the template first)"
    )


def merged(
    wire: Wire[S], app_headers: Sequence[tuple[S, S]], nonce: str | None
) -> list[tuple[S, S]]:
    """A new list: the app's headers, then ours that the app did not set.

    The app's headers named in ``remove_headers`` are left out; every
    Set-Cookie is kept, rewritten. With ``nonce``, ours carry it, and the
    nonce's Cache-Control goes beside a nonced header of ours.
    """
    pieces = wire.pieces
    ours: Sequence[tuple[S, S]]
    cache: tuple[tuple[S, S], ...] = ()
    if nonce is None or pieces is None:
        ours = wire.headers
        watch = wire.watch
    else:
        token: Any = nonce.encode() if wire.raw else nonce  # the nonce is ASCII
        nonced = list(wire.headers)
        for index, name, parts in pieces:
            nonced[index] = (name, token.join(parts))
        ours = nonced
        watch = wire.nonce_watch
        cache = wire.cache
    # Usually no app header is one of ours, one to remove or a cookie to
    # rewrite: then appending is all there is to do.
    for name, _ in app_headers:
        if name.lower() in watch:
            break
    else:
        return cast("list[tuple[S, S]]", [*app_headers, *ours, *cache])
    return _merged_slowly(wire, app_headers, ours, cache)


def _merged_slowly(
    wire: Wire[S],
    app_headers: Sequence[tuple[S, S]],
    ours: Sequence[tuple[S, S]],
    cache: tuple[tuple[S, S], ...],
) -> list[tuple[S, S]]:
    """:func:`merged` where an app header needs more than appending ours."""
    remove = wire.remove
    rewrite = wire.rewrite
    cookie = wire.cookie if rewrite is not None else None
    # One pass: the app's headers kept (cookies rewritten, removed ones out)
    # and the names they carry.
    kept: list[tuple[S, S]] = []
    present: set[S] = set()
    for header in app_headers:
        low = header[0].lower()
        if low in remove:
            continue
        present.add(low)
        kept.append(
            (header[0], rewrite(header[1]))  # type: ignore[misc]  # cookie: None without rewrite
            if low == cookie
            else header
        )
    if cache and wire.carriers <= present:
        cache = ()  # the app's own policies carry no nonce: no Cache-Control
    if present.isdisjoint(wire.own):  # a cookie to rewrite, none of ours set
        kept.extend(ours)
        kept.extend(cache)
        return kept
    # Ours the app did not set; their lower-case names were kept at start-up.
    for low, header in zip(wire.lows, ours, strict=True):
        if low not in present:
            kept.append(header)
    if cache:
        for low, header in zip(wire.cache_lows, cache, strict=True):
            if low not in present:
                kept.append(header)
    return kept


def _state(carrier: Mapping[str, Any], call: str) -> ResponseState:
    state = carrier.get(STATE_KEY)
    if isinstance(state, ResponseState) and state.ready is not None:  # not sent
        return state
    if not isinstance(state, ResponseState):
        raise RuntimeError(
            f"{call}: no {STATE_KEY!r} in the environ or scope: this request "
            "did not go through secheaders_wsgi.SecureHeaders (wrap the "
            "application in it, and pass the request's own environ or scope)"
        )
    raise RuntimeError(
        f"{call} was called after the response started: the headers have been "
        "sent, so this response can no longer change; call it before the "
        "response starts (in the view, before it returns)"
    )


def csp_nonce(carrier: Mapping[str, Any]) -> str:
    """The request's CSP nonce, made on first use: ``csp_nonce(request.environ)``.

    Under ASGI pass the scope: ``csp_nonce(request.scope)``. Put it on each
    inline ``<script>`` and ``<style>`` (and on ``<script src>`` under
    ``'strict-dynamic'``); only a response that asked for it gets
    ``'nonce-...'`` in its policy. Raises :class:`RuntimeError` if the app is
    not wrapped in ``SecureHeaders``, or if this is the first call and the
    response headers are already sent.
    """
    state = carrier.get(STATE_KEY)
    if not isinstance(state, ResponseState):
        raise RuntimeError(
            f"no {STATE_KEY!r} in the WSGI environ or ASGI scope: wrap the "
            "application in secheaders_wsgi.SecureHeaders (or, for ASGI, "
            "secheaders_wsgi.asgi.SecureHeaders) to get a CSP nonce"
        )
    return state.nonce()


def use_override(carrier: Mapping[str, Any], name: str) -> None:
    """Apply the named override from the config's ``overrides:`` to this response::

        use_override(request.environ, "embed")

    Overrides stack in call order (a later one's keys win). An unknown name is
    a :class:`~secheaders_wsgi.ConfigError` with a did-you-mean; a call after
    the response started or without ``SecureHeaders`` is a RuntimeError.
    """
    try:  # the usual call, a response's first change: a swap, as below
        state: Any = carrier[STATE_KEY]  # anything: the try tells
        plan, state.wire, eval_changes = state.ready[name]
        state.plan = plan
        state.ready = _ASKED
        if eval_changes:
            _set_unsafe_eval(carrier, plan)
        return
    except (AttributeError, KeyError, TypeError):
        # No state here, the headers gone (None), a change asked before or
        # an override built on demand: the general path, which says why.
        state = carrier.get(STATE_KEY)
    if not isinstance(state, ResponseState) or state.sent:
        state = _state(carrier, "use_override")  # raises, saying why
    variants = state.core.site.variants
    base = state.plan
    # Merged now, not when the response starts: a contradiction between
    # stacked overrides fails here, and the app sees the new eval switch.
    plan = variants.plan(base, variants.check(name))
    if state.edits and plan.config.report_endpoint:
        # A change made before may add a report directive this override's
        # endpoint refuses: the order of the calls must not matter.
        for _, replace, change in state.edits:
            _refuse_report_directives(_EDITS[replace], plan.config, change)
    state.plan = plan
    state.ready = _ASKED
    side = plan.https if state.https else plan.http
    if state.asked or side.unsampled is not None:
        # Edits, omissions or a sample to draw: worked out when it starts.
        state.asked = state.changed = True
    else:
        # The override's side is the response's whole answer: its wire, as
        # a path rule's would be, and the response starts as fast.
        state.wire = _wire(side, state.core.raw)
    if plan.unsafe_eval is not base.unsafe_eval:
        _set_unsafe_eval(carrier, plan)


def _set_unsafe_eval(carrier: Mapping[str, Any], plan: Plan) -> None:
    try:
        carrier[UNSAFE_EVAL_KEY] = plan.unsafe_eval  # type: ignore[index]
    except TypeError:  # a read-only mapping: nothing to update
        pass


def update_csp(
    carrier: Mapping[str, Any],
    directives: Mapping[str, Iterable[str] | str],
    *,
    report_only: bool = False,
) -> None:
    """Add sources to directives of this response's policy::

        update_csp(request.environ, {"img-src": ["https://cdn.example"]})

    A directive the policy lacks starts from its fallback (``img-src`` from
    ``default-src``), so an update only ever allows more. Calls stack.
    ``report_only=True`` changes the ``csp_report_only_header`` policy
    instead. With no such policy in force, there is nothing to change. The
    sources are checked as the config checks them (ConfigError).
    """
    _edit(carrier, "update_csp", directives, report_only, replace=False)


def replace_csp(
    carrier: Mapping[str, Any],
    directives: Mapping[str, Iterable[str] | str | None],
    *,
    report_only: bool = False,
) -> None:
    """Replace directives of this response's policy; ``None`` drops one::

        replace_csp(request.environ, {"frame-ancestors": ["https://partner.example"],
                                      "upgrade-insecure-requests": None})

    Calls stack with :func:`update_csp` in call order; ``report_only`` as
    there.
    """
    _edit(carrier, "replace_csp", directives, report_only, replace=True)


def _edit(
    carrier: Mapping[str, Any],
    call: str,
    directives: object,
    report_only: bool,
    *,
    replace: bool,
) -> None:
    state = _state(carrier, call)
    change = csp_change(call, directives, allow_none=replace)
    config = state.plan.config
    if config.report_endpoint:  # the config sets report-uri and report-to
        _refuse_report_directives(call, config, change)
    state.edits += ((report_only, replace, change),)
    state.asked = state.changed = True
    state.ready = _ASKED


#: The call that made a change, by whether it replaces.
_EDITS = {False: "update_csp", True: "replace_csp"}


def _refuse_report_directives(call: str, config: Config, change: Change) -> None:
    """The config's own refusal of a report directive where it sets the endpoint."""
    clashes = report_endpoint_clashes(call, config, [name for name, _ in change])
    if clashes:
        raise ConfigError(clashes[0])


def drop_headers(carrier: Mapping[str, Any], *names: str) -> None:
    """Send none of our headers by these names on this response::

        drop_headers(request.environ, "X-Frame-Options")

    Applied last, after overrides, CSP changes and the nonce. The app's own
    headers are left alone (they win anyway).
    """
    state = _state(carrier, "drop_headers")
    state.omit = state.omit | header_names("drop_headers", names)
    state.asked = state.changed = True
    state.ready = _ASKED
