"""The checks of ``cross_origin`` and of the report-only cross-origin isolation keys.

``cross_origin`` turns on the Fetch Metadata check that refuses cross-origin
requests before the app runs (:mod:`secheaders_wsgi.request.cross_origin`)::

    cross_origin:
      mode: csrf                 # or isolation
      report_only: true          # log would-be refusals, refuse nothing
      trusted_origins: ["https://sso.example"]
      same_site_trusted: false

The frozen config holds the keys as given, as ``(key, value)`` pairs, so that
a ``paths`` rule merges onto the top level key by key, as ``csp_header``
merges directive by directive; :meth:`CrossOrigin.of` fills in the defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from ..errors import ConfigError, did_you_mean, shown
from .keys import COEP, COOP
from .values import boolean, check_origin, header_text, listed, not_allowed, one_of

__all__ = [
    "MODES",
    "CrossOrigin",
    "CrossOriginPairs",
    "coep_report_only",
    "coop_report_only",
    "cross_origin",
]

#: ``csrf``: Go's CrossOriginProtection; ``isolation``: web.dev's resource
#: isolation policy on top of it.
MODES = ("csrf", "isolation")

Setting = str | bool | tuple[str, ...]
#: ``cross_origin`` as the config holds it: the keys given, in :data:`_KEYS` order.
CrossOriginPairs = tuple[tuple[str, Setting], ...]


@dataclass(frozen=True)
class CrossOrigin:
    """The ``cross_origin`` settings: each key as given, or its default."""

    mode: str = "csrf"
    report_only: bool = False
    #: Exact origins (``https://sso.example``) allowed in whatever the headers say.
    trusted_origins: tuple[str, ...] = ()
    #: ``Sec-Fetch-Site: same-site`` (a sibling subdomain) passes like same-origin.
    same_site_trusted: bool = False

    @classmethod
    def of(cls, setting: bool | CrossOriginPairs) -> CrossOrigin | None:
        """The settings ``cross_origin`` holds; ``None`` when it is off.

        >>> CrossOrigin.of((("report_only", True),)).mode
        'csrf'
        >>> CrossOrigin.of(False) is None
        True
        """
        if not isinstance(setting, tuple):
            return None
        return cls(**cast("dict[str, Any]", dict(setting)))


_ALLOWED = (
    "a mapping of mode (csrf or isolation), report_only, trusted_origins and "
    "same_site_trusted, e.g. {mode: csrf}, or false for none"
)


def cross_origin(where: str, value: object) -> bool | CrossOriginPairs:
    """``false``, or the keys of the mapping, each checked, in a fixed order."""
    if value is False:
        return False
    if not isinstance(value, Mapping):
        raise not_allowed(where, value, _ALLOWED)
    if not value:
        raise ConfigError(
            f"{where}: {{}} turns nothing on (allowed: {_ALLOWED}; mode defaults "
            "to csrf once any key is given)"
        )
    given: dict[str, Setting] = {}
    for name, entry in value.items():
        if not isinstance(name, str) or name not in _KEYS:
            hint = did_you_mean(name, tuple(_KEYS)) if isinstance(name, str) else ""
            raise ConfigError(
                f"{where}: unknown key {shown(name)} "
                f"(allowed: {', '.join(_KEYS)}){hint}",
                where=f"{where}.{name}" if isinstance(name, str) else None,
            )
        place = f"{where}.{name}"
        if entry is None:
            raise ConfigError(
                f"{place}: null is not a value; leave the key out for its default"
            )
        given[name] = _KEYS[name](place, entry)
    return tuple((name, given[name]) for name in _KEYS if name in given)


def _mode(where: str, value: object) -> str:
    if isinstance(value, str) and value in MODES:
        return value
    hint = did_you_mean(value.lower(), MODES) if isinstance(value, str) else ""
    raise ConfigError(
        f"{where}: {shown(value)} is not a mode (allowed: csrf, which refuses "
        "cross-origin form posts and other unsafe methods, or isolation, which "
        f"also refuses cross-site subresource requests){hint}"
    )


_ORIGIN_ALLOWED = (
    "an origin (allowed: scheme://host[:port] as browsers send it in Origin, "
    "e.g. 'https://sso.example')"
)
# RFC 6454 section 6.2: the serialization leaves out the scheme's default port.
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def _trusted_origins(where: str, value: object) -> tuple[str, ...]:
    items = listed(
        where, value, "a list of origins, e.g. ['https://sso.example']; [] for none"
    )
    origins = [trusted_origin(f"{where}[{i}]", item) for i, item in enumerate(items)]
    return tuple(dict.fromkeys(origins))


def trusted_origin(where: str, value: object) -> str:
    """One origin the ``Origin`` header is compared with, exactly, as Go does.

    Lower-cased (browsers send it so); ``null``, ``*`` and a default port,
    which could never match or would match anyone, are refused.
    """
    text = header_text(where, value)
    if text.strip().lower() == "null":
        raise ConfigError(
            f"{where}: 'null' is the Origin of sandboxed frames, file: pages and "
            "some redirects: any site can make a request with it, so it cannot "
            "be trusted (allowed: an origin such as 'https://sso.example')"
        )
    if "*" in text:
        raise ConfigError(
            f"{where}: {shown(text)} has a '*', but a trusted origin is compared "
            "exactly (allowed: each origin written out, e.g. "
            "'https://app.example.com')"
        )
    origin = check_origin(where, text, _ORIGIN_ALLOWED).lower()
    scheme, _, host = origin.partition("://")
    name, colon, port = host.rpartition(":") if not host.endswith("]") else ("", "", "")
    if colon and port == _DEFAULT_PORTS.get(scheme):
        raise ConfigError(
            f"{where}: {shown(text)} never matches: browsers leave the default port "
            f"out of Origin (allowed: {f'{scheme}://{name}'!r})"
        )
    if colon and not (port.isdigit() and 0 < int(port) < 65536 and port[0] != "0"):
        raise ConfigError(
            f"{where}: {shown(text)} has the port {shown(port)} (allowed: a port "
            "from 1 to 65535, written without leading zeros)"
        )
    return origin


_KEYS: Mapping[str, Callable[[str, object], Setting]] = {
    "mode": _mode,
    "report_only": boolean,
    "trusted_origins": _trusted_origins,
    "same_site_trusted": boolean,
}

#: The report-only twins take the enforced tokens but ``unsafe-none``,
#: which has nothing to report.
COOP_REPORT_ONLY = tuple(token for token in COOP if token != "unsafe-none")
COEP_REPORT_ONLY = tuple(token for token in COEP if token != "unsafe-none")


def _report_only(allowed: tuple[str, ...]) -> Callable[[str, object], str | bool]:
    """:func:`one_of` ``allowed``, and a ``report-to`` written by hand refused."""
    check = one_of(allowed)

    def report_only(where: str, value: object) -> str | bool:
        token = value.split(";")[0].strip() if isinstance(value, str) else ""
        if token in allowed and token != value:
            raise ConfigError(
                f"{where}: {shown(value)} is not allowed (allowed: the token alone, "
                f"{shown(token)}; report-to is added for the endpoint of "
                "csp_report_uri or csp_report_path)"
            )
        return check(where, value)

    return report_only


coop_report_only = _report_only(COOP_REPORT_ONLY)
coep_report_only = _report_only(COEP_REPORT_ONLY)
