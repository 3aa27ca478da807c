"""The checks of the keys that write a header grammar of their own.

``clear_site_data``, ``cache_control`` and ``integrity_policy`` each take a
value that the package writes out in its header's own syntax (a list of quoted
strings, a comma list of directives, a structured-field dictionary). A typo in
any of them would be a header the browser ignores without a word, so each
element is checked against what the header defines, with a did-you-mean.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..errors import ConfigError, did_you_mean, shown
from .csp_keys import CACHE_DIRECTIVES, check_cache_control
from .values import Directive, header_text, listed, not_allowed

#: The Clear-Site-Data types (W3C Clear Site Data, section 3.1).
CLEAR_SITE_DATA = ("cache", "cookies", "storage", "executionContexts", "*")


def clear_site_data(where: str, value: object) -> tuple[str, ...] | bool:
    """A non-empty list of Clear-Site-Data types, or false for no header."""
    if value is False:
        return False
    allowed = f"a list of {', '.join(CLEAR_SITE_DATA)}, or false for no header"
    items = listed(where, value, allowed)
    if not items:
        raise ConfigError(
            f"{where}: [] clears nothing (allowed: a non-empty list of "
            f"{', '.join(CLEAR_SITE_DATA)}, or false for no header)"
        )
    types: list[str] = []
    for i, item in enumerate(items):
        place = f"{where}[{i}]"
        text = header_text(place, item)
        if text not in CLEAR_SITE_DATA:
            # Case matters: browsers ignore "executioncontexts".
            hint = did_you_mean(text, CLEAR_SITE_DATA, prefix=True)
            raise ConfigError(
                f"{place}: {shown(text)} is not a Clear-Site-Data type "
                f"(allowed: {', '.join(CLEAR_SITE_DATA)}){hint}"
            )
        if text in types:
            raise ConfigError(f"{place}: {shown(text)} is given twice")
        types.append(text)
    if "*" in types and len(types) > 1:
        raise ConfigError(
            f"{where}: '*' already clears every type; give it alone (allowed: "
            "['*'], or a list of the types to clear)"
        )
    return tuple(types)


#: The Cache-Control response directives (RFC 9111 section 5.2.2, RFC 5861,
#: RFC 8246): the nonce's list, and public; those that take seconds.
RESPONSE_DIRECTIVES = (*CACHE_DIRECTIVES, "public")
_CACHE_SECONDS = ("max-age", "s-maxage", "stale-while-revalidate", "stale-if-error")
_SECONDS = re.compile(r"[0-9]{1,10}")


def cache_control(where: str, value: object) -> str | bool:
    """A Cache-Control value: known response directives, ``max-age=N`` whole."""
    if value is False:
        return False
    allowed = (
        "a Cache-Control value such as 'no-store' or 'private, max-age=600', "
        "or false for no header"
    )
    if value is True:
        raise not_allowed(where, value, allowed)
    text = header_text(where, value).strip()
    if not text:
        raise ConfigError(f"{where}: {shown(value)} is empty (allowed: {allowed})")
    if ";" in text:
        raise ConfigError(
            f"{where}: {shown(text)} has ';' (allowed: directives separated by ',', "
            "e.g. 'no-store, max-age=0')"
        )
    parts = check_cache_control(where, text, RESPONSE_DIRECTIVES)
    for name, argument in parts:
        seconds = name in _CACHE_SECONDS
        if seconds and not (argument and _SECONDS.fullmatch(argument)):
            raise ConfigError(
                f"{where}: {name} in {shown(text)} needs a whole number of seconds "
                f"(allowed: {name}=<seconds>, e.g. {name}=600)"
            )
        if not seconds and argument is not None:
            raise ConfigError(
                f"{where}: {name} in {shown(text)} takes no value (allowed: {name})"
            )
    names = dict(parts)
    if "public" in names and "private" in names:
        raise ConfigError(
            f"{where}: {shown(text)} is both public and private (allowed: one of them)"
        )
    return ", ".join(
        name if argument is None else f"{name}={argument}" for name, argument in parts
    )


#: Integrity-Policy members (W3C Subresource Integrity, "Integrity Policy")
#: and the tokens each inner list may hold; ``endpoints`` names reporting
#: endpoints, checked across keys (:mod:`.combinations`).
INTEGRITY_MEMBERS: Mapping[str, tuple[str, ...]] = {
    "blocked-destinations": ("script", "style"),
    "sources": ("inline",),
    "endpoints": (),
}
# RFC 8941 section 3.3.4: a token starts with a letter or "*".
_SF_TOKEN = re.compile(r"[A-Za-z*][!#$%&'*+.^_`|~0-9A-Za-z:/-]*")


def integrity_policy(where: str, value: object) -> tuple[Directive, ...] | bool:
    """``{blocked-destinations: [script], endpoints: [csp-endpoint]}`` or false."""
    if value is False:
        return False
    members = ", ".join(INTEGRITY_MEMBERS)
    if not isinstance(value, Mapping):
        raise not_allowed(
            where,
            value,
            f"a mapping of {members} to lists, e.g. "
            "{blocked-destinations: [script]}, or false for no header",
        )
    pairs: dict[str, tuple[str, ...]] = {}
    for name, entry in value.items():
        if not isinstance(name, str) or name not in INTEGRITY_MEMBERS:
            hint = (
                did_you_mean(name.replace("_", "-"), tuple(INTEGRITY_MEMBERS))
                if isinstance(name, str)
                else ""
            )
            raise ConfigError(
                f"{where}: {shown(name)} is not an Integrity-Policy member "
                f"(allowed: {members}){hint}"
            )
        pairs[name] = _integrity_list(f"{where}.{name}", name, entry)
    if not pairs.get("blocked-destinations"):
        raise ConfigError(
            f"{where}: blocked-destinations is missing or empty, so the policy "
            "blocks nothing (allowed: blocked-destinations: [script], [style] "
            "or [script, style])"
        )
    return tuple((name, pairs[name]) for name in INTEGRITY_MEMBERS if name in pairs)


def _integrity_list(where: str, name: str, value: object) -> tuple[str, ...]:
    tokens = INTEGRITY_MEMBERS[name]
    allowed = (
        f"a list of {', '.join(tokens)}"
        if tokens
        else "a list of reporting endpoint names, e.g. [csp-endpoint]"
    )
    items = listed(where, value, allowed)
    found: list[str] = []
    for i, item in enumerate(items):
        place = f"{where}[{i}]"
        text = header_text(place, item)
        if tokens and text not in tokens:
            raise ConfigError(
                f"{place}: {shown(text)} is not allowed (allowed: {', '.join(tokens)})"
                f"{did_you_mean(text.lower(), tokens, prefix=True)}"
            )
        if not tokens and not _SF_TOKEN.fullmatch(text):
            raise ConfigError(
                f"{place}: {shown(text)} is not an endpoint name (allowed: a letter "
                "then letters, digits and -_.*:/)"
            )
        if text in found:
            raise ConfigError(f"{place}: {shown(text)} is given twice")
        found.append(text)
    return tuple(found)
