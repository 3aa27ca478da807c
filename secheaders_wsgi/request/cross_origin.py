"""``cross_origin``: refuse cross-origin requests before the app, from Fetch Metadata.

Use it against cross-site request forgery (CSRF) and, in ``isolation`` mode,
against cross-site script inclusion and cross-site leaks. Every current
browser says where a request comes from in ``Sec-Fetch-Site`` (Chrome 76,
Firefox 90, Safari 16.4), a header a page's script can neither set nor
change, so the server can refuse what another site made the browser send,
before any cookie is looked at.

``csrf`` mode is Go's ``net/http.CrossOriginProtection`` (Go 1.25,
``src/net/http/csrf.go``), rule for rule:

1. ``GET``, ``HEAD`` and ``OPTIONS`` pass: they must not change state.
   Methods are compared as sent (``get`` is not ``GET``).
2. ``Sec-Fetch-Site: same-origin`` passes, and so does ``none`` (the user
   typed the URL or picked a bookmark: no site made the request). Any other
   value is refused: ``cross-site``, ``same-site`` (a sibling subdomain is
   another origin; ``same_site_trusted`` lets it pass) and values no browser
   sends.
3. Without ``Sec-Fetch-Site`` (browsers from before 2023), ``Origin`` is
   compared with the request's host: none passes (not a browser, or an old
   one on a same-origin request), the same host passes, anything else is
   refused, ``Origin: null`` included. As in Go the scheme is not compared
   (``Host`` carries none; HSTS closes that gap); a default port is, so that
   ``https://example.com`` matches ``example.com:443``.
4. A request whose ``Origin`` is one of ``trusted_origins``, exactly, passes
   whatever the rest says.

``isolation`` mode adds web.dev's resource isolation policy for the other
methods: a ``cross-site`` request passes only as a top-level ``GET``
navigation that is not from ``<object>`` or ``<embed>`` (or from a trusted
origin). Same-site requests and requests without Fetch Metadata pass, as on
web.dev. A cross-site ``<img>``, ``<script>`` or ``fetch()`` of the site's
pages is refused.

A WebSocket handshake (ASGI only) is checked in both modes as a
state-changing request (:meth:`CrossOriginGuard.check_websocket`): it opens a
channel with the user's cookies, and Chromium sends only ``Origin`` on it.

Only what a browser sets is read: ``Sec-Fetch-*`` and ``Origin``, never
``Referer`` or ``X-Requested-With``. A client that is not a browser (curl)
can send any value it likes, but it holds no victim's cookies: this protects
users' browsers from other sites, not the server from its clients.

Built once per config (:meth:`CrossOriginGuard.for_config`); a request costs
a few string comparisons, whatever the config holds.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..config.cross_origin_keys import CrossOrigin
from ..reply import Reply, text_reply

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["REASONS", "CrossOriginGuard", "RefusalLog"]

LOGGER = logging.getLogger("secheaders.cross_origin")

#: RFC 9110 section 9.2.1: the safe methods Go lets through.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: Why a request is refused, by the reason :meth:`CrossOriginGuard.check` returns.
REASONS = {
    "sec-fetch-site": "a state-changing request from another origin",
    "origin-mismatch": "a state-changing request whose Origin is not this host",
    "cross-site-subresource": "a cross-site request that is not a page navigation",
    "cross-origin-websocket": "a WebSocket opened by another origin's page",
}

# RFC 6454 section 6.2: an Origin leaves out its scheme's default port.
_DEFAULT_PORTS = {"http": ":80", "https": ":443"}
# web.dev: a navigation these elements make loads the page as a subresource.
_EMBEDS = frozenset({"object", "embed"})


def _refusal(reason: str, head: bool) -> Reply:
    body = f"Forbidden: cross-origin protection refused {REASONS[reason]}.\n".encode()
    return text_reply(
        "403 Forbidden", body, (("Cache-Control", "no-store"),), head=head
    )


# Built once: a refusal costs a dict lookup. A HEAD gets the length, no body.
_REFUSALS = {
    (reason, head): _refusal(reason, head)
    for reason in REASONS
    for head in (False, True)
}


class RefusalLog:
    """Log refusals on ``secheaders.cross_origin``, a bounded number of lines.

    One JSON line at WARNING per refusal (``disposition: enforce``) or
    would-be refusal (``report``), with flat fields: ``reason``, ``method``,
    ``path``, ``sec_fetch_site``, ``sec_fetch_mode``, ``sec_fetch_dest``,
    ``origin`` (each cut at :attr:`MAX_FIELD` characters) and ``dropped``.
    At most ``burst`` lines at once, then ``per_second``: a flood of forged
    requests cannot fill the disk. The lines past the bound are counted, and
    the next line written says how many (``dropped``).
    """

    MAX_FIELD = 200

    def __init__(
        self,
        *,
        burst: int = 60,
        per_second: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        logger: logging.Logger = LOGGER,
    ) -> None:
        self._burst = float(burst)
        self._rate = per_second
        self._clock = clock
        self._logger = logger
        self._tokens = float(burst)
        self._last = clock()
        self._dropped = 0
        self._lock = threading.Lock()

    def __call__(
        self,
        reason: str,
        *,
        disposition: str,
        method: str,
        path: str,
        sec_fetch_site: str | None,
        sec_fetch_mode: str | None,
        sec_fetch_dest: str | None,
        origin: str | None,
    ) -> bool:
        """Write the line, or count it as dropped; whether it was written."""
        with self._lock:  # a token bucket: `burst` at once, `per_second` after
            now = self._clock()
            elapsed = max(0.0, now - self._last)
            self._tokens = min(self._burst, self._tokens + elapsed * self._rate)
            self._last = now
            if self._tokens < 1:
                self._dropped += 1
                return False
            self._tokens -= 1
            dropped, self._dropped = self._dropped, 0
        fields = {
            "method": method,
            "path": path,
            "sec_fetch_site": sec_fetch_site,
            "sec_fetch_mode": sec_fetch_mode,
            "sec_fetch_dest": sec_fetch_dest,
            "origin": origin,
        }
        # The request's values come from anyone: cut, and escaped by json.
        record: dict[str, object] = {
            name: value[: self.MAX_FIELD] if value is not None else None
            for name, value in fields.items()
        }
        record.update(reason=reason, disposition=disposition, dropped=dropped)
        line = json.dumps(record, sort_keys=True)
        self._logger.warning("%s", line, extra={"cross_origin": record})
        return True


#: One bound for the whole process: every guard writes through it.
LOG = RefusalLog()


@dataclass(frozen=True, slots=True)
class CrossOriginGuard:
    """The ``cross_origin`` decision for one config, built once at start-up.

    >>> guard = CrossOriginGuard(mode="csrf")
    >>> guard.check("POST", "cross-site", "navigate", "document",
    ...             "https://evil.example", "https", "shop.example")
    'sec-fetch-site'
    >>> guard.check("POST", "same-origin", "cors", "empty",
    ...             "https://shop.example", "https", "shop.example") is None
    True
    """

    mode: str = "csrf"
    #: Log would-be refusals; refuse nothing.
    report_only: bool = False
    trusted_origins: frozenset[str] = frozenset()
    same_site_trusted: bool = False
    log: RefusalLog = field(default=LOG, compare=False, repr=False)

    @property
    def passes(self) -> frozenset[str]:
        """The methods :meth:`check` lets through whatever the headers say.

        In ``csrf`` mode the safe ones: a GET needs no header read at all.
        """
        return SAFE_METHODS if self.mode == "csrf" else frozenset()

    @classmethod
    def for_config(cls, config: Config) -> CrossOriginGuard | None:
        """The guard ``config.cross_origin`` asks for; ``None`` when it is off."""
        settings = CrossOrigin.of(config.cross_origin)
        if settings is None:
            return None
        return cls(
            mode=settings.mode,
            report_only=settings.report_only,
            trusted_origins=frozenset(settings.trusted_origins),
            same_site_trusted=settings.same_site_trusted,
        )

    def check(
        self,
        method: str,
        sec_fetch_site: str | None,
        sec_fetch_mode: str | None,
        sec_fetch_dest: str | None,
        origin: str | None,
        scheme: str,
        host: str | None,
    ) -> str | None:
        """Why the request is refused (a key of :data:`REASONS`), or ``None``.

        Every value as the request carried it, ``None`` (or ``""``) when it
        did not; ``scheme`` and ``host`` (``Host``, with its port) are the
        request's after the trusted proxies. Never refuses by itself: see
        :meth:`answer`, which also honours ``report_only``.
        """
        if method in SAFE_METHODS:
            if self.mode == "csrf" or not sec_fetch_site:
                return None
            if sec_fetch_site in ("same-origin", "same-site", "none"):
                return None
            if (
                sec_fetch_mode == "navigate"
                and method == "GET"
                and sec_fetch_dest not in _EMBEDS
            ):
                return None
            return None if self._trusted(origin) else "cross-site-subresource"
        if sec_fetch_site:
            if sec_fetch_site in ("same-origin", "none") or (
                sec_fetch_site == "same-site" and self.same_site_trusted
            ):
                return None
            return None if self._trusted(origin) else "sec-fetch-site"
        if not origin or _same_host(origin, scheme, host) or self._trusted(origin):
            return None
        return "origin-mismatch"

    def _trusted(self, origin: str | None) -> bool:
        return origin is not None and origin in self.trusted_origins

    def answer(
        self,
        method: str,
        sec_fetch_site: str | None,
        sec_fetch_mode: str | None,
        sec_fetch_dest: str | None,
        origin: str | None,
        scheme: str,
        host: str | None,
        path: str,
    ) -> Reply | None:
        """:meth:`check`, a (bounded) log line for a refusal, and the 403 to send.

        ``None``: let the request through (it passed, or ``report_only``).
        The 403 has a one-line plain-text body (no value from the request),
        ``Cache-Control: no-store``, and no body for a ``HEAD``.
        """
        reason = self.check(
            method, sec_fetch_site, sec_fetch_mode, sec_fetch_dest, origin, scheme, host
        )
        if reason is None:
            return None
        self.log(
            reason,
            disposition="report" if self.report_only else "enforce",
            method=method,
            path=path,
            sec_fetch_site=sec_fetch_site,
            sec_fetch_mode=sec_fetch_mode,
            sec_fetch_dest=sec_fetch_dest,
            origin=origin,
        )
        return None if self.report_only else self.refusal(reason, method == "HEAD")

    def check_websocket(
        self,
        sec_fetch_site: str | None,
        origin: str | None,
        scheme: str,
        host: str | None,
    ) -> str | None:
        """Why a WebSocket handshake is refused, or ``None``; in both modes.

        A handshake is a ``GET`` that opens a channel with the user's
        cookies (cross-site WebSocket hijacking): it is checked like a
        state-changing request. Chromium sends only ``Origin`` on one, no
        ``Sec-Fetch-*``; Firefox sends ``Sec-Fetch-Site`` too.
        """
        if sec_fetch_site:
            if sec_fetch_site in ("same-origin", "none") or (
                sec_fetch_site == "same-site" and self.same_site_trusted
            ):
                return None
        elif not origin or _same_host(origin, scheme, host):
            return None
        return None if self._trusted(origin) else "cross-origin-websocket"

    def admits_websocket(
        self,
        sec_fetch_site: str | None,
        origin: str | None,
        scheme: str,
        host: str | None,
        path: str,
    ) -> bool:
        """:meth:`check_websocket`, logged; ``False``: close it before accepting."""
        reason = self.check_websocket(sec_fetch_site, origin, scheme, host)
        if reason is None:
            return True
        self.log(
            reason,
            disposition="report" if self.report_only else "enforce",
            method="GET",
            path=path,
            sec_fetch_site=sec_fetch_site,
            sec_fetch_mode="websocket",
            sec_fetch_dest="websocket",
            origin=origin,
        )
        return self.report_only

    @staticmethod
    def refusal(reason: str, head: bool = False) -> Reply:
        """The 403 for ``reason`` (one of :data:`REASONS`), built once."""
        return _REFUSALS[reason, head]


def _same_host(origin: str, scheme: str, host: str | None) -> bool:
    """Whether ``Origin``'s host and port are the request's (Go compares Host)."""
    origin_scheme, separator, origin_host = origin.partition("://")
    if not separator or not host:  # "null", or a request without a host
        return False
    return _without_default_port(origin_host, origin_scheme) == _without_default_port(
        host, scheme
    )


def _without_default_port(host: str, scheme: str) -> str:
    host = host.lower()
    port = _DEFAULT_PORTS.get(scheme.lower())
    return host[: -len(port)] if port is not None and host.endswith(port) else host
