"""Turn a dict or a YAML file into a frozen, validated :class:`Config`.

Every check lives in this package, so a bad setting fails when ``SecureHeaders``
is built, never half-way through a request. Messages follow one shape: where the
problem is, the bad value, and what is allowed (``csp_safe_src[0]: 'self' must be
quoted as "'self'"``). :mod:`.checks` holds the check of each key; this module
loads files, applies presets, checks how keys combine and merges per-path rules.
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Union

import yaml

from ..errors import ConfigError, warn
from ..prefixes import normalize
from . import csp_grammar as csp
from .checks import (
    CHECKS,
    Directive,
    Sources,
    boolean,
    did_you_mean,
    path_prefix,
    preset_name,
)
from .presets import PRESETS

__all__ = [
    "KEYS",
    "Config",
    "ConfigError",
    "ConfigSource",
    "Directive",
    "Sources",
    "load_config",
]


@dataclass(frozen=True)
class Config:
    """The validated settings; see the README for what each one does.

    Build it with :func:`load_config`; the constructor itself checks nothing.
    """

    server_secured: bool = False
    #: ``None``: the default (sent only when ``server_secured``); ``False``: never.
    hsts_header: str | bool | None = None
    #: ``True``: the default policy; ``False``: no CSP; a tuple: a custom policy.
    csp_header: bool | tuple[Directive, ...] = True
    csp_safe_src: Sources = ("'self'",)
    csp_unsafe_inline: bool = True
    csp_unsafe_eval: bool = True
    csp_frame_ancestors: bool | Sources = True
    referrer_policy: str | bool = "strict-origin-when-cross-origin"
    debug: bool = False
    # nonces, report-only, reporting, presets
    #: ``"strict"`` or ``None``; already applied to the other fields.
    preset: str | None = None
    #: Where the per-request nonce goes, when the app asked for one.
    csp_nonce_directives: tuple[str, ...] = ("script-src", "style-src")
    #: ``Cache-Control`` for a response whose CSP carries a nonce; ``False``: none.
    csp_nonce_cache_control: str | bool = "private"
    csp_report_only: bool = False
    #: A second policy sent as Content-Security-Policy-Report-Only; ``None``: none.
    csp_report_only_header: tuple[Directive, ...] | None = None
    csp_report_uri: str | None = None
    csp_report_path: str | None = None
    csp_report_max_bytes: int = 64 * 1024
    # more headers, redirect, proxies, cookies, per-path rules
    #: ``False``: no header; a tuple of ``(feature, allowlist)``: the policy.
    permissions_policy: bool | tuple[Directive, ...] = False
    cross_origin_opener_policy: str | bool = False
    cross_origin_embedder_policy: str | bool = False
    cross_origin_resource_policy: str | bool = False
    #: ``None``: derived from the frame-ancestors directive; ``False``: never.
    x_frame_options: str | bool | None = None
    #: ``None``: ``1; mode=block`` (``0`` under the strict preset) beside a CSP;
    #: ``False``: never.
    xss_protection: str | bool | None = None
    #: ``None``: no header; ``True``: ``?1``; ``False``: ``?0``.
    origin_agent_cluster: bool | None = None
    #: ``None``: no header; ``True``: ``on``; ``False``: ``off``.
    x_dns_prefetch_control: bool | None = None
    x_permitted_cross_domain_policies: str | bool = False
    remove_headers: tuple[str, ...] = ("X-Powered-By",)
    force_https: bool = False
    force_https_exempt: tuple[str, ...] = ()
    #: Lower-case host names (``*.example.com`` for subdomains); ``()``: any host.
    allowed_hosts: tuple[str, ...] = ()
    trusted_proxies: int = 0
    cookie_samesite: str | bool = False
    #: ``True``: every cookie; a tuple: the names of the cookies to mark.
    cookie_httponly: bool | tuple[str, ...] = False
    #: ``(prefix, config)`` per rule: each config is the base with the rule merged.
    paths: tuple[tuple[str, Config], ...] = ()


ConfigSource = Union[Mapping[str, Any], str, "os.PathLike[str]", Config, None]

KEYS = tuple(f.name for f in fields(Config))

# The configs that went through the checks: only these are taken as they are.
_VALIDATED: weakref.WeakSet[Config] = weakref.WeakSet()
_DEFAULTS = Config()
_VALIDATED.add(_DEFAULTS)


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
        if source in _VALIDATED:
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
            data = yaml.safe_load(file)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
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


def _from_mapping(raw: Mapping[str, Any]) -> Config:
    raw = _with_preset(raw)
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if not isinstance(key, str):
            raise ConfigError(f"config keys must be strings, not {key!r}")
        if key not in CHECKS:
            raise ConfigError(f"unknown key {key!r}.{did_you_mean(key, KEYS)}")
        if value is None:
            raise ConfigError(
                f"{key}: null is not a value; leave the key out to get its default"
            )
        values[key] = CHECKS[key](key, value)
    rules = values.pop("paths", ())
    config = Config(**values)
    _check_combinations(config)
    if rules:
        config = replace(config, paths=_rules(config, rules))
    _check_redirect_keys(config)
    _VALIDATED.add(config)
    return config


def _check_redirect_keys(config: Config) -> None:
    # Site-wide rather than per merged config: a rule that turns force_https
    # off for its prefix leaves the inherited keys in force everywhere else.
    if any(rule.force_https for rule in (config, *(r for _, r in config.paths))):
        return
    for key in ("force_https_exempt", "allowed_hosts"):
        if getattr(config, key):
            warn(
                f"{key}: does nothing without force_https: true (it only "
                "applies to the redirect to https)"
            )


def _check_combinations(
    config: Config, where: str = "", base: Config | None = None
) -> None:
    """Raise for settings that contradict each other, warn for risky ones.

    ``where`` prefixes every message (``paths[2].``); a warning ``base`` gave
    already is not repeated for each rule that inherits it.
    """
    for message in _conflicts(config):
        raise ConfigError(where + message)
    inherited = set(_risks(base)) if base is not None else set()
    for message in _risks(config):
        if message not in inherited:
            warn(where + message)


def _conflicts(config: Config) -> list[str]:
    found = _modern_csp_conflicts(config)
    custom = dict(config.csp_header) if isinstance(config.csp_header, tuple) else {}
    if config.csp_frame_ancestors is not True and "frame-ancestors" in custom:
        found.append(
            "csp_frame_ancestors: the custom csp_header sets frame-ancestors too; "
            "set it in one place only"
        )
    if config.force_https and config.server_secured:
        found.append(
            "force_https: true cannot go with server_secured: true: with "
            "server_secured every request already counts as https, so nothing "
            "would ever be redirected. Behind a proxy that terminates TLS, set "
            "trusted_proxies instead, so that X-Forwarded-Proto tells which "
            "requests came over https"
        )
    return found


def _risks(config: Config) -> list[str]:
    found = _modern_csp_risks(config)
    custom = dict(config.csp_header) if isinstance(config.csp_header, tuple) else {}
    switches = config.csp_unsafe_inline or config.csp_unsafe_eval or config.debug
    for name in ("script-src", "style-src"):
        if switches and custom.get(name, custom.get("default-src")) == ("'none'",):
            found.append(
                f"csp_header.{name}: 'none' is replaced by 'unsafe-eval' / "
                "'unsafe-inline' because csp_unsafe_eval, csp_unsafe_inline or "
                "debug is on; set them to false to keep 'none'"
            )
    found += _x_frame_options_risks(config)
    if config.cookie_samesite == "None" and not (
        config.server_secured or config.force_https
    ):
        found.append(
            "cookie_samesite: 'None' makes cookies Secure too, and browsers drop a "
            "Secure cookie set over plain http; use it on a site served over https "
            "(server_secured or force_https)"
        )
    return found


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


def _modern_csp_conflicts(config: Config) -> list[str]:
    found = []
    if config.csp_report_only and config.csp_report_only_header is not None:
        found.append(
            "csp_report_only: true cannot be combined with csp_report_only_header "
            "(allowed: one of them: csp_report_only sends the policy as "
            "report-only, csp_report_only_header trials a second policy beside "
            "the enforced one)"
        )
    if config.csp_report_only and config.csp_header is False:
        found.append(
            "csp_report_only: true has no policy to send because csp_header is "
            "false (allowed: a csp_header policy, or csp_report_only_header alone)"
        )
    reporting = config.csp_report_uri or config.csp_report_path
    policies = {
        "csp_header": config.csp_header,
        "csp_report_only_header": config.csp_report_only_header,
    }
    for key, policy in policies.items():
        if not isinstance(policy, tuple):
            continue
        for name in ("report-uri", "report-to"):
            if reporting and name in dict(policy):
                found.append(
                    f"{key}.{name}: csp_report_uri or csp_report_path already "
                    f"sets {name}; set the report endpoint in one place only"
                )
    return found


def _modern_csp_risks(config: Config) -> list[str]:
    found = []
    reporting = config.csp_report_uri or config.csp_report_path
    trial = config.csp_report_only_header
    report_only = trial if trial is not None else config.csp_report_only
    if report_only and not reporting and not _reports_itself(report_only):
        key = "csp_report_only" if trial is None else "csp_report_only_header"
        found.append(
            f"{key}: the report-only policy has no report endpoint, so "
            "violations only show in the browser console; set csp_report_uri "
            "or csp_report_path to collect them"
        )
    if isinstance(config.csp_header, tuple) and (
        config.csp_unsafe_inline or config.debug
    ):
        custom = dict(config.csp_header)
        script = custom.get("script-src", custom.get("default-src", ()))
        if "'strict-dynamic'" in script:
            found.append(
                "csp_header.script-src: browsers ignore 'unsafe-inline' and "
                "'self' beside 'strict-dynamic', and no nonce is sent while "
                "csp_unsafe_inline or debug is on, so every script is blocked "
                "that no hash in the policy allows; set csp_unsafe_inline: false "
                "and use the nonce"
            )
    return found


def _reports_itself(policy: tuple[Directive, ...] | bool) -> bool:
    names = dict(policy) if isinstance(policy, tuple) else {}
    return "report-uri" in names or "report-to" in names


#: Keys a per-path rule may not set: they hold for the whole site.
_SITE_WIDE = {
    "paths": "rules do not nest; give each prefix its own rule",
    "trusted_proxies": "how many proxies stand in front of the app does not "
    "depend on the path; set it at the top level",
    "csp_report_path": "the report receiver is one endpoint for the whole site; "
    "set it at the top level",
    "csp_report_max_bytes": "the report receiver is one endpoint for the whole "
    "site; set it at the top level",
}

_RULE_KEYS = ("prefix", "replace")


def _rules(base: Config, rules: tuple[object, ...]) -> tuple[tuple[str, Config], ...]:
    merged: list[tuple[str, Config]] = []
    seen: dict[str, int] = {}
    for index, rule in enumerate(rules):
        prefix, config = _rule(base, f"paths[{index}]", rule)
        key = normalize(prefix)
        if key in seen:
            raise ConfigError(
                f"paths[{index}].prefix: {prefix!r} is the prefix of "
                f"paths[{seen[key]}] already ({merged[seen[key]][0]!r}; a trailing "
                "'/' changes nothing); merge the two rules"
            )
        seen[key] = index
        merged.append((prefix, config))
    return tuple(merged)


def _rule(base: Config, place: str, rule: object) -> tuple[str, Config]:
    if not isinstance(rule, Mapping):
        raise ConfigError(
            f"{place}: {rule!r} is not a mapping (allowed: prefix: and any "
            "top-level keys, e.g. {prefix: /api/, csp_header: false})"
        )
    for key in rule:
        if not isinstance(key, str):
            raise ConfigError(f"{place}: keys must be strings, not {key!r}")
        if key in _SITE_WIDE:
            raise ConfigError(
                f"{place}.{key}: not allowed in a rule: {_SITE_WIDE[key]}"
            )
        if key not in CHECKS and key not in _RULE_KEYS:
            choices = (*KEYS, *_RULE_KEYS)
            raise ConfigError(
                f"{place}: unknown key {key!r}.{did_you_mean(key, choices)}"
            )
    if "prefix" not in rule:
        raise ConfigError(
            f"{place}: prefix is missing (allowed: a path such as '/embed/')"
        )
    prefix = path_prefix(f"{place}.prefix", rule["prefix"])
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
    if not replace_mappings:
        secured = values.get("server_secured", base.server_secured)
        for key in ("csp_header", "permissions_policy"):
            if isinstance(values.get(key), tuple):
                values[key] = _merged_pairs(
                    _mapping_of(base, key, secured), values[key]
                )
    config = replace(base, paths=(), **values)
    _check_combinations(config, f"{place}.", base)
    return prefix, config


def _x_frame_options_risks(config: Config) -> list[str]:
    """An explicit X-Frame-Options that forbids framing frame-ancestors allows."""
    if not isinstance(config.x_frame_options, str) or config.csp_header is False:
        return []
    ancestors = config.csp_frame_ancestors
    if ancestors is True and isinstance(config.csp_header, tuple):
        ancestors = dict(config.csp_header).get("frame-ancestors", True)
    if ancestors is True:  # no frame-ancestors: X-Frame-Options alone decides
        return []
    allowed = set(ancestors or ("'none'",)) - {"'none'"}
    if config.x_frame_options == "SAMEORIGIN":
        allowed -= {"'self'", csp.SAFE_SRC}
    if not allowed:
        return []
    return [
        f"x_frame_options: {config.x_frame_options!r} forbids framing that "
        f"frame-ancestors allows ({' '.join(sorted(allowed))}); browsers that "
        "know frame-ancestors follow it, older ones block those sites. Leave "
        "x_frame_options out to derive it, or set it to false"
    ]


def _mapping_of(base: Config, key: str, secured: bool) -> tuple[Directive, ...]:
    """The base's mapping for ``key``, the default CSP spelt out as one."""
    current = getattr(base, key)
    if current is True and key == "csp_header":
        return csp.default_policy(secured)
    return current if isinstance(current, tuple) else ()


def _merged_pairs(
    base: tuple[Directive, ...], rule: tuple[Directive, ...]
) -> tuple[Directive, ...]:
    """Directive by directive: the rule's value wins, new names come last."""
    merged = dict(base)
    merged.update(rule)
    return tuple(merged.items())


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
