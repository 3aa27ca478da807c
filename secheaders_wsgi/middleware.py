"""``SecureHeaders``: the WSGI adapter of the core.

Wrap any WSGI application (Flask, Django, Falcon, Bottle, Pyramid, ...) to send
a strong set of security headers on every response. Every decision is the
core's (:mod:`secheaders_wsgi.response`); this module only translates: the
environ into the core's view of a request and back, a
:class:`~secheaders_wsgi.reply.Reply` into a ``start_response`` call,
the report body out of ``wsgi.input``, and the app's ``start_response`` call
into the merged header list.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

from .config import ConfigSource, load_config
from .plan import Plan
from .reply import Reply
from .reports import ReportReceiver
from .request.scheme import Fix
from .response import Core
from .wiring import built_here, refuse_misuse

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["EnvironRequest", "SecureHeaders"]


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
    :func:`~secheaders_wsgi.update_csp`, :func:`~secheaders_wsgi.replace_csp`
    and :func:`~secheaders_wsgi.drop_headers`.

    With ``force_https`` a plain-http request is redirected and the app is not
    called. With ``paths`` rules, the rule of the longest matching prefix of
    ``PATH_INFO`` decides the headers, the redirect and the cookie rewrite.
    Paths are matched as routers see them: ``//admin`` and ``/admin//x`` are
    under ``/admin`` (see :mod:`~secheaders_wsgi.request.paths`).
    """

    secheaders_adapter = "wsgi"

    def __init__(self, app: WSGIApplication, config: ConfigSource = None) -> None:
        if not callable(app):
            raise TypeError(f"app must be a WSGI callable, not {type(app).__name__}")
        self.label = built_here("WSGI", config)
        refuse_misuse(app, "wsgi", self.label)
        self.app = app
        self.config = load_config(config, app=app)
        self._core = Core(self.config, self.label)
        self._plain = self._core.plain
        # The one field the core's quick choice reads, as the environ names it.
        self._quick = "PATH_INFO" if self._core.quick_reads_path else "REQUEST_METHOD"

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        core = self._core
        if self._plain:  # most sites: nothing to route, nothing to draw
            state = core.begin(environ, environ.get("wsgi.url_scheme") == "https")
        else:
            plan = core.quick(environ.get(self._quick, ""))
            if plan is None:
                routed = core.route(EnvironRequest(environ))
                if type(routed) is not Plan:  # the app is not called
                    if isinstance(routed, ReportReceiver):
                        routed = receive_report(routed, environ)
                    return _reply(cast(Reply, routed), start_response)
                plan = routed
            https = environ.get("wsgi.url_scheme") == "https"
            state = core.begin(environ, https, plan)
        state.server = start_response
        # Return the app's iterable itself: close(), len(), file_wrapper survive.
        return self.app(environ, state.start_response)


class EnvironRequest:
    """The core's view of a WSGI request: the environ, by PEP 3333's names.

    Django's middleware reads ``request.META``, an environ too, through it.
    """

    __slots__ = ("environ",)

    def __init__(self, environ: WSGIEnvironment) -> None:
        self.environ = environ

    def path(self) -> str:
        return str(self.environ.get("PATH_INFO", ""))

    def method(self) -> str:
        return str(self.environ.get("REQUEST_METHOD", "GET"))

    def scheme(self) -> str:
        return str(self.environ.get("wsgi.url_scheme", "http"))

    def header(self, name: str) -> str | None:
        # The server named the header: HTTP_ and the name upper-cased, "-" as
        # "_" (gunicorn, waitress and werkzeug drop names spelt with "_", so
        # X_Forwarded_Proto cannot pass for X-Forwarded-Proto).
        value = self.environ.get(_KEYS.get(name) or _key(name))
        return None if value is None else str(value)

    def server_port(self) -> str | None:
        port = self.environ.get("SERVER_PORT")
        return None if port is None else str(port)

    def target(self) -> tuple[str, str]:
        environ = self.environ
        return str(environ.get("SCRIPT_NAME", "")), str(environ.get("QUERY_STRING", ""))

    def rewrite(self, fix: Fix) -> None:
        environ = self.environ
        for name in fix.dropped:
            environ.pop(
                _KEYS.get(name) or "HTTP_" + name.upper().replace("-", "_"), None
            )
        if fix.scheme is not None:
            environ["wsgi.url_scheme"] = fix.scheme
        if fix.host is not None:
            environ["HTTP_HOST"] = fix.host
        if fix.server_name is not None:
            environ["SERVER_NAME"] = fix.server_name
        if fix.server_port is not None:
            environ["SERVER_PORT"] = fix.server_port
        if fix.prefix is not None:
            environ["SCRIPT_NAME"] = fix.prefix


# The environ key of each header the core asks for; the two that CGI names
# without HTTP_ (PEP 3333) to begin with.
_KEYS = {"content-type": "CONTENT_TYPE", "content-length": "CONTENT_LENGTH"}


def _key(name: str) -> str:
    # The core asks for a handful of names: each is spelt once, then kept.
    key = _KEYS[name] = "HTTP_" + name.upper().replace("-", "_")
    return key


def receive_report(receiver: ReportReceiver, environ: WSGIEnvironment) -> Reply:
    """The receiver's answer to the request ``environ`` describes, reading
    its body from the server's stream (Django's middleware too, under WSGI)."""
    wanted = receiver.wanted(
        str(environ.get("REQUEST_METHOD", "")),
        environ.get("CONTENT_TYPE"),
        environ.get("CONTENT_LENGTH"),
        bool(environ.get("wsgi.input_terminated")),
    )
    if isinstance(wanted, Reply):
        return wanted
    body = _read(environ, wanted)
    return receiver.accept(body, user_agent=environ.get("HTTP_USER_AGENT"))


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
