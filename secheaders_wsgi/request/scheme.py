"""Make the application see the scheme, host and prefix the browser used.

Use it (through ``server_secured: true``) when TLS ends before the WSGI server,
at a proxy or a load balancer: the server then reports ``http`` and every URL
the framework builds (``url_for(..., _external=True)``,
``request.build_absolute_uri()``) would say ``http://``. Only do so when every
request really reaches users over HTTPS; this trusts the deployment, not the
client.

``trusted_proxies: N`` instead takes them from the ``X-Forwarded-*`` headers the
last N proxies set, so that the scheme is ``https`` only for requests that were.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.middleware.proxy_fix import ProxyFix

__all__ = ["secure_scheme", "trusted_proxies"]

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment


def secure_scheme(environ: WSGIEnvironment) -> None:
    """Set ``wsgi.url_scheme`` to ``https`` in place, as PEP 3333 lets middleware do.

    Port 80, http's default, becomes 443, https's: left alone, a request whose
    ``Host`` says ``example.com:80`` would build ``https://example.com:80/``.
    """
    environ["wsgi.url_scheme"] = "https"
    host = environ.get("HTTP_HOST")
    if host is not None and host.endswith(":80"):
        environ["HTTP_HOST"] = host[:-3]
    if environ.get("SERVER_PORT") == "80":
        environ["SERVER_PORT"] = "443"


def trusted_proxies(hops: int) -> Callable[[WSGIEnvironment], None]:
    """A function that fixes ``environ`` from the last ``hops`` X-Forwarded values.

    Scheme, host, port and prefix (``X-Forwarded-Proto``, ``-Host``, ``-Port``,
    ``-Prefix``) are taken from the proxies, by werkzeug's ``ProxyFix``: no
    parsing of our own. It is a security issue to trust values that came from
    the client, so count only the proxies you run: with ``hops`` too high a
    client's ``X-Forwarded-Proto: https`` passes for a secure request.
    ``REMOTE_ADDR`` is left alone; wrap the app in ``ProxyFix(app, x_for=1)``
    if it needs the client's address.
    """
    fix = ProxyFix(
        _nothing, x_for=0, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
    )

    def apply(environ: WSGIEnvironment) -> None:
        # ProxyFix updates environ in place, then calls its app: here a no-op.
        fix(environ, _no_start_response)

    return apply


def _nothing(
    environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    return ()


def _no_start_response(*args: Any) -> Callable[[bytes], object]:
    raise AssertionError("never called")  # pragma: no cover
