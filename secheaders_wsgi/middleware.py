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
from .policy import Header, headers
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
        secured = plan.secured
        if secured:
            secure_scheme(environ)
        environ["secheaders.csp_unsafe_eval"] = plan.unsafe_eval
        ours = plan.https if environ.get("wsgi.url_scheme") == "https" else plan.http

        def _start_response(
            status: str, app_headers: list[Header], exc_info: OptExcInfo | None = None
        ) -> object:
            merged = _merged(app_headers, ours, secured)
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

    @classmethod
    def build(cls, config: Config) -> _Plan:
        return cls(
            http=headers(config, https=False),
            https=headers(config, https=True),
            secured=config.server_secured,
            unsafe_eval=config.csp_unsafe_eval,
        )


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
