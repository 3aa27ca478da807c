"""``force_https``: answer a plain-http request with a redirect to its https URL.

Use it when the site is served over HTTPS and plain http only exists to send
people there. A GET or HEAD gets ``301 Moved Permanently``; any other method
gets ``308 Permanent Redirect``, which makes the browser repeat the method and
body (a 301 turns a POST into a GET). With ``force_https_permanent: false``
every method gets ``307 Temporary Redirect`` instead: browsers cache a 301 for
good, so a rollout that may be undone starts temporary. 307 rather than 302:
it keeps the method and body too, and a GET is redirected the same either way.
Path and query string are kept; the port is not (an http port means nothing
for https, which is served on 443).

The host of the ``Location`` is ``redirect_host`` when set (Django's
``SECURE_SSL_HOST``), else the request's, so that is checked: a host that is
not a valid name gets ``400 Bad Request``, and so does one outside
``allowed_hosts``. Without either any valid name is taken as sent: set one, or
a forged ``Host`` could poison a shared cache with a redirect to another site.
The application is never called for a redirected request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from ..reply import Reply, text_reply
from .paths import PrefixTable

if TYPE_CHECKING:
    from ..config import Config
    from ..policy import Header

__all__ = ["ForceHttps"]

# RFC 1035: labels of at most 63 characters, at most 253 in all; or an IPv6 literal.
_HOST = re.compile(
    r"(?P<name>(?=[^:]{1,254}(?::|$))[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.?"
    r"|\[[0-9A-Fa-f:.]+\])"
    r"(?::[0-9]*)?"
)
# RFC 3986 pchar without "%": PATH_INFO is already decoded, so "%" must be quoted.
_PATH_SAFE = "/:@!$&'()*+,;=~"
# QUERY_STRING arrives as sent (still encoded): keep "%" and the query delimiters.
_QUERY_SAFE = "/:@!$&'()*+,;=~%?"
_BAD_HOST = b"Bad Request: this host is not served here\n"


@dataclass(frozen=True)
class ForceHttps:
    """The redirect for one rule, computed at start-up."""

    #: Paths served over plain http too (health checks); ``None``: none.
    exempt: PrefixTable[bool] | None = None
    #: Lower-case host names, ``*.example.com`` for any subdomain; ``()``: any.
    allowed_hosts: tuple[str, ...] = ()
    #: Our headers for a plain-http response, sent with the redirect too.
    headers: tuple[Header, ...] = ()
    #: ``False``: 307 for every method, which browsers do not cache.
    permanent: bool = True
    #: The host (and port) of every ``Location``; ``None``: the request's.
    host: str | None = None

    @classmethod
    def for_config(
        cls, config: Config, headers: tuple[Header, ...]
    ) -> ForceHttps | None:
        """The redirect ``config`` asks for; ``None`` without ``force_https``."""
        if not config.force_https:
            return None
        exempt = config.force_https_exempt
        return cls(
            exempt=PrefixTable((path, True) for path in exempt) if exempt else None,
            allowed_hosts=config.allowed_hosts,
            headers=headers,
            permanent=config.force_https_permanent,
            host=config.redirect_host,
        )

    def applies(self, path: str) -> bool:
        """Whether a plain-http request for ``path`` is redirected (not exempt)."""
        return self.exempt is None or not self.exempt.longest(path)

    def reply(
        self, method: str, host: str | None, script_name: str, path: str, query: str
    ) -> Reply:
        """The redirect (or a 400 for a foreign host), with our headers.

        ``host``: the request's ``Host`` (or server name); ``script_name``,
        ``path`` and ``query`` as PEP 3333 spells them.
        """
        method = method.upper()
        name = _host(host or "")
        if name is None or not (
            not self.allowed_hosts or _host_matches(name, self.allowed_hosts)
        ):
            return text_reply(
                "400 Bad Request", _BAD_HOST, self.headers, head=method == "HEAD"
            )
        if not self.permanent:
            status = "307 Temporary Redirect"
        elif method in ("GET", "HEAD"):
            status = "301 Moved Permanently"
        else:
            status = "308 Permanent Redirect"
        location = _https_url(self.host or name, script_name + path, query)
        return Reply(
            status,
            (
                ("Location", location),
                # wsgiref's validator insists on a type even for an empty body.
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", "0"),
                *self.headers,
            ),
        )


def _host_matches(host: str, allowed: tuple[str, ...]) -> bool:
    """``host`` (lower-case, no port) is in ``allowed`` or under a ``*.`` entry."""
    for entry in allowed:
        if entry.startswith("*."):
            if host.endswith(entry[1:]):
                return True
        elif host == entry:
            return True
    return False


def _host(raw: str) -> str | None:
    """The host name, lower-case, without port; ``None`` if malformed."""
    match = _HOST.fullmatch(raw)
    if match is None:
        return None
    return str(match.group("name")).lower().rstrip(".") or None


def _https_url(host: str, path: str, query: str) -> str:
    # A path without its leading "/" (a forged X-Forwarded-Prefix, a lax server)
    # would run on into the host: "https://example.com" + ".evil.example".
    quoted = quote(_raw(path), safe=_PATH_SAFE)
    url = f"https://{host}{quoted if quoted.startswith('/') else '/' + quoted}"
    if query:
        url += "?" + quote(_raw(query), safe=_QUERY_SAFE)
    return url


def _raw(text: str) -> bytes:
    """The bytes the client sent: PEP 3333 hands them over decoded as latin-1."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:  # a server that decoded UTF-8 instead
        return text.encode("utf-8")
