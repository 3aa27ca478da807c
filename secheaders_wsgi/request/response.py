"""Per-response control from the view: named overrides, CSP changes, omitted headers.

The middleware puts one :class:`ResponseState` per request under
``environ["secheaders.response"]`` (an ASGI adapter puts the same object in
the scope); the four public functions record what the view asks for there,
and the middleware applies it when the response starts, in a fixed order:
the top level, the path rule, each override in call order, each CSP change
in call order, the nonce, then ``omit_headers``. A response that asks for
none of it costs one small object and one attribute test.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from random import random
from typing import TYPE_CHECKING, Any, cast

from ..config.overrides import csp_change, header_names
from .nonce import new_nonce, too_late

if TYPE_CHECKING:
    from ..overrides import CspEdit, OverridePlans
    from ..plan import Plan, Side

__all__ = [
    "STATE_KEY",
    "ResponseState",
    "csp_replace",
    "csp_update",
    "omit_headers",
    "use_override",
]

STATE_KEY = "secheaders.response"
#: Whether the response's policy allows eval (set by the middleware).
UNSAFE_EVAL_KEY = "secheaders.csp_unsafe_eval"


class ResponseState:
    """What one response asked for, and whether its headers have left.

    ``changed`` stays false for a response that made no nonce and no call:
    the middleware then takes its precomputed side as it is. An adapter
    (WSGI, ASGI) makes one per request from its :meth:`for_plans` class, sets
    ``plan`` and ``https`` where they differ from the defaults, ``sent`` when
    the response starts, and sends what :meth:`side` gives exactly as it
    sends a precomputed side. Where the side has an ``unsampled`` variant
    (``csp_report_sample_rate``), the adapter draws once, sets ``sampled``
    and sends that variant when the draw says so.
    """

    # No __slots__ and no __init__: the class attributes are the defaults and
    # the plans come from the class (for_plans), so making one per request
    # runs no Python code at all; the adapter sets plan and https.
    plans: OverridePlans
    #: The plan the request was routed to (default: the top level's), and
    #: whether it came over https.
    plan: Plan
    https = False
    sent = False
    changed = False
    #: A view called one of the functions below (not only the nonce).
    asked = False
    made: str | None = None
    #: Whether this response carries the reporting directives, once drawn
    #: (``csp_report_sample_rate``); ``None``: not drawn.
    sampled: bool | None = None
    names: tuple[str, ...] = ()
    #: The plan with ``names`` merged on, once a view called use_override.
    merged: Plan | None = None
    edits: tuple[CspEdit, ...] = ()
    omit: frozenset[str] = frozenset()

    @classmethod
    def for_plans(cls, plans: OverridePlans, top: Plan) -> type[ResponseState]:
        """The class of one middleware's states: its plans, ``top`` the default."""
        made = type(cls.__name__, (cls,), {"plans": plans, "plan": top})
        return cast("type[ResponseState]", made)

    def nonce(self) -> str:
        """The request's CSP nonce (``environ["secheaders.csp_nonce"]``), made once.

        A first call after the response started raises (:func:`.nonce.too_late`).
        """
        made = self.made
        if made is None:
            if self.sent:
                raise too_late()
            made = self.made = new_nonce()
            self.changed = True  # the response needs its nonced headers
        return made

    # environ["secheaders.csp_nonce"] is the state itself: one bound method
    # fewer to make on every request, the nonce's or not.
    __call__ = nonce

    def side(self) -> Side:
        """The plan's side with this response's overrides, edits and omissions."""
        plan = self.merged or self.plan
        side = plan.https if self.https else plan.http
        if side.unsampled is not None:  # csp_report_sample_rate
            if self.sampled is None:  # only the override samples: draw now
                self.sampled = random() < side.rate
            if not self.sampled:
                side = side.unsampled
        if self.edits or self.omit:
            side = self.plans.side(side, self.edits, self.omit)
        return side


def _state(environ: Mapping[str, Any], call: str) -> ResponseState:
    state = environ.get(STATE_KEY)
    if isinstance(state, ResponseState) and not state.sent:  # the usual case, first
        return state
    if not isinstance(state, ResponseState):
        raise RuntimeError(
            f"{call}: no {STATE_KEY!r} in the environ: this request did not go "
            "through secheaders_wsgi.SecureHeaders (wrap the application in it, "
            "and pass the request's own environ)"
        )
    raise RuntimeError(
        f"{call} was called after start_response: the headers have been "
        "sent, so this response can no longer change; call it before the "
        "response starts (in the view, before it returns)"
    )


def use_override(environ: Mapping[str, Any], name: str) -> None:
    """Apply the named override from the config's ``overrides:`` to this response::

        use_override(request.environ, "embed")

    Overrides stack in call order (a later one's keys win). An unknown name is
    a :class:`~secheaders_wsgi.ConfigError` with a did-you-mean; a call after
    ``start_response`` or without ``SecureHeaders`` is a RuntimeError.
    """
    state = _state(environ, "use_override")
    names = state.names + (state.plans.check(name),)
    # Merged now, not when the response starts: a contradiction between
    # stacked overrides fails here, and the app sees the new eval switch.
    state.merged = plan = state.plans.plan(state.plan, names)
    state.names = names
    state.changed = state.asked = True
    try:
        cast("MutableMapping[str, Any]", environ)[UNSAFE_EVAL_KEY] = plan.unsafe_eval
    except TypeError:  # a read-only mapping: nothing to update
        pass


def csp_update(
    environ: Mapping[str, Any],
    directives: Mapping[str, Iterable[str] | str],
    *,
    report_only: bool = False,
) -> None:
    """Add sources to directives of this response's policy::

        csp_update(request.environ, {"img-src": ["https://cdn.example"]})

    A directive the policy lacks starts from its fallback (``img-src`` from
    ``default-src``), so an update only ever allows more. Calls stack.
    ``report_only=True`` changes the ``csp_report_only_header`` policy
    instead. With no such policy in force, there is nothing to change. The
    sources are checked as the config checks them (ConfigError).
    """
    state = _state(environ, "csp_update")
    change = csp_change("csp_update", directives, allow_none=False)
    state.edits += ((report_only, False, change),)
    state.changed = state.asked = True


def csp_replace(
    environ: Mapping[str, Any],
    directives: Mapping[str, Iterable[str] | str | None],
    *,
    report_only: bool = False,
) -> None:
    """Replace directives of this response's policy; ``None`` drops one::

        csp_replace(request.environ, {"frame-ancestors": ["https://partner.example"],
                                      "upgrade-insecure-requests": None})

    Calls stack with :func:`csp_update` in call order; ``report_only`` as
    there.
    """
    state = _state(environ, "csp_replace")
    change = csp_change("csp_replace", directives, allow_none=True)
    state.edits += ((report_only, True, change),)
    state.changed = state.asked = True


def omit_headers(environ: Mapping[str, Any], *names: str) -> None:
    """Send none of our headers by these names on this response::

        omit_headers(request.environ, "X-Frame-Options")

    Applied last, after overrides, CSP changes and the nonce. The app's own
    headers are left alone (they win anyway).
    """
    state = _state(environ, "omit_headers")
    omitted = header_names("omit_headers", names)
    state.omit = state.omit | omitted
    state.changed = state.asked = True
