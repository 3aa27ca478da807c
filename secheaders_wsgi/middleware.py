"""``SecureHeaders``: the WSGI plumbing that adds a precomputed header set.

Wrap any WSGI application (Flask, Django, Falcon, Bottle, Pyramid, ...) to send
a strong set of security headers on every response. What a config means is
worked out once, when the middleware is built (:mod:`secheaders_wsgi.plan`);
this module only routes a request to its plan (trusted proxies, the report
receiver, per-path rules, the https redirect), hands out the lazy nonce and
the per-response state (:mod:`.request.response`), and merges the plan's
headers into the app's. It knows no header semantics.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from random import random
from typing import TYPE_CHECKING

from .config import ConfigSource, load_config
from .plan import Plan, Side
from .policy import Header
from .reports import ReportReceiver
from .request.cookies import CookieRewrite
from .request.nonce import ENVIRON_KEY
from .request.reply import Reply
from .request.response import STATE_KEY, UNSAFE_EVAL_KEY, ResponseState
from .request.scheme import secure_scheme
from .request.site import Site
from .wiring import REENTERED, reentered, refuse_misuse

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["SecureHeaders"]

#: A request's plan, and the WSGI app that answers it instead of the wrapped
#: one (the report receiver, the redirect), or ``None``: the wrapped app does.
Route = tuple[Plan, "WSGIApplication | None"]


class SecureHeaders:
    """WSGI middleware that adds security headers to every response::

        app = SecureHeaders(app, {"server_secured": True})
        app = SecureHeaders(app, "security.yaml")

    ``config`` is ``None`` (all defaults), a mapping, or a path to a YAML file;
    a bad one raises :class:`~secheaders_wsgi.ConfigError` here, not later.

    A header the application sets itself (name compared without case) wins and
    is not sent twice: that is how one response overrides or opts out.
    Strict-Transport-Security goes only on HTTPS responses; with
    ``server_secured`` every response counts as HTTPS.

    Every request's environ carries ``secheaders.csp_nonce`` (see
    :func:`~secheaders_wsgi.csp_nonce`); only a response whose app called it
    gets the nonce in its policy. With ``csp_report_path`` set, requests to
    that path are answered by the report receiver and never reach the app.

    A view changes its own response with :func:`~secheaders_wsgi.use_override`,
    :func:`~secheaders_wsgi.csp_update`, :func:`~secheaders_wsgi.csp_replace`
    and :func:`~secheaders_wsgi.omit_headers` (state under
    ``environ["secheaders.response"]``).

    With ``force_https`` a plain-http request is redirected and the app is not
    called. With ``paths`` rules, the rule of the longest matching prefix of
    ``PATH_INFO`` decides the headers, the redirect and the cookie rewrite.
    Paths are matched as routers see them: ``//admin`` and ``/admin//x`` are
    under ``/admin`` (see :mod:`~secheaders_wsgi.request.paths`).
    """

    def __init__(self, app: WSGIApplication, config: ConfigSource = None) -> None:
        if not callable(app):
            raise TypeError(f"app must be a WSGI callable, not {type(app).__name__}")
        refuse_misuse(app)
        self.app = app
        self.config = load_config(config)
        site = Site.build(self.config, _same)
        self._plan = site.plan
        self._state = site.state
        self._paths = site.paths
        self._proxies = site.proxies
        self._report_path = site.report_path
        self._receiver = site.receiver
        self._plain = site.plain

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        plan = self._plan
        if self._plain:
            if plan.secured:
                secure_scheme(environ)
        else:
            plan, responder = self._route(environ)
            if responder is not None:
                return responder(environ, start_response)  # the app is not called
        https = environ.get("wsgi.url_scheme") == "https"
        planned = plan.https if https else plan.http
        environ[UNSAFE_EVAL_KEY] = plan.unsafe_eval
        # One object per request holds the nonce and what the view asks for
        # (use_override, csp_update, ...), in place of the closure the nonce
        # was: its class has the top plan and http as defaults.
        state = environ[STATE_KEY] = environ[ENVIRON_KEY] = self._state()
        if plan is not self._plan:
            state.plan = plan
        if https:
            state.https = True
        if planned.unsampled is not None:  # csp_report_sample_rate
            state.sampled = random() < planned.rate
            if not state.sampled:
                planned = planned.unsampled

        def _start_response(
            status: str, app_headers: list[Header], exc_info: OptExcInfo | None = None
        ) -> object:
            state.sent = True  # from here on a first nonce or a change raises
            if state.changed:  # the app made a nonce or the view asked for a change
                merged = _changed(state, planned, app_headers)
                return start_response(status, merged, exc_info)
            # Usually no app header is one of ours, one to remove or a cookie
            # to rewrite: then appending is all there is to do.
            watch = planned.watch
            for name, _ in app_headers:
                if name.lower() in watch:
                    break
            else:
                return start_response(
                    status, [*app_headers, *planned.headers], exc_info
                )
            merged = _merged(
                app_headers,
                planned.headers,
                planned.names,
                planned.cookies,
                planned.remove,
            )
            return start_response(status, merged, exc_info)

        try:
            # Return the app's iterable itself: close(), len(), file_wrapper survive.
            return self.app(environ, _start_response)  # type: ignore[arg-type]
        except RecursionError as exc:
            # Free until it happens (3.11's zero-cost try): the usual cause is
            # flask_app.wsgi_app = SecureHeaders(flask_app), which calls itself.
            if reentered(self, exc):
                raise TypeError(REENTERED) from None
            raise

    def _route(self, environ: WSGIEnvironment) -> Route:
        """Trusted proxies, the report receiver, path rules and the redirect.

        Returns the plan for this request and, when the report receiver or the
        https redirect answers it instead of the app, that responder.
        """
        if self._proxies is not None:
            self._proxies(environ)
        plan = self._plan
        path = environ.get("PATH_INFO", "")
        if self._receiver is not None and path == self._report_path:
            return plan, functools.partial(_receive, self._receiver)  # never the app's
        if self._paths is not None:
            plan = self._paths.longest(path) or plan
        if plan.secured:
            secure_scheme(environ)
        redirect = plan.http.redirect
        if (
            redirect is not None
            and environ.get("wsgi.url_scheme") != "https"
            and redirect.applies(environ)
        ):
            return plan, redirect
        return plan, None


def _changed(
    state: ResponseState, planned: Side, app_headers: list[Header]
) -> list[Header]:
    """The headers of a response with a nonce, an override or a change."""
    side = state.side() if state.asked else planned
    made = state.made
    if made is None:
        watch = side.watch
        for name, _ in app_headers:
            if name.lower() in watch:
                break
        else:
            return [*app_headers, *side.headers]
        return _merged(app_headers, side.headers, side.names, side.cookies, side.remove)
    present = {name.lower() for name, _ in app_headers}
    # An app header that remove_headers drops does not win over ours.
    chosen = side.nonced(made, present - side.remove)
    return _merged(app_headers, chosen, side.names, side.cookies, side.remove, present)


def _same(plan: Plan) -> Plan:
    return plan


def _merged(
    app_headers: list[Header],
    ours: tuple[Header, ...],
    names: frozenset[str],
    cookies: CookieRewrite | None,
    remove: frozenset[str],
    present: set[str] | None = None,
) -> list[Header]:
    """A new list: the app's headers, then ours that the app did not set.

    The app's headers named in ``remove`` are left out; every Set-Cookie is
    kept, rewritten by ``cookies``. ``names``: the lower-cased names in ``ours``;
    ``present``: those of the app's headers, when the caller has them already.
    """
    if present is None:
        present = {name.lower() for name, _ in app_headers}
    # Rebuild the app's list only when there is something to change in it.
    if cookies is not None and "set-cookie" in present:
        rebuilt: list[Header] = []
        for name, value in app_headers:
            low = name.lower()
            if low in remove:
                continue
            rebuilt.append(
                (name, cookies(value)) if low == "set-cookie" else (name, value)
            )
        app_headers = rebuilt
        present = present - remove
    elif not present.isdisjoint(remove):
        app_headers = [h for h in app_headers if h[0].lower() not in remove]
        present = present - remove
    if present.isdisjoint(names):
        return [*app_headers, *ours]
    return [*app_headers, *[h for h in ours if h[0].lower() not in present]]


def _receive(
    receiver: ReportReceiver, environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    wanted = receiver.wanted(
        environ.get("REQUEST_METHOD", ""),
        environ.get("CONTENT_TYPE"),
        environ.get("CONTENT_LENGTH"),
        bool(environ.get("wsgi.input_terminated")),
    )
    if isinstance(wanted, Reply):
        return _reply(wanted, start_response)
    user_agent = environ.get("HTTP_USER_AGENT")
    reply = receiver.accept(_read(environ, wanted), user_agent=user_agent)
    return _reply(reply, start_response)


def _read(environ: WSGIEnvironment, wanted: int) -> bytes | None:
    """At most ``wanted`` bytes of the body; ``None``: the client left."""
    chunks: list[bytes] = []
    got = 0
    try:
        stream = environ["wsgi.input"]
        while got < wanted:
            chunk = stream.read(wanted - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
    except Exception:
        # Servers raise their own types when a client hangs up (OSError,
        # werkzeug's ClientDisconnected, gunicorn's NoMoreData).
        return None
    return b"".join(chunks)


def _reply(reply: Reply, start_response: StartResponse) -> list[bytes]:
    start_response(reply.status, list(reply.headers))
    return [reply.body]
