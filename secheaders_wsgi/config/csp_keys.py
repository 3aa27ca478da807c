"""The checks of the ``csp_*`` keys, built on :mod:`.csp_grammar`.

Each takes ``where`` and the raw value and returns what the frozen config holds
(see :mod:`.values`); :mod:`.model` names the check beside each field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from ..errors import ConfigError, did_you_mean, shown
from . import csp_grammar as grammar
from .values import Directive, Sources, header_text, listed, named, not_allowed, texts


def source_list(where: str, value: object) -> Sources:
    """A list of CSP sources (``csp_safe_src``, ``csp_frame_ancestors``)."""
    items = listed(
        where, value, 'a list of CSP sources, e.g. ["\'self\'", "cdn.example.com"]'
    )
    sources = tuple(
        grammar.check_source(f"{where}[{i}]", header_text(f"{where}[{i}]", item))
        for i, item in enumerate(items)
    )
    grammar.check_none_alone(where, sources)
    return sources


def safe_src(where: str, value: object) -> Sources:
    sources = source_list(where, value)
    if not sources:
        raise ConfigError(
            f"{where}: [] leaves 'safe-src' with no sources "
            "(allowed: a non-empty list; use [\"'none'\"] to allow nothing)"
        )
    if grammar.SAFE_SRC in sources:
        raise ConfigError(
            f"{where}: {grammar.SAFE_SRC} cannot stand inside csp_safe_src, "
            "it is what csp_safe_src defines"
        )
    return sources


def frame_ancestors(where: str, value: object) -> bool | Sources:
    if isinstance(value, bool):
        return value
    sources = source_list(where, value)
    for i, source in enumerate(sources):
        grammar.check_frame_ancestor(f"{where}[{i}]", source)
    return sources


def csp_header(where: str, value: object) -> bool | tuple[Directive, ...]:
    if isinstance(value, bool):
        return value
    if not isinstance(value, Mapping):
        raise not_allowed(
            where,
            value,
            "true for the default "
            "policy, false for none, or a mapping of directive name to sources",
        )
    if not value:
        raise ConfigError(
            f"{where}: {{}} is an empty policy, and an empty header protects "
            "nothing (allowed: a mapping of directive name to sources, true for "
            "the default policy, or false for none)"
        )
    return named(
        where,
        value,
        "directive",
        grammar.check_directive_name,
        lambda place, name, sources: grammar.check_directive(
            place, name, _directive_value(place, sources)
        ),
    )


def _directive_value(where: str, value: object) -> Sources:
    if value is None:
        raise ConfigError(
            f"{where}: null is not a value (allowed: a string of space-separated "
            "sources, a list of sources, or '' for a directive without sources)"
        )
    if isinstance(value, str):
        return tuple(header_text(where, value).split())
    if isinstance(value, (list, tuple)):
        return tuple(item.strip() for item in texts(where, value, ""))
    raise not_allowed(
        where, value, "a string of space-separated sources or a list of sources"
    )


def report_only_header(where: str, value: object) -> tuple[Directive, ...] | None:
    if value is False:
        return None
    if not isinstance(value, Mapping):
        raise not_allowed(
            where,
            value,
            "a mapping of directive "
            "name to sources, as for csp_header, or false for none",
        )
    if not value:
        raise ConfigError(
            f"{where}: {{}} is an empty policy (allowed: a mapping of directive "
            "name to sources, or false for none)"
        )
    directives = csp_header(where, value)
    assert isinstance(directives, tuple)
    return directives


def nonce_directives(where: str, value: object) -> tuple[str, ...]:
    allowed = ", ".join(grammar.NONCE_DIRECTIVES)
    items = listed(where, value, f"a list of {allowed}, or [] for none")
    names: list[str] = []
    for i, item in enumerate(items):
        place = f"{where}[{i}]"
        name = header_text(place, item).lower()
        if name not in grammar.NONCE_DIRECTIVES:
            hint = did_you_mean(name, grammar.NONCE_DIRECTIVES, prefix=True)
            raise ConfigError(
                f"{place}: {shown(item)} cannot carry a nonce "
                f"(allowed: {allowed}){hint}"
            )
        if name in names:
            raise ConfigError(f"{place}: {shown(item)} is given twice")
        names.append(name)
    return tuple(names)


def nonce_cache_control(where: str, value: object) -> str | bool:
    if value is False:
        return False
    if value is True:
        raise ConfigError(
            f"{where}: true is not allowed (allowed: a Cache-Control value such "
            "as 'private' or 'no-store', or false to add none; leave the key out "
            "for 'private')"
        )
    text = header_text(where, value).strip()
    if not text:
        raise ConfigError(
            f"{where}: {shown(value)} is empty (allowed: a Cache-Control value such as "
            "'private' or 'no-store', or false to add none)"
        )
    if "public" in (part.strip().lower() for part in text.split(",")):
        raise ConfigError(
            f"{where}: {shown(value)} lets shared caches replay one nonce to every "
            "user, which defeats it (allowed: 'private', 'no-store', ... or false)"
        )
    check_cache_control(where, text, CACHE_DIRECTIVES)
    return text


#: The Reporting API group that report-to names and Reporting-Endpoints
#: defines; the integrity policies' ``endpoints`` may name it too.
REPORT_GROUP = "csp-endpoint"

#: RFC 9111 section 5.2.2 (and RFC 5861, 8246): the response directives.
CACHE_DIRECTIVES = (
    "max-age",
    "s-maxage",
    "no-cache",
    "no-store",
    "no-transform",
    "must-revalidate",
    "proxy-revalidate",
    "must-understand",
    "private",
    "immutable",
    "stale-while-revalidate",
    "stale-if-error",
)
# RFC 9110 section 5.6: token [ "=" ( token / quoted-string ) ]
_CACHE_DIRECTIVE = re.compile(
    r"([!#$%&'*+.^_`|~0-9A-Za-z-]+)"
    r"(?:=([!#$%&'*+.^_`|~0-9A-Za-z-]+|\"(?:[^\"\\]|\\.)*\"))?"
)


def check_cache_control(
    where: str, text: str, directives: tuple[str, ...]
) -> list[tuple[str, str | None]]:
    """A Cache-Control value: a comma list of ``directives``, each once.

    Returns each directive's lower-cased name and its argument (``None``
    without one), for checks of the arguments (:mod:`.header_keys`).
    """
    seen: dict[str, str | None] = {}
    allowed = f"a comma list of {', '.join(directives)}; e.g. 'private'"
    for part in (part.strip() for part in text.split(",")):
        match = _CACHE_DIRECTIVE.fullmatch(part)
        if match is None:
            raise ConfigError(
                f"{where}: {shown(part)} in {shown(text)} is not a Cache-Control "
                "directive "
                f"(allowed: {allowed})"
            )
        name = match.group(1).lower()
        if name not in directives:
            hint = did_you_mean(name, directives)
            raise ConfigError(
                f"{where}: {shown(name)} in {shown(text)} is not a Cache-Control "
                "directive "
                f"(allowed: {allowed}){hint}"
            )
        if name in seen:
            raise ConfigError(
                f"{where}: {shown(text)} gives {name} twice "
                f"(allowed: {allowed}, each once)"
            )
        seen[name] = match.group(2)
    return list(seen.items())


# Characters that would end the URL inside report-uri or inside the quoted
# Reporting-Endpoints value.
_URL_STOPS = frozenset(" \t;,'\"\\")


def report_uri(where: str, value: object) -> str:
    text = _url_text(where, value, "an absolute https URL or a path")
    if text.startswith("/") and not text.startswith("//"):
        return text
    parts = urlsplit(text)
    if parts.scheme.lower() == "https" and parts.netloc:
        return text
    raise not_allowed(
        where,
        text,
        "an absolute https URL such "
        "as 'https://reports.example.com/csp', or a path such as "
        "'/_/csp-reports'; browsers send reports only to secure endpoints",
    )


def report_path(where: str, value: object) -> str:
    text = _url_text(where, value, "a path such as '/_/csp-reports'")
    if text == "/":
        raise ConfigError(
            f"{where}: '/' would take every request to the site root away from "
            "the app (allowed: a path of its own, such as '/_/csp-reports')"
        )
    if (
        not text.startswith("/")
        or text.startswith("//")
        or "?" in text
        or "#" in text
        or "%" in text
        or not text.isascii()
    ):
        raise not_allowed(
            where,
            text,
            "an ASCII path on this site, such as '/_/csp-reports', without a "
            "query or %-escapes; to send reports elsewhere, use csp_report_uri",
        )
    return text


def _url_text(where: str, value: object, allowed: str) -> str:
    if not isinstance(value, str) or not value:
        raise not_allowed(where, value, f"{allowed}; leave the key out for none")
    text = header_text(where, value)
    bad = sorted(set(text) & _URL_STOPS)
    if bad:
        raise ConfigError(
            f"{where}: {shown(text)} has the character {shown(bad[0])} (allowed: "
            f"{allowed}, without spaces, quotes, backslashes, ';' or ',')"
        )
    return text


#: A CSP report is well under a kilobyte; a few MiB is already a batch no
#: browser sends, and every request may make the receiver hold this much.
_MAX_REPORT_BYTES = 10 * 1024 * 1024


def report_max_bytes(where: str, value: object) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 1 <= value <= _MAX_REPORT_BYTES
    ):
        raise not_allowed(
            where,
            value,
            f"a whole number of bytes "
            f"from 1 to {_MAX_REPORT_BYTES}; the default is 65536",
        )
    return value


def report_sample_rate(where: str, value: object) -> float:
    """The share of responses whose policies carry the reporting directives."""
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 <= value <= 1  # NaN fails this too
    ):
        raise not_allowed(
            where,
            value,
            "a number from 0 to 1, the share of responses that carry report-uri "
            "and report-to, e.g. 0.1; the default 1 reports on every response",
        )
    return float(value)
