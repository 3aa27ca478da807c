"""Named overrides (``overrides:``) and the per-response changes a view asks for.

A rule, whether a ``paths`` rule chosen by prefix or an override chosen by the
view (:func:`~secheaders_wsgi.use_override`), is merged onto its base the same
way: :func:`merge`. The keys an override may not set act before the app runs,
so a call from the view would come too late for them (:data:`BEFORE_APP`).

The checks of ``csp_update`` / ``csp_replace`` and ``omit_headers`` arguments
live here too: they run per call, with the same grammar and message shape as
the config (``csp_update.img-src[0]: 'self' must be quoted as "'self'"``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any, cast

from ..errors import ConfigError, clipped, shown
from . import csp_grammar as grammar
from .combinations import check_conflicts
from .model import Config, Override
from .presets import default_policy
from .values import Sources, header_text

#: Keys an override may not set, and why: each acts before the app runs.
BEFORE_APP = {
    "force_https": "the https redirect is decided before the app runs, so a "
    "view's use_override comes too late; use a paths rule",
    "force_https_exempt": "the https redirect is decided before the app runs; "
    "use a paths rule",
    "force_https_permanent": "the https redirect is decided before the app runs; "
    "use a paths rule",
    "redirect_host": "the https redirect is decided before the app runs; use a "
    "paths rule",
    "allowed_hosts": "the https redirect checks the host before the app runs; "
    "set it at the top level",
    "trusted_proxies": "the proxy headers are read before the app runs; set it "
    "at the top level",
    "csp_report_path": "the report receiver answers before the app runs; set it "
    "at the top level",
    "csp_report_max_bytes": "the report receiver answers before the app runs; "
    "set it at the top level",
    "report_sink": "the report receiver answers before the app runs; "
    "set it at the top level",
    "report_rate": "the report receiver answers before the app runs; "
    "set it at the top level",
    "report_window_seconds": "the report receiver answers before the app runs; "
    "set it at the top level",
    "report_summary_seconds": "the report receiver answers before the app runs; "
    "set it at the top level",
    "server_secured": "whether the request counts as https is decided before "
    "the app runs; set it at the top level or in a paths rule",
    "paths": "an override is chosen by the view, not by the path; give the "
    "prefix a paths rule instead",
    "prefix": "an override is chosen by the view, not by the path; give the "
    "prefix a paths rule instead",
    "overrides": "overrides do not nest; call use_override once per override",
    "cross_origin": "the cross-origin check refuses a request before the app "
    "runs, so a view's use_override comes too late; exempt a prefix or change "
    "the mode with a paths rule",
}

_NAME = re.compile(r"[A-Za-z0-9_.-]+")
# RFC 9110 section 5.6.2: a header name is a token.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def override_name(where: str, name: object) -> str:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ConfigError(
            f"{where}: {shown(name)} is not an override name (allowed: letters, "
            "digits, '_', '.' and '-', e.g. embed)"
        )
    return name


def merge(base: Config, values: Mapping[str, Any], replace_mappings: bool) -> Config:
    """``base`` with a rule's checked ``values`` on top.

    ``csp_header``, ``permissions_policy`` and ``cross_origin`` mappings merge
    key by key (the rule's value wins) unless ``replace_mappings``.
    """
    values = dict(values)
    if not replace_mappings:
        secured = values.get("server_secured", base.server_secured)
        for key in ("csp_header", "permissions_policy", "cross_origin"):
            if isinstance(values.get(key), tuple):
                values[key] = _merged_pairs(
                    _mapping_of(base, key, secured), values[key]
                )
    return replace(base, paths=(), overrides=(), **values)


def apply(base: Config, override: Override, where: str) -> Config:
    """``base`` with ``override`` merged on; a contradiction is a ConfigError."""
    config = merge(base, dict(override.values), override.replace)
    check_conflicts(config, where)
    return config


def _mapping_of(base: Config, key: str, secured: bool) -> tuple[tuple[str, Any], ...]:
    """The base's mapping for ``key``, the default CSP spelt out as one."""
    current = getattr(base, key)
    if current is True and key == "csp_header":
        return default_policy(secured)
    return current if isinstance(current, tuple) else ()


def _merged_pairs(
    base: tuple[tuple[str, Any], ...], rule: tuple[tuple[str, Any], ...]
) -> tuple[tuple[str, Any], ...]:
    """Key by key: the rule's value wins, new names come last."""
    merged = dict(base)
    merged.update(rule)
    return tuple(merged.items())


#: One csp_update / csp_replace argument, checked: directive -> sources, or
#: ``None`` (csp_replace only) to drop the directive.
Change = tuple[tuple[str, "Sources | None"], ...]


#: Checked arguments, by their value: views pass the same constants on every
#: request, so each is checked once. Bounded, as views may compute them.
_CHECKED: dict[tuple[str, tuple[tuple[object, object], ...]], Change] = {}
_CHECKED_LIMIT = 1024


def csp_change(where: str, directives: object, *, allow_none: bool) -> Change:
    """Check a ``csp_update`` / ``csp_replace`` mapping like ``csp_header``.

    ``allow_none``: ``None`` drops a directive (csp_replace).
    """
    if type(directives) is not dict and not isinstance(directives, Mapping):
        return _csp_change(where, directives, allow_none)
    # Iterables become tuples (an iterator is read once, here), so the
    # argument can be a key of the cache of checked ones. A list, the usual
    # literal, is turned at once: this runs on every request that asks.
    items = tuple(
        [
            (name, tuple(value) if type(value) is list else _frozen(value))
            for name, value in directives.items()
        ]
    )
    key = (where, items)
    try:
        change = _CHECKED.get(key)
    except TypeError:  # a set or a mapping as a value: no cache, the check reads it
        return _csp_change(where, dict(items), allow_none)
    if change is None:
        change = _csp_change(where, dict(items), allow_none)
        if len(_CHECKED) < _CHECKED_LIMIT:
            _CHECKED[key] = change
    return change


def _frozen(value: object) -> object:
    kind = type(value)
    if kind is str or kind is tuple or value is None:
        return value
    if kind is list:  # the usual literal: no ABC checks below, they cost
        return tuple(cast("list[object]", value))
    if isinstance(value, (str, bytes, Mapping, set, frozenset)) or not isinstance(
        value, Iterable
    ):
        # The check refuses it, naming the value: a set, too, as in the
        # config (its order, and so the header, would differ between processes).
        return value
    return tuple(value)


def _csp_change(where: str, directives: object, allow_none: bool) -> Change:
    if not isinstance(directives, Mapping):
        raise ConfigError(
            f"{where}: {shown(directives)} is not a mapping (allowed: directive name "
            "-> sources, e.g. {'img-src': ['https://cdn.example']})"
        )
    pairs: dict[str, Sources | None] = {}
    for name, entry in directives.items():
        if not isinstance(name, str):
            raise ConfigError(f"{where}: directive name {shown(name)} is not a string")
        place = f"{where}.{clipped(name)}"
        key = grammar.check_directive_name(place, header_text(place, name))
        if key in pairs:
            raise ConfigError(f"{place}: the directive {shown(key)} is given twice")
        if entry is None:
            if not allow_none:
                raise ConfigError(
                    f"{place}: None is not a value here (allowed: a string of "
                    "space-separated sources or a list of sources; to drop the "
                    f"directive, use {_REPLACER.get(where, 'csp_replace')} with None)"
                )
            pairs[key] = None
            continue
        pairs[key] = grammar.check_directive(place, key, _sources(place, entry))
    return tuple(pairs.items())


#: Where the drop-a-directive hint sends a caller of each adding call.
_REPLACER = {"update_csp": "replace_csp", "csp_update": "@csp_replace"}


def _sources(where: str, value: object) -> Sources:
    if isinstance(value, str):
        return tuple(header_text(where, value).split())
    if isinstance(value, (bytes, Mapping, set, frozenset)) or not hasattr(
        value, "__iter__"
    ):
        raise ConfigError(
            f"{where}: {shown(value)} is not allowed (allowed: a string of "
            "space-separated sources or a list of sources)"
        )
    return tuple(
        header_text(f"{where}[{i}]", item).strip() for i, item in enumerate(value)
    )


def header_names(where: str, names: tuple[object, ...]) -> frozenset[str]:
    """The lower-cased header names ``omit_headers`` got, each checked."""
    lowered = set()
    for i, name in enumerate(names):
        if not isinstance(name, str) or not _TOKEN.fullmatch(name):
            raise ConfigError(
                f"{where}[{i}]: {shown(name)} is not a header name (allowed: letters, "
                "digits and !#$%&'*+.^_`|~-)"
            )
        lowered.add(name.lower())
    return frozenset(lowered)
