"""Make the application see the scheme, host and prefix the browser used.

Use it (through ``server_secured: true``) when TLS ends before the WSGI server,
at a proxy or a load balancer: the server then reports ``http`` and every URL
the framework builds (``url_for(..., _external=True)``,
``request.build_absolute_uri()``) would say ``http://``. Only do so when every
request really reaches users over HTTPS; this trusts the deployment, not the
client.

``trusted_proxies: N`` instead takes them from the ``X-Forwarded-*`` headers the
last N proxies set, so that the scheme is ``https`` only for requests that were.

A forwarded value that is not what a proxy sends is **ignored**: the header is
removed from ``environ`` before anything reads it, and the request goes on as
if it had not been sent (no 400: a proxy in front answers the client, and
ignoring keeps the server's own, already valid, values). The prefix must be a
plain absolute path (``/app``): not ``//evil.example`` or ``/\\evil``, which
would make every ``url_for()`` and ``redirect()`` protocol-relative, i.e. point
to another host; no scheme, no backslash, no space or control character (a
browser drops tabs and newlines inside a URL, so ``/\t/evil`` is ``//evil``).
The host must be a host name or IP address with an optional port, the port a
number up to 65535 and the scheme ``http`` or ``https``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.http import parse_list_header
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
        for key, valid in _FORWARDED:
            raw = environ.get(key)
            if raw:
                # The one value ProxyFix takes (hops from the end), checked first.
                values = parse_list_header(raw)
                if len(values) >= hops and not valid(values[-hops]):
                    del environ[key]  # ignored: neither we nor the app see it
        # ProxyFix updates environ in place, then calls its app: here a no-op.
        fix(environ, _no_start_response)

    return apply


_HOST = re.compile(
    r"(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?"
    r"(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?"
    r"|\[[0-9A-Fa-f:.]+\])"
    r"(?::[0-9]{1,5})?"
)
# A path a browser reads as a path: no "//" or "/\" start (another host), no
# backslash, space or control character anywhere (browsers drop or convert them).
_PREFIX = re.compile(r"/(?![/\\])[^\\\x00-\x20\x7f-\x9f]*")


def _valid_port(value: str) -> bool:
    return (
        value.isascii() and value.isdigit() and len(value) <= 5 and int(value) < 65536
    )


def _valid_host(value: str) -> bool:
    if _HOST.fullmatch(value) is None:
        return False
    if value.endswith("]") or ":" not in value:
        return True  # no port
    return _valid_port(value.rsplit(":", 1)[1])


#: Each X-Forwarded-* header the proxies set, and the test its value must pass.
_FORWARDED: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("HTTP_X_FORWARDED_PROTO", lambda value: value in ("http", "https")),
    ("HTTP_X_FORWARDED_HOST", _valid_host),
    ("HTTP_X_FORWARDED_PORT", _valid_port),
    ("HTTP_X_FORWARDED_PREFIX", lambda value: _PREFIX.fullmatch(value) is not None),
)


def _nothing(
    environ: WSGIEnvironment, start_response: StartResponse
) -> Iterable[bytes]:
    return ()


def _no_start_response(*args: Any) -> Callable[[bytes], object]:
    raise AssertionError("never called")  # pragma: no cover
