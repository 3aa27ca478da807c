"""The OWASP Secure Headers Project (OSHP) lists, and what the config makes of them.

OSHP publishes the response headers it recommends (``headers_add``) and the
headers that tell an attacker which software runs a site (``headers_remove``);
security reviewers check sites against both. They are kept verbatim in
``data/oshp.json`` with their source, commit and date, and refreshed by
``scripts/refresh_oshp.py``, never at run time: the middleware must not depend
on the network, and a list that changes under a deployed site would change its
headers without a release.

Used by the config checks (the ``owasp`` token of ``remove_headers``) and by
:mod:`secheaders_wsgi.audit` (the site-wide headers a config does not send).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..errors import ConfigError, closest, shown

__all__ = ["REMOVE_TOKEN", "SITE_WIDE_KEYS", "Oshp", "lists", "missing", "remove_token"]

#: The word in ``remove_headers`` that stands for OSHP's whole remove list.
#: Exactly this spelling: header names are case-insensitive, so a case-insensitive
#: token could not be told from a header named ``OWASP``; ``OWASP`` is refused
#: with a did-you-mean instead of being taken for a header name.
REMOVE_TOKEN = "owasp"

#: OSHP's site-wide headers -> the config setting that sends each (for the fix
#: text of ``audit``). The other two on its list, Cache-Control and
#: Clear-Site-Data, are for sensitive pages (a logout page), not a whole site.
SITE_WIDE_KEYS: Mapping[str, str] = {
    "Content-Security-Policy": "csp_header (any value but false), or preset: strict",
    "Cross-Origin-Embedder-Policy": "cross_origin_embedder_policy: require-corp, "
    "or preset: strict",
    "Cross-Origin-Opener-Policy": "cross_origin_opener_policy: same-origin, "
    "or preset: strict",
    "Cross-Origin-Resource-Policy": "cross_origin_resource_policy: same-origin, "
    "or preset: strict",
    "Permissions-Policy": "permissions_policy: {camera: [], geolocation: [], ...}, "
    "or preset: strict",
    "Referrer-Policy": "referrer_policy: same-origin (or no-referrer), "
    "or preset: strict",
    "Strict-Transport-Security": "server_secured: true (or hsts_header); it is "
    "only ever sent over https",
    "X-Content-Type-Options": "csp_header (any value but false): nosniff comes "
    "with the policy",
    "X-Frame-Options": "x_frame_options: DENY (or csp_frame_ancestors: false), "
    "or preset: strict",
    "X-Permitted-Cross-Domain-Policies": "x_permitted_cross_domain_policies: none, "
    "or preset: strict",
}


@dataclass(frozen=True)
class Oshp:
    """The two OSHP lists and where they came from."""

    #: The repository and files the lists were copied from.
    source: str
    commit: str
    #: OSHP's own ``last_update_utc`` of the lists.
    last_update: str
    #: The day they were copied into this package.
    retrieved: str
    #: ``(name, value)`` of each recommended header, in OSHP's order.
    add: tuple[tuple[str, str], ...]
    #: The header names to remove, as OSHP spells them.
    remove: tuple[str, ...]


@cache
def lists() -> Oshp:
    """The OSHP lists shipped with the package (read once)."""
    text = (
        resources.files("secheaders_wsgi")
        .joinpath("data", "oshp.json")
        .read_text("utf-8")
    )
    data = json.loads(text)
    return Oshp(
        source=data["source"],
        commit=data["commit"],
        last_update=data["oshp_last_update_utc"],
        retrieved=data["retrieved"],
        add=tuple((h["name"], h["value"]) for h in data["headers_add"]),
        remove=tuple(data["headers_remove"]),
    )


def missing(sent: Iterable[str]) -> list[tuple[str, str, str]]:
    """``(header, OSHP's value, setting that adds it)`` for each site-wide one
    not among the header names ``sent``, in OSHP's order."""
    have = {name.lower() for name in sent}
    return [
        (name, value, SITE_WIDE_KEYS[name])
        for name, value in lists().add
        if name in SITE_WIDE_KEYS and name.lower() not in have
    ]


def remove_token(where: str, item: object) -> tuple[str, ...] | None:
    """OSHP's remove list if ``item`` is the token, ``None`` for anything else.

    A near miss (``OWASP``, ``owsap``) raises :class:`ConfigError` rather than
    being taken for a header name that no app sends, which would remove nothing
    and say nothing.
    """
    if item == REMOVE_TOKEN:
        return lists().remove
    if isinstance(item, str) and closest(item.strip().lower(), (REMOVE_TOKEN,), 0.8):
        raise ConfigError(
            f"{where}: {shown(item)} is not the token {REMOVE_TOKEN!r} "
            "(OWASP's list of "
            "headers that reveal the stack), which is written exactly so, in lower "
            f"case. Did you mean {REMOVE_TOKEN!r}?"
        )
    return None
