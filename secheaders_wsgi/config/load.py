"""Turn a dict or a YAML file into a frozen, validated :class:`.Config`.

Every check runs here, so a bad setting fails when ``SecureHeaders`` is built,
never half-way through a request. Messages follow one shape: where the problem
is, the bad value, and what is allowed (``csp_safe_src[0]: 'self' must be quoted
as "'self'"``). This module applies presets, runs each field's check
(:mod:`.model`), the cross-key checks (:mod:`.combinations`) and merges
per-path rules; :mod:`.yaml_file` reads a file, and puts the file and the line
of the key in front of an error about it.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Union

from ..errors import ConfigError, closest, did_you_mean, shown
from .combinations import (
    check_combinations,
    check_redirect_keys,
    check_unsafe_defaults,
)
from .csp_grammar import KNOWN_DIRECTIVES
from .header_keys import INTEGRITY_MEMBERS
from .keys import preset_name
from .model import CHECKS, KEYS, Config, Override
from .overrides import BEFORE_APP, apply, merge, override_name
from .pages import reads_app, with_pages
from .permissions_grammar import FEATURES
from .presets import PRESETS
from .values import boolean, normalize_prefix, path_prefix
from .yaml_file import read_yaml

ConfigSource = Union[Mapping[str, Any], str, "os.PathLike[str]", Config, None]

# The configs that went through the checks: only these are taken as they are.
# Keyed by identity: a WeakSet compares by value, so it keeps one of two equal
# configs and forgets the other when the first is collected.
_VALIDATED: weakref.WeakValueDictionary[int, Config] = weakref.WeakValueDictionary()
_DEFAULTS = Config()
_VALIDATED[id(_DEFAULTS)] = _DEFAULTS


def load_config(source: ConfigSource = None, *, app: object = None) -> Config:
    """Validate ``source`` and return a frozen :class:`Config`.

    ``source`` is ``None`` (all defaults), a mapping, a path to a YAML file
    (``str`` or ``os.PathLike``) holding the same keys, or a ``Config`` that
    ``load_config`` returned before. ``app``: the application the middleware
    wraps; ``framework_pages`` reads FastAPI's docs settings from it (without
    it, those of a default ``FastAPI()``).

    >>> load_config({"server_secured": True}).server_secured
    True

    Raises :class:`ConfigError` naming the key, the bad value and what is allowed.
    """
    if source is None:
        return _DEFAULTS
    if isinstance(source, Config):
        if _VALIDATED.get(id(source)) is source:
            if app is not None and reads_app(source):
                raise ConfigError(
                    "framework_pages: a Config loaded without the app cannot "
                    "read the app's docs settings: pass the mapping or the YAML "
                    "path to the middleware instead"
                )
            return source
        raise ConfigError(
            "a Config built by hand has not been checked (a value in it could "
            "inject a header): pass the mapping or the YAML path instead, or a "
            "Config that load_config() returned"
        )
    if isinstance(source, (str, os.PathLike)):
        file = read_yaml(os.fspath(source))
        try:
            return _from_mapping(file.data, app)
        except ConfigError as exc:
            raise file.located(exc) from None
    if isinstance(source, Mapping):
        return _from_mapping(source, app)
    raise ConfigError(
        f"config must be a mapping, a path to a YAML file or None, "
        f"not {type(source).__name__} {shown(source)}"
    )


def _from_mapping(given: Mapping[Any, Any], app: object = None) -> Config:
    raw = _with_preset(given)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(key, str):
            raise ConfigError(
                f"config keys must be strings, not {shown(key)}", where=str(key)
            )
        if key not in CHECKS:
            raise ConfigError(
                f"unknown key {shown(key)}{did_you_mean(key, KEYS, prefix=True)}",
                where=key,
            )
        if value is None:
            child = _child_of(key, KEYS)
            hint = _indent_hint(given, key, child, "is not a top-level key")
            raise ConfigError(
                f"{key}: null is not a value; leave the key out to get its "
                f"default{hint}"
            )
        values[key] = CHECKS[key](key, value)
    rules = values.pop("paths", ())
    overrides = values.pop("overrides", ())
    config = Config(**values)
    check_combinations(config)
    explicit = frozenset(raw)
    check_unsafe_defaults(config, explicit)
    if rules:
        config = replace(config, paths=_rules(config, rules, explicit))
    if config.framework_pages:
        config = with_pages(config, app)
    if overrides:
        config = _overrides(config, overrides, explicit)
    check_redirect_keys(config)
    _VALIDATED[id(config)] = config
    return config


def _with_preset(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """``raw`` on top of the values of its ``preset``: keys given beside it win."""
    if "preset" not in raw or raw["preset"] is None:
        return raw
    name = preset_name("preset", raw["preset"])
    merged = {**PRESETS[name], **raw}
    custom = raw.get("csp_header")
    if (
        isinstance(custom, Mapping)
        and "csp_frame_ancestors" not in raw
        and any(str(key).lower() == "frame-ancestors" for key in custom)
    ):
        # The user's own policy sets frame-ancestors: let it, rather than
        # refuse it as set twice (the preset sets it through its own key).
        merged.pop("csp_frame_ancestors", None)
    return merged


#: Keys a per-path rule may not set: they hold for the whole site.
_SITE_WIDE = {
    "paths": "rules do not nest; give each prefix its own rule",
    "trusted_proxies": "how many proxies stand in front of the app does not "
    "depend on the path; set it at the top level",
    "csp_report_path": "the report receiver is one endpoint for the whole site; "
    "set it at the top level",
    "csp_report_max_bytes": "the report receiver is one endpoint for the whole "
    "site; set it at the top level",
    "report_sink": "the report receiver is one endpoint for the whole site; "
    "set it at the top level",
    "report_rate": "the report receiver is one endpoint for the whole site; "
    "set it at the top level",
    "report_window_seconds": "the report receiver is one endpoint for the whole site; "
    "set it at the top level",
    "report_summary_seconds": "the report receiver is one endpoint for the whole site; "
    "set it at the top level",
    "overrides": "overrides are named once for the whole site; set them at the "
    "top level (a view picks one with use_override)",
    "framework_pages": "each page already gets a paths rule of its own; set "
    "it at the top level (a mapping gives a page another prefix)",
}

_RULE_KEYS = ("prefix", "replace")


def _rules(
    base: Config, rules: tuple[object, ...], explicit: frozenset[str]
) -> tuple[tuple[str, Config], ...]:
    merged: list[tuple[str, Config]] = []
    seen: dict[str, int] = {}
    for index, rule in enumerate(rules):
        prefix, config = _rule(base, f"paths[{index}]", rule, explicit)
        key = normalize_prefix(prefix)
        if key in seen:
            raise ConfigError(
                f"paths[{index}].prefix: {shown(prefix)} is the prefix of "
                f"paths[{seen[key]}] already ({shown(merged[seen[key]][0])}; "
                "a trailing "
                "'/' changes nothing); merge the two rules"
            )
        seen[key] = index
        merged.append((prefix, config))
    return tuple(merged)


def _rule(
    base: Config, place: str, rule: object, explicit: frozenset[str]
) -> tuple[str, Config]:
    if not isinstance(rule, Mapping):
        raise ConfigError(
            f"{place}: {shown(rule)} is not a mapping (allowed: prefix: and any "
            "top-level keys, e.g. {prefix: /api/, csp_header: false})"
        )
    _check_keys(place, rule, _SITE_WIDE, "a rule", _RULE_KEYS)
    if "prefix" not in rule:
        raise ConfigError(
            f"{place}: prefix is missing (allowed: a path such as '/embed/')"
        )
    prefix = path_prefix(f"{place}.prefix", rule["prefix"])
    values, replace_mappings = _rule_values(place, rule)
    config = merge(base, values, replace_mappings)
    check_combinations(config, f"{place}.", base)
    _check_own_policy(config, base, values, explicit | set(rule), place)
    return prefix, config


def _check_own_policy(
    config: Config,
    base: Config,
    values: Mapping[str, Any],
    explicit: set[str] | frozenset[str],
    place: str,
) -> None:
    """Warn for a custom policy the base does not have (it warned for its own)."""
    if "csp_header" in values and not isinstance(base.csp_header, tuple):
        check_unsafe_defaults(config, explicit, f"{place}.")


def _check_keys(
    place: str,
    rule: Mapping[Any, Any],
    refused: Mapping[str, str],
    what: str,
    extra: tuple[str, ...],
) -> None:
    """Each key of a rule or an override is a known key it may set, not null."""
    for key, value in rule.items():
        if not isinstance(key, str):
            raise ConfigError(
                f"{place}: keys must be strings, not {shown(key)}",
                where=f"{place}.{key}",
            )
        if key in refused:
            raise ConfigError(f"{place}.{key}: not allowed in {what}: {refused[key]}")
        if key not in CHECKS and key not in extra:
            hint = did_you_mean(key, (*KEYS, *extra), prefix=True)
            raise ConfigError(
                f"{place}: unknown key {shown(key)}{hint}", where=f"{place}.{key}"
            )
        if value is None and key in CHECKS:
            child = _child_of(key, (*KEYS, *extra))
            hint = _indent_hint(rule, key, child, f"is not a key of {what}")
            raise ConfigError(
                f"{place}.{key}: null is not a value; leave the key out to keep "
                f"the top-level setting{hint}"
            )


def _rule_values(place: str, rule: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """A rule's own keys, each checked, and whether its mappings replace the base's.

    :func:`_check_keys` has refused unknown keys and nulls already.
    """
    replace_mappings = boolean(f"{place}.replace", rule.get("replace", False))
    # A preset in a rule is a whole starting point, as at the top level: the
    # rule's mappings replace the base's, and its own keys win over the preset.
    if rule.get("preset") is not None:
        preset_name(f"{place}.preset", rule["preset"])
        rule = _with_preset(rule)
        replace_mappings = True
    values: dict[str, Any] = {}
    for key, value in rule.items():
        if key not in _RULE_KEYS:
            values[key] = CHECKS[key](f"{place}.{key}", value)
    return values, replace_mappings


def _indent_hint(
    mapping: Mapping[Any, Any],
    key: object,
    looks_like_child: Callable[[object], bool],
    what: str,
) -> str:
    """``. 'camera', the key after it, ...`` when the key after ``key`` looks
    like a child of it that lost its indentation, or ``""``.

    ``permissions_policy:`` then ``camera: []`` at the same indentation gives
    ``permissions_policy`` no value and ``camera`` a place at the wrong level.
    """
    keys = list(mapping)
    after = keys.index(key) + 1
    if after == len(keys) or not looks_like_child(keys[after]):
        return ""
    return (
        f". {shown(keys[after])}, the key after it, {what}: did you mean to indent "
        f"it under {key}?"
    )


#: Keys whose value maps names of its own: one of those names after the key
#: is its child, however close it is to a key of the same level.
_CHILD_NAMES: Mapping[str, tuple[str, ...]] = {
    "csp_header": KNOWN_DIRECTIVES,
    "csp_report_only_header": KNOWN_DIRECTIVES,
    "permissions_policy": FEATURES,
    "integrity_policy": tuple(INTEGRITY_MEMBERS),
    "integrity_policy_report_only": tuple(INTEGRITY_MEMBERS),
}


def _child_of(key: str, known: tuple[str, ...]) -> Callable[[object], bool]:
    """Whether the key after ``key`` looks like its child: a name its value
    takes, or a key that is neither one of ``known`` nor a misspelling of one."""
    names = _CHILD_NAMES.get(key, ())
    return lambda after: (
        after in names
        or (
            isinstance(after, str)
            and after not in known
            and closest(after, known) is None
        )
    )


_NOT_IN_OVERRIDES = {
    **BEFORE_APP,
    "framework_pages": "a framework page is chosen by its path, not by the "
    "view; set it at the top level",
}


def _overrides(
    config: Config, raw: tuple[tuple[object, object], ...], explicit: frozenset[str]
) -> Config:
    """``config`` with its ``overrides:`` checked, each merged onto the top level.

    Each is merged onto every path rule here too, so that a contradiction
    between the two fails at start-up; the plans are built on first use.
    """
    built = []
    for raw_name, rule in raw:
        name = override_name("overrides", raw_name)
        place = f"overrides.{name}"
        if not isinstance(rule, Mapping):
            hint = _indent_hint(
                dict(raw),
                raw_name,
                CHECKS.__contains__,
                "is a setting, not an override name",
            )
            raise ConfigError(
                f"{place}: {shown(rule)} is not a mapping (allowed: any key a paths "
                f"rule takes, and replace:, e.g. {{csp_frame_ancestors: [...]}}){hint}"
            )
        _check_keys(place, rule, _NOT_IN_OVERRIDES, "an override", ("replace",))
        values, replace_mappings = _rule_values(place, rule)
        merged = merge(config, values, replace_mappings)
        check_combinations(merged, f"{place}.", config)
        _check_own_policy(merged, config, values, explicit | set(rule), place)
        override = Override(name, tuple(values.items()), replace_mappings, merged)
        for index, (prefix, rule_config) in enumerate(config.paths):
            apply(
                rule_config, override, f"{place} on paths[{index}] ({shown(prefix)}): "
            )
        built.append(override)
    return replace(config, overrides=tuple(built))
