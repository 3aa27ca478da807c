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
from .cookies import CookieRewrite
from .nonce import ENVIRON_KEY, Nonce
from .policy import Header, headers
from .prefixes import PrefixTable
from .redirect import ForceHttps
from .reports import ReportReceiver
from .scheme import secure_scheme, trusted_proxies

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

    With ``force_https`` a plain-http request is redirected and the app is not
    called. With ``paths`` rules, the rule of the longest matching prefix of
    ``PATH_INFO`` decides the headers, the redirect and the cookie rewrite.
    """

    def __init__(self, app: WSGIApplication, config: ConfigSource = None) -> None:
        if not callable(app):
            raise TypeError(f"app must be a WSGI callable, not {type(app).__name__}")
        self.app = app
        self.config = load_config(config)
        self._plan = _Plan.build(self.config)
        # issue 4: per-path rules and trusted proxies; None keeps the default cheap.
        self._paths = (
            PrefixTable(
                (prefix, _Plan.build(rule)) for prefix, rule in self.config.paths
            )
            if self.config.paths
            else None
        )
        self._proxies = (
            trusted_proxies(self.config.trusted_proxies)
            if self.config.trusted_proxies
            else None
        )

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        if self._proxies is not None:
            self._proxies(environ)
        plan = self._plan
        if plan.receiver is not None and environ.get("PATH_INFO") == plan.report_path:
            return plan.receiver(environ, start_response)  # the app never sees it
        if self._paths is not None:
            plan = self._paths.longest(environ.get("PATH_INFO", "")) or plan
        if plan.secured:
            secure_scheme(environ)
        https = environ.get("wsgi.url_scheme") == "https"
        if not https and plan.redirect is not None and plan.redirect.applies(environ):
            return plan.redirect.respond(environ, start_response, plan.http)
        environ["secheaders.csp_unsafe_eval"] = plan.unsafe_eval
        environ[ENVIRON_KEY] = nonce = Nonce()
        ours = plan.https if https else plan.http
        cookies = plan.https_cookies if https else plan.http_cookies
        remove = plan.remove

        def _start_response(
            status: str, app_headers: list[Header], exc_info: OptExcInfo | None = None
        ) -> object:
            # From here on a first call of the nonce raises: the header is out.
            value = nonce._seal()
            chosen = ours if value is None else plan.nonced(https, value, app_headers)
            merged = _merged(app_headers, chosen, cookies, remove)
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
    # issue 4: more headers, redirect, proxies, cookies, paths
    #: Lower-case names of the app's headers to drop (``remove_headers``).
    remove: frozenset[str] = frozenset()
    #: The Set-Cookie rewrite for http and https responses; ``None``: none.
    http_cookies: CookieRewrite | None = None
    https_cookies: CookieRewrite | None = None
    #: ``force_https``: the redirect for plain-http requests; ``None``: none.
    redirect: ForceHttps | None = None

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
            remove=frozenset(name.lower() for name in config.remove_headers),
            http_cookies=_cookie_rewrite(config, https=False),
            https_cookies=_cookie_rewrite(config, https=True),
            redirect=_redirect(config),
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


def _cookie_rewrite(config: Config, *, https: bool) -> CookieRewrite | None:
    # server_secured: every cookie is Secure; force_https: those sent over https
    # (an exempt path answered over http would have its Secure cookie dropped).
    rewrite = CookieRewrite(
        secure=config.server_secured or (config.force_https and https),
        samesite=config.cookie_samesite or None,  # type: ignore[arg-type]
        httponly=(
            frozenset(config.cookie_httponly)
            if isinstance(config.cookie_httponly, tuple)
            else config.cookie_httponly
        ),
    )
    return None if rewrite == CookieRewrite() else rewrite


def _redirect(config: Config) -> ForceHttps | None:
    if not config.force_https:
        return None
    exempt = config.force_https_exempt
    return ForceHttps(
        exempt=PrefixTable((path, True) for path in exempt) if exempt else None,
        allowed_hosts=config.allowed_hosts,
    )


def _merged(
    app_headers: list[Header],
    ours: tuple[Header, ...],
    cookies: CookieRewrite | None = None,
    remove: frozenset[str] = frozenset(),
) -> list[Header]:
    """A new list: the app's headers, then ours that the app did not set.

    The app's headers named in ``remove`` are left out; every Set-Cookie is
    kept, rewritten by ``cookies``.
    """
    present = {name.lower() for name, _ in app_headers}
    # Rebuild the app's list only when there is something to change in it.
    if cookies is not None or not present.isdisjoint(remove):
        app_headers = [
            (name, cookies(value))
            if cookies is not None and name.lower() == "set-cookie"
            else (name, value)
            for name, value in app_headers
            if name.lower() not in remove
        ]
        present -= remove
    return [*app_headers, *(h for h in ours if h[0].lower() not in present)]
