"""The checks every key builds on: booleans, header-safe text, lists, names.

Each check takes ``where`` (the key, or ``paths[2].key`` inside a rule, to name
in errors) and the raw value, and returns the value the frozen config holds or
raises :class:`~secheaders_wsgi.ConfigError` naming where, the bad value and
what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

from ..errors import ConfigError, clipped, did_you_mean, shown

Sources = tuple[str, ...]
Directive = tuple[str, Sources]


def boolean(where: str, value: object) -> bool:
    """A real boolean: the string ``"false"`` is refused, not taken as true."""
    if not isinstance(value, bool):
        raise ConfigError(
            f"{where}: {shown(value)} is not a boolean (allowed: true, false)"
        )
    return value


def header_text(where: str, value: object) -> str:
    """Refuse anything that is not a string or could break out of a header."""
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {shown(value)} is not a string")
    for char in value:
        if ord(char) > 0xFF:
            raise ConfigError(
                f"{where}: {shown(value)} has the non-latin-1 character {shown(char)} "
                "(allowed: latin-1 text only; punycode-encode international "
                "domain names)"
            )
        if ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:  # C0, DEL and C1
            raise ConfigError(
                f"{where}: {shown(value)} has the control character {shown(char)} "
                "(allowed: printable characters only; CR and LF would inject a header)"
            )
    return value


def is_list(value: object) -> bool:
    """A YAML sequence: a list or a tuple, never a string (which iterates too)."""
    return isinstance(value, (list, tuple)) and not isinstance(value, str)


def listed(where: str, value: object, allowed: str) -> tuple[object, ...]:
    """``value`` as a tuple, or the one "is not a list" error naming ``allowed``."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ConfigError(f"{where}: {shown(value)} is not a list (allowed: {allowed})")
    return tuple(value)


def texts(where: str, value: object, allowed: str) -> tuple[str, ...]:
    """A list of header-safe strings, each named ``where[i]`` in errors."""
    return tuple(
        header_text(f"{where}[{i}]", item)
        for i, item in enumerate(listed(where, value, allowed))
    )


def one_of(allowed: tuple[str, ...]) -> Callable[[str, object], str | bool]:
    """A check for a header whose value is one of ``allowed``, or false for none."""

    def check(where: str, value: object) -> str | bool:
        if value is False:
            return False
        if not isinstance(value, str) or value not in allowed:
            hint = (
                did_you_mean(value.lower(), allowed, prefix=True)
                if isinstance(value, str)
                else ""
            )
            raise ConfigError(
                f"{where}: {shown(value)} is not allowed "
                f"(allowed: {', '.join(allowed)}, or false for no header){hint}"
            )
        return value

    return check


def named(
    where: str,
    value: Mapping[Any, Any],
    kind: str,
    check_name: Callable[[str, str], str],
    check_value: Callable[[str, str, object], Sources],
) -> tuple[Directive, ...]:
    """A mapping of names (checked, each once, any case) to checked values.

    Both ``csp_header`` (directive -> sources) and ``permissions_policy``
    (feature -> allowlist) have this shape.
    """
    pairs: dict[str, Sources] = {}
    for name, entry in value.items():
        if not isinstance(name, str):
            raise ConfigError(f"{where}: {kind} name {shown(name)} is not a string")
        place = f"{where}.{clipped(name)}"
        key = check_name(place, header_text(place, name))
        if key in pairs:
            raise ConfigError(f"{place}: the {kind} {shown(key)} is given twice")
        pairs[key] = check_value(place, key, entry)
    return tuple(pairs.items())


def path_prefix(where: str, value: object) -> str:
    """A path prefix such as ``/embed/``: starts with ``/``, no query or fragment.

    Written as the browser shows it, decoded: ``/café/``, not ``/caf%C3%A9/``
    (the server decodes ``PATH_INFO``, so an escape would never match). Any
    Unicode is allowed; :mod:`..request.paths` matches it as PEP 3333 delivers
    the path, latin-1-decoded UTF-8 bytes.
    """
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {shown(value)} is not a string")
    # Not header_text: a prefix never goes into a header, so any Unicode is fine.
    for char in value:
        if ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
            raise ConfigError(
                f"{where}: {shown(value)} has the control character {shown(char)} "
                "(allowed: printable characters only)"
            )
    if not value.startswith("/") or any(c in value for c in "?# "):
        raise ConfigError(
            f"{where}: {shown(value)} is not a path prefix (allowed: a path that "
            "starts "
            "with '/', without query or fragment, e.g. '/embed/')"
        )
    escape = _ESCAPE.search(value)
    if escape is not None:
        raise ConfigError(
            f"{where}: {shown(value)} has the escape {shown(escape.group())}, "
            "which never "
            "matches: servers decode the path before the app sees it (allowed: "
            f"the character itself, e.g. {shown(unquote(value))})"
        )
    return value


_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def normalize_prefix(prefix: str) -> str:
    """``/embed/`` and ``//embed`` -> ``/embed``, ``/`` stays ``/``: how two
    prefixes compare (empty segments are not routed, see :mod:`..request.paths`)."""
    return "/" + "/".join(segment for segment in prefix.split("/") if segment)


# An origin: scheme "://" host [":" port], no path (RFC 6454 section 6.2);
# "*." for any subdomain, where the header allows it (Permissions-Policy).
ORIGIN = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*://"
    r"(?:\*\.)?(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])"
    r"(?::[0-9]+)?"
)


def check_origin(where: str, entry: str, allowed: str) -> str:
    """``entry`` if it is an origin (:data:`ORIGIN`); else the error naming ``allowed``.

    A URL with a path gets its origin as the fix: ``'https://a.example/'``
    -> ``'https://a.example'``.
    """
    if ORIGIN.fullmatch(entry):
        return entry
    head = ORIGIN.match(entry)
    if head is not None and entry[head.end() :].startswith("/"):
        raise ConfigError(
            f"{where}: {shown(entry)} is not an origin: an origin has no path "
            f"(allowed: {shown(head.group())})"
        )
    raise ConfigError(f"{where}: {shown(entry)} is not {allowed}")


def not_allowed(where: str, value: object, allowed: str) -> ConfigError:
    """The usual error: ``where: 'bad' is not allowed (allowed: ...)``."""
    return ConfigError(f"{where}: {shown(value)} is not allowed (allowed: {allowed})")
