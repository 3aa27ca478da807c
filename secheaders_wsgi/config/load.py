"""Turn a dict or a YAML file into a frozen, validated :class:`.Config`.

Every check runs here, so a bad setting fails when ``SecureHeaders`` is built,
never half-way through a request. Messages follow one shape: where the problem
is, the bad value, and what is allowed (``csp_safe_src[0]: 'self' must be quoted
as "'self'"``). This module reads files, applies presets, runs each field's
check (:mod:`.model`), the cross-key checks (:mod:`.combinations`) and merges
per-path rules.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Union

import yaml

from ..errors import ConfigError, did_you_mean
from .combinations import (
    check_combinations,
    check_redirect_keys,
    check_unsafe_defaults,
)
from .keys import preset_name
from .model import CHECKS, KEYS, Config, Override
from .overrides import BEFORE_APP, apply, merge, override_name
from .presets import PRESETS
from .values import boolean, normalize_prefix, path_prefix

ConfigSource = Union[Mapping[str, Any], str, "os.PathLike[str]", Config, None]

# The configs that went through the checks: only these are taken as they are.
# Keyed by identity: a WeakSet compares by value, so it keeps one of two equal
# configs and forgets the other when the first is collected.
_VALIDATED: weakref.WeakValueDictionary[int, Config] = weakref.WeakValueDictionary()
_DEFAULTS = Config()
_VALIDATED[id(_DEFAULTS)] = _DEFAULTS


def load_config(source: ConfigSource = None) -> Config:
    """Validate ``source`` and return a frozen :class:`Config`.

    ``source`` is ``None`` (all defaults), a mapping, a path to a YAML file
    (``str`` or ``os.PathLike``) holding the same keys, or a ``Config`` that
    ``load_config`` returned before.

    >>> load_config({"server_secured": True}).server_secured
    True

    Raises :class:`ConfigError` naming the key, the bad value and what is allowed.
    """
    if source is None:
        return _DEFAULTS
    if isinstance(source, Config):
        if _VALIDATED.get(id(source)) is source:
            return source
        raise ConfigError(
            "a Config built by hand has not been checked (a value in it could "
            "inject a header): pass the mapping or the YAML path instead, or a "
            "Config that load_config() returned"
        )
    if isinstance(source, (str, os.PathLike)):
        path = os.fspath(source)
        try:
            return _from_mapping(_read_yaml(path))
        except ConfigError as exc:
            if str(exc).startswith(f"{path}:"):
                raise
            raise ConfigError(f"{path}: {exc}") from None
    if isinstance(source, Mapping):
        return _from_mapping(source)
    raise ConfigError(
        f"config must be a mapping, a path to a YAML file or None, "
        f"not {type(source).__name__} {source!r}"
    )


def _read_yaml(path: str) -> Mapping[str, Any]:
    try:
        with open(path, encoding="utf-8") as file:
            data = yaml.load(file, Loader=_UniqueKeyLoader)  # noqa: S506 (safe)
    except FileNotFoundError:
        if os.path.isabs(path):
            raise ConfigError(f"{path}: no such file") from None
        # The usual cause: the server starts in another directory than the app's.
        raise ConfigError(
            f"{path}: no such file in {os.getcwd()} (a relative path is looked "
            "for in the current directory; pass an absolute path, e.g. "
            "pathlib.Path(__file__).with_name('security.yaml'))"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({_one_line(exc)})") from None
    if data is None:  # an empty file: every key takes its default
        return {}
    if not isinstance(data, Mapping):
        raise ConfigError(
            f"{path}: the top level must be a mapping of keys to values, "
            f"not a {type(data).__name__}"
        )
    return data


class _UniqueKeyLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` (no python tags) that refuses a key given twice.

    The stock loader keeps the last value silently: a second ``script-src``
    would drop the first one's sources without a word.
    """


def _unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> Any:
    lines: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue  # "<<: *base" then a key overrides it, as YAML means
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            first = lines.get(key)
        except TypeError:  # an unhashable key: the usual error comes later
            continue
        if first is not None:
            raise ConfigError(
                f"{key!r} is given twice in one mapping (lines {first} and "
                f"{line}); only the last would count: merge them into one"
            )
        lines[key] = line
    return loader.construct_mapping(node, deep=True)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _unique_mapping,
)


def _from_mapping(raw: Mapping[str, Any]) -> Config:
    raw = _with_preset(raw)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(key, str):
            raise ConfigError(f"config keys must be strings, not {key!r}")
        if key not in CHECKS:
            raise ConfigError(
                f"unknown key {key!r}{did_you_mean(key, KEYS, prefix=True)}"
            )
        if value is None:
            raise ConfigError(
                f"{key}: null is not a value; leave the key out to get its default"
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
                f"paths[{index}].prefix: {prefix!r} is the prefix of "
                f"paths[{seen[key]}] already ({merged[seen[key]][0]!r}; a trailing "
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
            f"{place}: {rule!r} is not a mapping (allowed: prefix: and any "
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
    """Each key of a rule or an override is a known key it may set."""
    for key in rule:
        if not isinstance(key, str):
            raise ConfigError(f"{place}: keys must be strings, not {key!r}")
        if key in refused:
            raise ConfigError(f"{place}.{key}: not allowed in {what}: {refused[key]}")
        if key not in CHECKS and key not in extra:
            hint = did_you_mean(key, (*KEYS, *extra), prefix=True)
            raise ConfigError(f"{place}: unknown key {key!r}{hint}")


def _rule_values(place: str, rule: Mapping[str, Any]) -> tuple[dict[str, Any], bool]:
    """A rule's own keys, each checked, and whether its mappings replace the base's."""
    replace_mappings = boolean(f"{place}.replace", rule.get("replace", False))
    # A preset in a rule is a whole starting point, as at the top level: the
    # rule's mappings replace the base's, and its own keys win over the preset.
    if rule.get("preset") is not None:
        preset_name(f"{place}.preset", rule["preset"])
        rule = _with_preset(rule)
        replace_mappings = True
    values: dict[str, Any] = {}
    for key, value in rule.items():
        if key in _RULE_KEYS:
            continue
        if value is None:
            raise ConfigError(
                f"{place}.{key}: null is not a value; leave the key out to keep "
                "the top-level setting"
            )
        values[key] = CHECKS[key](f"{place}.{key}", value)
    return values, replace_mappings


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
            raise ConfigError(
                f"{place}: {rule!r} is not a mapping (allowed: any key a paths "
                "rule takes, and replace:, e.g. {csp_frame_ancestors: [...]})"
            )
        _check_keys(place, rule, BEFORE_APP, "an override", ("replace",))
        values, replace_mappings = _rule_values(place, rule)
        merged = merge(config, values, replace_mappings)
        check_combinations(merged, f"{place}.", config)
        _check_own_policy(merged, config, values, explicit | set(rule), place)
        override = Override(name, tuple(values.items()), replace_mappings, merged)
        for index, (prefix, rule_config) in enumerate(config.paths):
            apply(rule_config, override, f"{place} on paths[{index}] ({prefix!r}): ")
        built.append(override)
    return replace(config, overrides=tuple(built))


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
