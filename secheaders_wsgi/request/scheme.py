"""What the application must see of the scheme, host and prefix the browser used.

``server_secured: true`` (TLS ends before the server, at a proxy or a load
balancer) makes every request https: the server reports ``http``, and every
URL the framework builds (``url_for(..., _external=True)``,
``request.build_absolute_uri()``) would say ``http://``. Only do so when every
request really reaches users over HTTPS; this trusts the deployment, not the
client.

``trusted_proxies: N`` instead takes them from the ``X-Forwarded-*`` headers the
last N proxies set, so that the scheme is ``https`` only for requests that were.
The values are picked as werkzeug's ``ProxyFix`` picks them (a test holds the
two together), here once for both adapters, which then write the
:class:`Fix` where each keeps it (a WSGI environ, an ASGI scope). Only the
headers spelt exactly so count: an adapter looks them up by name, never by a
name folded from ``X_Forwarded_Proto``, which some proxies pass on.

A forwarded value that is not what a proxy sends is **ignored**: the header is
removed before the app sees it, and the request goes on as if it had not been
sent (no 400: a proxy in front answers the client, and ignoring keeps the
server's own, already valid, values). The prefix must be a plain absolute path
(``/app``): not ``//evil.example`` or ``/\\evil``, which would make every
``url_for()`` and ``redirect()`` protocol-relative, i.e. point to another host;
no scheme, no backslash, no space or control character (a browser drops tabs
and newlines inside a URL, so ``/\t/evil`` is ``//evil``). The host must be a
host name or IP address with an optional port, the port a number up to 65535
and the scheme ``http`` or ``https``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from werkzeug.http import parse_list_header

__all__ = ["Fix", "TrustedProxies", "secured"]


@dataclass(frozen=True, slots=True)
class Fix:
    """What a request's scheme, host and prefix become; ``None``: unchanged."""

    scheme: str | None = None
    #: The ``Host`` header.
    host: str | None = None
    server_name: str | None = None
    server_port: str | None = None
    #: WSGI's ``SCRIPT_NAME``, ASGI's ``root_path``.
    prefix: str | None = None
    #: Forwarded headers whose value is ignored (lower-case): the app does not
    #: see them either.
    dropped: tuple[str, ...] = ()


HTTPS = Fix(scheme="https")
HTTPS_ON_443 = Fix(scheme="https", server_port="443")


def secured(host: str | None, port: str | None) -> Fix:
    """``server_secured``: the scheme is https, as PEP 3333 lets middleware say.

    Port 80, http's default, becomes 443, https's: left alone, a request whose
    ``Host`` says ``example.com:80`` would build ``https://example.com:80/``.
    """
    if host is None or not host.endswith(":80"):
        # The usual cases, built once: a proxy in front speaks to port 80.
        return HTTPS_ON_443 if port == "80" else HTTPS
    return Fix(
        scheme="https", host=host[:-3], server_port="443" if port == "80" else None
    )


class TrustedProxies:
    """The :class:`Fix` the last ``hops`` proxies' X-Forwarded-* values ask for.

    Scheme, host, port and prefix (``X-Forwarded-Proto``, ``-Host``, ``-Port``,
    ``-Prefix``). It is a security issue to trust values that came from the
    client, so count only the proxies you run: with ``hops`` too high a
    client's ``X-Forwarded-Proto: https`` passes for a secure request.
    ``X-Forwarded-For`` is left alone; wrap the app in ``ProxyFix(app, x_for=1)``
    if it needs the client's address.
    """

    def __init__(self, hops: int) -> None:
        self.hops = hops

    def fix(self, header: Callable[[str], str | None], host: str | None) -> Fix:
        """``header(name)``: the request's header (lower-case name) or ``None``;
        ``host``: its ``Host``."""
        picked: dict[str, str] = {}
        dropped: list[str] = []
        for name, valid in _FORWARDED:
            raw = header(name)
            if not raw:
                continue
            values = parse_list_header(raw)
            if len(values) < self.hops:
                continue  # fewer hops than we trust: none of it is a proxy's
            value = values[-self.hops]
            if not value:
                continue
            if valid(value):
                picked[name] = value
            else:
                dropped.append(name)
        return _applied(picked, host, tuple(dropped))


def _applied(picked: dict[str, str], host: str | None, dropped: tuple[str, ...]) -> Fix:
    """The values as ``ProxyFix`` writes them into an environ."""
    new_host = server_name = server_port = None
    x_host = picked.get("x-forwarded-host")
    if x_host is not None:
        new_host = server_name = x_host
        if ":" in x_host and not x_host.endswith("]"):  # "]": IPv6, no port
            server_name, server_port = x_host.rsplit(":", 1)
    x_port = picked.get("x-forwarded-port")
    if x_port is not None:
        base = new_host if new_host is not None else host
        if base:
            if ":" in base and not base.endswith("]"):
                base = base.rsplit(":", 1)[0]
            new_host = f"{base}:{x_port}"
        server_port = x_port
    return Fix(
        scheme=picked.get("x-forwarded-proto"),
        host=new_host,
        server_name=server_name,
        server_port=server_port,
        prefix=picked.get("x-forwarded-prefix"),
        dropped=dropped,
    )


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
    ("x-forwarded-proto", lambda value: value in ("http", "https")),
    ("x-forwarded-host", _valid_host),
    ("x-forwarded-port", _valid_port),
    ("x-forwarded-prefix", lambda value: _PREFIX.fullmatch(value) is not None),
)
