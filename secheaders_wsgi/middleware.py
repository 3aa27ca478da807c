"""``SecureHeaders``: the WSGI plumbing that adds a precomputed header set.

Wrap any WSGI application (Flask, Django, Falcon, Bottle, Pyramid, ...) to send
a strong set of security headers on every response. The headers are computed
once, when the middleware is built; a request only copies them. This module
knows no header semantics: it merges what :mod:`secheaders_wsgi.policy` made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .config import Config, ConfigSource, load_config
from .nonce import ENVIRON_KEY, Nonce
from .policy import Header, headers
from .reports import ReportReceiver
from .scheme import secure_scheme

if TYPE_CHECKING:
    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["SecureHeaders"]


class SecureHeaders:
    """WSGI middleware that adds security headers to every response.

    >>> app = SecureHeaders(app, {"server_secured": True})
    >>> app = SecureHeaders(app, "security.yaml")

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
    """

    def __init__(self, app: WSGIApplication, config: ConfigSource = None) -> None:
        if not callable(app):
            raise TypeError(f"app must be a WSGI callable, not {type(app).__name__}")
        self.app = app
        self.config = load_config(config)
        self._plan = _Plan.build(self.config)

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        plan = self._plan
        if plan.receiver is not None and environ.get("PATH_INFO") == plan.report_path:
            return plan.receiver(environ, start_response)  # the app never sees it
        secured = plan.secured
        if secured:
            secure_scheme(environ)
        environ["secheaders.csp_unsafe_eval"] = plan.unsafe_eval
        environ[ENVIRON_KEY] = nonce = Nonce()
        https = environ.get("wsgi.url_scheme") == "https"
        ours = plan.https if https else plan.http

        def _start_response(
            status: str, app_headers: list[Header], exc_info: OptExcInfo | None = None
        ) -> object:
            # From here on a first call of the nonce raises: the header is out.
            value = nonce._seal()
            chosen = ours if value is None else plan.nonced(https, value, app_headers)
            merged = _merged(app_headers, chosen, secured)
            return start_response(status, merged, exc_info)

        # Return the app's iterable itself: close(), len() and file_wrapper survive.
        return self.app(environ, _start_response)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Plan:
    """What one config means for a request, computed once at start-up."""

    http: tuple[Header, ...]
    https: tuple[Header, ...]
    secured: bool
    unsafe_eval: bool
    # issue 3: modern CSP
    #: The headers when the app used its nonce, each value split where the
    #: nonce goes, so the request only joins strings; None: the nonce changes
    #: nothing (no CSP, 'unsafe-inline' in force, no nonce directive).
    nonced_http: _Template | None
    nonced_https: _Template | None
    #: Added to a response whose own CSP header carries the nonce.
    nonce_cache_control: tuple[Header, ...]
    report_path: str | None
    receiver: ReportReceiver | None

    @classmethod
    def build(cls, config: Config) -> _Plan:
        cache = config.csp_nonce_cache_control
        path = config.csp_report_path
        return cls(
            http=headers(config, https=False),
            https=headers(config, https=True),
            secured=config.server_secured,
            unsafe_eval=config.csp_unsafe_eval,
            nonced_http=_template(config, https=False),
            nonced_https=_template(config, https=True),
            nonce_cache_control=(
                (("Cache-Control", cache),) if isinstance(cache, str) else ()
            ),
            report_path=path,
            receiver=ReportReceiver(config.csp_report_max_bytes) if path else None,
        )

    def nonced(
        self, https: bool, nonce: str, app_headers: list[Header]
    ) -> tuple[Header, ...]:
        """Our headers for a response whose app used ``nonce``."""
        template = self.nonced_https if https else self.nonced_http
        if template is None:
            return self.https if https else self.http
        present = {name.lower() for name, _ in app_headers}
        ours = tuple((name, nonce.join(pieces)) for name, pieces in template)
        # A shared cache would replay one nonce to every visitor. Only when our
        # nonced header goes out: an app-set CSP or Cache-Control wins.
        if any(len(p) > 1 and n.lower() not in present for n, p in template):
            ours += self.nonce_cache_control
        return ours


_Template = tuple[tuple[str, tuple[str, ...]], ...]

# Stands in for the nonce while the template is built; config refuses control
# characters, so it cannot occur in a header value otherwise.
_MARK = "\x00"


def _template(config: Config, *, https: bool) -> _Template | None:
    marked = headers(config, https=https, nonce=_MARK)
    if not any(_MARK in value for _, value in marked):
        return None
    return tuple((name, tuple(value.split(_MARK))) for name, value in marked)


def _merged(
    app_headers: list[Header], ours: tuple[Header, ...], secure_cookies: bool
) -> list[Header]:
    """A new list: the app's headers, then ours that the app did not set."""
    if secure_cookies:
        app_headers = [
            (name, _secure_cookie(value))
            if name.lower() == "set-cookie"
            else (name, value)
            for name, value in app_headers
        ]
    present = {name.lower() for name, _ in app_headers}
    return [*app_headers, *(h for h in ours if h[0].lower() not in present)]


def _secure_cookie(value: str) -> str:
    """Add ``; Secure`` to a Set-Cookie value that lacks it; change nothing else."""
    for attribute in value.split(";")[1:]:
        if attribute.split("=", 1)[0].strip().lower() == "secure":
            return value
    return value + "; Secure"
