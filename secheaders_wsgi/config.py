"""Turn a dict or a YAML file into a frozen, validated :class:`Config`.

Every check lives here, so a bad setting fails when ``SecureHeaders`` is built,
never half-way through a request. Messages follow one shape: where the problem
is, the bad value, and what is allowed (``csp_safe_src[0]: 'self' must be quoted
as "'self'"``).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any, Union
from urllib.parse import urlsplit

import yaml

from . import csp, permissions
from .errors import ConfigError, warn
from .prefixes import normalize
from .presets import PRESETS

__all__ = ["Config", "ConfigError", "ConfigSource", "load_config"]

Sources = tuple[str, ...]
Directive = tuple[str, Sources]

REFERRER_POLICIES = (
    "no-referrer",
    "no-referrer-when-downgrade",
    "origin",
    "origin-when-cross-origin",
    "same-origin",
    "strict-origin",
    "strict-origin-when-cross-origin",
    "unsafe-url",
)

# RFC 6797 section 6.1: max-age is required, the other two are the directives
# browsers act on. Anything else is more likely a typo than an extension.
_HSTS = re.compile(
    r"max-age=(?:\d+|\"\d+\")"
    r"|includesubdomains"
    r"|preload",
    re.IGNORECASE,
)


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
    # issue 3: modern CSP
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
    # issue 4: more headers, redirect, proxies, cookies, paths
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


def load_config(source: ConfigSource = None) -> Config:
    """Validate ``source`` and return a frozen :class:`Config`.

    ``source`` is ``None`` (all defaults), a mapping, a path to a YAML file
    (``str`` or ``os.PathLike``) holding the same keys, or a ``Config``.

    >>> load_config({"server_secured": True}).server_secured
    True

    Raises :class:`ConfigError` naming the key, the bad value and what is allowed.
    """
    if source is None:
        return Config()
    if isinstance(source, Config):
        return source
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
        if key not in _CHECKS:
            raise ConfigError(f"unknown key {key!r}.{_did_you_mean(key, KEYS)}")
        if value is None:
            raise ConfigError(
                f"{key}: null is not a value; leave the key out to get its default"
            )
        values[key] = _CHECKS[key](key, value)
    rules = values.pop("paths", ())
    config = Config(**values)
    _check_combinations(config)
    if rules:
        config = replace(config, paths=_rules(config, rules))
    _check_redirect_keys(config)
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


# -- checks: each takes the key (as the place to name in errors) and the raw value


def _boolean(where: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {value!r} is not a boolean (allowed: true, false)")
    return value


def _hsts(where: str, value: object) -> str | bool:
    if value is True:
        raise ConfigError(
            f"{where}: true is not allowed (allowed: a header value such as "
            "'max-age=31556926; includeSubDomains', or false for no HSTS; "
            "leave the key out for the default)"
        )
    if value is False:
        return False
    text = _header_text(where, value)
    parts = [part.strip() for part in text.split(";")]
    if not any(part.lower().startswith("max-age=") for part in parts):
        raise ConfigError(
            f"{where}: {text!r} has no max-age (allowed: "
            "'max-age=<seconds>[; includeSubDomains][; preload]')"
        )
    for part in parts:
        if part and not _HSTS.fullmatch(part):
            raise ConfigError(
                f"{where}: {part!r} in {text!r} is not an HSTS directive "
                "(allowed: max-age=<seconds>, includeSubDomains, preload)"
            )
    return text


def _referrer(where: str, value: object) -> str | bool:
    if value is False:
        return False
    text = _header_text(where, value)
    tokens = [token.strip() for token in text.split(",")]
    for token in tokens:
        if token not in REFERRER_POLICIES:
            raise ConfigError(
                f"{where}: {token!r} is not a referrer policy"
                f"{_did_you_mean(token, REFERRER_POLICIES)} "
                f"(allowed: {', '.join(REFERRER_POLICIES)}, a comma list of them, "
                "or false)"
            )
    return ", ".join(tokens)


def _source_list(where: str, value: object) -> Sources:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ConfigError(
            f"{where}: {value!r} is not a list (allowed: a list of CSP sources, "
            f'e.g. ["\'self\'", "cdn.example.com"])'
        )
    return tuple(
        csp.check_source(f"{where}[{i}]", _header_text(f"{where}[{i}]", item))
        for i, item in enumerate(value)
    )


def _safe_src(where: str, value: object) -> Sources:
    sources = _source_list(where, value)
    if not sources:
        raise ConfigError(
            f"{where}: [] leaves 'safe-src' with no sources "
            "(allowed: a non-empty list; use [\"'none'\"] to allow nothing)"
        )
    if csp.SAFE_SRC in sources:
        raise ConfigError(
            f"{where}: {csp.SAFE_SRC} cannot stand inside csp_safe_src, "
            "it is what csp_safe_src defines"
        )
    return sources


def _frame_ancestors(where: str, value: object) -> bool | Sources:
    if isinstance(value, bool):
        return value
    sources = _source_list(where, value)
    for i, source in enumerate(sources):
        csp.check_frame_ancestor(f"{where}[{i}]", source)
    return sources


def _csp_header(where: str, value: object) -> bool | tuple[Directive, ...]:
    if isinstance(value, bool):
        return value
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{where}: {value!r} is not allowed (allowed: true for the default "
            "policy, false for none, or a mapping of directive name to sources)"
        )
    directives: dict[str, Sources] = {}
    for name, sources in value.items():
        if not isinstance(name, str):
            raise ConfigError(f"{where}: directive name {name!r} is not a string")
        place = f"{where}.{name}"
        lowered = csp.check_directive_name(place, _header_text(place, name))
        if lowered in directives:
            raise ConfigError(f"{place}: the directive {lowered!r} is given twice")
        directives[lowered] = csp.check_directive(
            place, lowered, _directive_value(place, sources)
        )
    return tuple(directives.items())


def _directive_value(where: str, value: object) -> Sources:
    if value is None:
        raise ConfigError(
            f"{where}: null is not a value (allowed: a string of space-separated "
            "sources, a list of sources, or '' for a directive without sources)"
        )
    if isinstance(value, str):
        return tuple(_header_text(where, value).split())
    if isinstance(value, (list, tuple)):
        return tuple(
            _header_text(f"{where}[{i}]", item).strip() for i, item in enumerate(value)
        )
    raise ConfigError(
        f"{where}: {value!r} is not allowed (allowed: a string of space-separated "
        "sources or a list of sources)"
    )


def _header_text(where: str, value: object) -> str:
    """Refuse anything that is not a string or could break out of a header."""
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {value!r} is not a string")
    for char in value:
        if ord(char) > 0xFF:
            raise ConfigError(
                f"{where}: {value!r} has the non-latin-1 character {char!r} "
                "(allowed: latin-1 text only; punycode-encode international "
                "domain names)"
            )
        if ord(char) < 0x20 or ord(char) == 0x7F:
            raise ConfigError(
                f"{where}: {value!r} has the control character {char!r} "
                "(allowed: printable characters only; CR and LF would inject a header)"
            )
    return value


# -- issue 3: modern CSP


def _with_preset(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    """``raw`` on top of the values of its ``preset``: keys given beside it win."""
    if "preset" not in raw or raw["preset"] is None:
        return raw
    name = _preset("preset", raw["preset"])
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


def _preset(where: str, value: object) -> str:
    if not isinstance(value, str) or value not in PRESETS:
        hint = _did_you_mean(value, tuple(PRESETS)) if isinstance(value, str) else ""
        raise ConfigError(
            f"{where}: {value!r} is not a preset "
            f"(allowed: {', '.join(PRESETS)}; leave the key out for none)"
            + (f".{hint}" if hint else "")
        )
    return value


def _nonce_directives(where: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ConfigError(
            f"{where}: {value!r} is not a list (allowed: a list of "
            f"{', '.join(csp.NONCE_DIRECTIVES)}, or [] for none)"
        )
    names: list[str] = []
    for i, item in enumerate(value):
        place = f"{where}[{i}]"
        name = _header_text(place, item).lower()
        if name not in csp.NONCE_DIRECTIVES:
            hint = _did_you_mean(name, csp.NONCE_DIRECTIVES)
            raise ConfigError(
                f"{place}: {item!r} cannot carry a nonce "
                f"(allowed: {', '.join(csp.NONCE_DIRECTIVES)})"
                + (f".{hint}" if hint else "")
            )
        if name in names:
            raise ConfigError(f"{place}: {item!r} is given twice")
        names.append(name)
    return tuple(names)


def _nonce_cache_control(where: str, value: object) -> str | bool:
    if value is False:
        return False
    if value is True:
        raise ConfigError(
            f"{where}: true is not allowed (allowed: a Cache-Control value such "
            "as 'private' or 'no-store', or false to add none; leave the key out "
            "for 'private')"
        )
    text = _header_text(where, value).strip()
    if not text:
        raise ConfigError(
            f"{where}: {value!r} is empty (allowed: a Cache-Control value such as "
            "'private' or 'no-store', or false to add none)"
        )
    if "public" in (part.strip().lower() for part in text.split(",")):
        raise ConfigError(
            f"{where}: {value!r} lets shared caches replay one nonce to every "
            "user, which defeats it (allowed: 'private', 'no-store', ... or false)"
        )
    return text


def _report_only_header(where: str, value: object) -> tuple[Directive, ...] | None:
    if value is False:
        return None
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{where}: {value!r} is not allowed (allowed: a mapping of directive "
            "name to sources, as for csp_header, or false for none)"
        )
    if not value:
        raise ConfigError(
            f"{where}: {{}} is an empty policy (allowed: a mapping of directive "
            "name to sources, or false for none)"
        )
    directives = _csp_header(where, value)
    assert isinstance(directives, tuple)
    return directives


# Characters that would end the URL inside report-uri or inside the quoted
# Reporting-Endpoints value.
_URL_STOPS = frozenset(" \t;,'\"\\")


def _report_uri(where: str, value: object) -> str:
    text = _url_text(where, value, "an absolute https URL or a path")
    if text.startswith("/") and not text.startswith("//"):
        return text
    parts = urlsplit(text)
    if parts.scheme.lower() == "https" and parts.netloc:
        return text
    raise ConfigError(
        f"{where}: {text!r} is not allowed (allowed: an absolute https URL such "
        "as 'https://reports.example.com/csp', or a path such as "
        "'/_/csp-reports'; browsers send reports only to secure endpoints)"
    )


def _report_path(where: str, value: object) -> str:
    text = _url_text(where, value, "a path such as '/_/csp-reports'")
    if text == "/":
        raise ConfigError(
            f"{where}: '/' would take every request to the site root away from "
            "the app (allowed: a path of its own, such as '/_/csp-reports')"
        )
    if not text.startswith("/") or text.startswith("//") or "?" in text or "#" in text:
        raise ConfigError(
            f"{where}: {text!r} is not allowed (allowed: a path on this site, "
            "such as '/_/csp-reports', without a query; to send reports "
            "elsewhere, use csp_report_uri)"
        )
    return text


def _url_text(where: str, value: object, allowed: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(
            f"{where}: {value!r} is not allowed (allowed: {allowed}; leave the "
            "key out for none)"
        )
    text = _header_text(where, value)
    bad = sorted(set(text) & _URL_STOPS)
    if bad:
        raise ConfigError(
            f"{where}: {text!r} has the character {bad[0]!r} (allowed: "
            f"{allowed}, without spaces, quotes, backslashes, ';' or ',')"
        )
    return text


#: A CSP report is well under a kilobyte; a few MiB is already a batch no
#: browser sends, and every request may make the receiver hold this much.
_MAX_REPORT_BYTES = 10 * 1024 * 1024


def _report_max_bytes(where: str, value: object) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not 1 <= value <= _MAX_REPORT_BYTES
    ):
        raise ConfigError(
            f"{where}: {value!r} is not allowed (allowed: a whole number of bytes "
            f"from 1 to {_MAX_REPORT_BYTES}; the default is 65536)"
        )
    return value


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


# -- issue 4: more headers, redirect, proxies, cookies, paths

COOP = (
    "same-origin",
    "same-origin-allow-popups",
    "noopener-allow-popups",
    "unsafe-none",
)
COEP = ("require-corp", "credentialless", "unsafe-none")
CORP = ("same-site", "same-origin", "cross-origin")
X_FRAME_OPTIONS = ("DENY", "SAMEORIGIN")
XSS_PROTECTION = ("0", "1", "1; mode=block")
CROSS_DOMAIN_POLICIES = (
    "none",
    "master-only",
    "by-content-type",
    "by-ftp-filename",
    "all",
    "none-this-response",
)
SAMESITE = ("Lax", "Strict", "None")

# RFC 9110 section 5.6.2: a header name is a token.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HOST_NAME = re.compile(
    r"(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*"
    r"|\[[0-9a-f:.]+\]"
)
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


def _token(allowed: tuple[str, ...]) -> Callable[[str, object], str | bool]:
    """A check for a header whose value is one of ``allowed``, or false for none."""

    def check(where: str, value: object) -> str | bool:
        if value is False:
            return False
        if not isinstance(value, str) or value not in allowed:
            hint = (
                _did_you_mean(value.lower(), allowed) if isinstance(value, str) else ""
            )
            raise ConfigError(
                f"{where}: {value!r} is not allowed{'.' + hint if hint else ''} "
                f"(allowed: {', '.join(allowed)}, or false for no header)"
            )
        return value

    return check


def _permissions_policy(where: str, value: object) -> bool | tuple[Directive, ...]:
    if value is False:
        return False
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{where}: {value!r} is not allowed (allowed: a mapping of feature to "
            "allowlist, e.g. {camera: [], geolocation: [self]}, or false)"
        )
    features: dict[str, Sources] = {}
    for name, allowlist in value.items():
        if not isinstance(name, str):
            raise ConfigError(f"{where}: feature name {name!r} is not a string")
        place = f"{where}.{name}"
        feature = permissions.check_feature(place, _header_text(place, name))
        if feature in features:
            raise ConfigError(f"{place}: the feature {feature!r} is given twice")
        if isinstance(allowlist, str) or not isinstance(allowlist, (list, tuple)):
            raise ConfigError(
                f"{place}: {allowlist!r} is not a list (allowed: [] for none, "
                '[self], [self, "https://maps.example"] or ["*"])'
            )
        entries = tuple(
            _header_text(f"{place}[{i}]", item).strip()
            for i, item in enumerate(allowlist)
        )
        features[feature] = permissions.check_allowlist(place, entries)
    return tuple(features.items())


def _x_frame_options(where: str, value: object) -> str | bool:
    if value is False:
        return False
    if isinstance(value, str):
        text = value.strip().upper()
        if text in X_FRAME_OPTIONS:
            return text
        if text.startswith("ALLOW-FROM"):
            origin = value.strip()[len("ALLOW-FROM") :].strip() or "https://x.example"
            raise ConfigError(
                f"{where}: {value!r}: ALLOW-FROM is ignored by every current "
                "browser (allowed: DENY, SAMEORIGIN or false); to let one site "
                f"frame yours, use csp_frame_ancestors: [\"'self'\", {origin!r}]"
            )
    raise ConfigError(
        f"{where}: {value!r} is not allowed (allowed: DENY, SAMEORIGIN, or false "
        "for no header; leave the key out to derive it from csp_frame_ancestors)"
    )


def _xss_protection(where: str, value: object) -> str | bool:
    if value is False:
        return False
    text = value if isinstance(value, str) else None
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)  # YAML reads `xss_protection: 0` as a number
    if text is not None:
        text = "; ".join(part.strip() for part in text.split(";")).lower()
        if text in XSS_PROTECTION:
            return text
    raise ConfigError(
        f"{where}: {value!r} is not allowed (allowed: '0' (today's advice: the "
        "filter itself could be abused), '1', '1; mode=block', or false for no "
        "header; leave the key out for the seed's '1; mode=block')"
    )


def _dns_prefetch(where: str, value: object) -> bool:
    # YAML 1.1 reads a bare `off` as false: false means "off", never "no header".
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("on", "off"):
        return value.strip().lower() == "on"
    raise ConfigError(
        f"{where}: {value!r} is not allowed (allowed: 'on' or true, 'off' or false; "
        "leave the key out for no header)"
    )


def _remove_headers(where: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ConfigError(
            f"{where}: {value!r} is not a list (allowed: a list of header names, "
            "e.g. [X-Powered-By]; [] removes nothing)"
        )
    names: dict[str, str] = {}
    for i, item in enumerate(value):
        name = _header_text(f"{where}[{i}]", item).strip()
        if not _TOKEN.fullmatch(name):
            raise ConfigError(
                f"{where}[{i}]: {item!r} is not a header name (allowed: letters, "
                "digits and !#$%&'*+.^_`|~-)"
            )
        if name.lower() == "server":
            warn(
                f"{where}[{i}]: 'Server' usually comes from the WSGI server "
                "(gunicorn, waitress, uWSGI) after the middleware has run, out of "
                "its reach; turn it off in the server's own settings"
            )
        names.setdefault(name.lower(), name)
    return tuple(names.values())


def _path_prefix(where: str, value: object) -> str:
    text = _header_text(where, value)
    if not text.startswith("/") or any(c in text for c in "?# "):
        raise ConfigError(
            f"{where}: {text!r} is not a path prefix (allowed: a path that starts "
            "with '/', without query or fragment, e.g. '/embed/')"
        )
    return text


def _path_list(where: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ConfigError(
            f"{where}: {value!r} is not a list (allowed: a list of paths or "
            "prefixes, e.g. ['/healthz'])"
        )
    return tuple(_path_prefix(f"{where}[{i}]", item) for i, item in enumerate(value))


def _allowed_hosts(where: str, value: object) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ConfigError(
            f"{where}: {value!r} is not a list (allowed: a list of host names, "
            "e.g. ['example.com', '*.example.com'])"
        )
    if not value:
        raise ConfigError(
            f"{where}: [] would refuse every redirect (allowed: a non-empty list "
            "of host names; leave the key out to accept any valid host)"
        )
    hosts = []
    for i, item in enumerate(value):
        host = _header_text(f"{where}[{i}]", item).strip().lower().rstrip(".")
        if not _HOST_NAME.fullmatch(host):
            raise ConfigError(
                f"{where}[{i}]: {item!r} is not a host name (allowed: a name such "
                "as 'example.com', '*.example.com' for its subdomains, or an IP "
                "address; no scheme, port or path)"
            )
        hosts.append(host)
    return tuple(dict.fromkeys(hosts))


def _trusted_proxies(where: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigError(
            f"{where}: {value!r} is not allowed (allowed: the number of proxies in "
            "front of the app that set X-Forwarded-*, 0 or more; 0 trusts none)"
        )
    return value


def _samesite(where: str, value: object) -> str | bool:
    if value is False:
        return False
    if isinstance(value, str):
        for token in SAMESITE:
            if value.strip().lower() == token.lower():
                return token
    raise ConfigError(
        f"{where}: {value!r} is not allowed (allowed: Lax, Strict, None, or false "
        "to leave SameSite alone)"
    )


def _httponly(where: str, value: object) -> bool | tuple[str, ...]:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) or not isinstance(value, (list, tuple)) or not value:
        raise ConfigError(
            f"{where}: {value!r} is not allowed (allowed: true for every cookie, "
            "false for none, or a non-empty list of cookie names)"
        )
    names = []
    for i, item in enumerate(value):
        name = _header_text(f"{where}[{i}]", item)
        if not _TOKEN.fullmatch(name):
            raise ConfigError(
                f"{where}[{i}]: {item!r} is not a cookie name (allowed: letters, "
                "digits and !#$%&'*+.^_`|~-)"
            )
        names.append(name)
    return tuple(dict.fromkeys(names))


def _rule_list(where: str, value: object) -> tuple[object, ...]:
    """Only the shape here: a rule is merged once the base config is known."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise ConfigError(
            f"{where}: {value!r} is not a list (allowed: a list of rules, each a "
            "mapping with prefix: and any top-level keys)"
        )
    return tuple(value)


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
        if key not in _CHECKS and key not in _RULE_KEYS:
            choices = (*KEYS, *_RULE_KEYS)
            raise ConfigError(
                f"{place}: unknown key {key!r}.{_did_you_mean(key, choices)}"
            )
    if "prefix" not in rule:
        raise ConfigError(
            f"{place}: prefix is missing (allowed: a path such as '/embed/')"
        )
    prefix = _path_prefix(f"{place}.prefix", rule["prefix"])
    replace_mappings = _boolean(f"{place}.replace", rule.get("replace", False))
    # A preset in a rule is a whole starting point, as at the top level: the
    # rule's mappings replace the base's, and its own keys win over the preset.
    if rule.get("preset") is not None:
        _preset(f"{place}.preset", rule["preset"])
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
        values[key] = _CHECKS[key](f"{place}.{key}", value)
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


_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "server_secured": _boolean,
    "hsts_header": _hsts,
    "csp_header": _csp_header,
    "csp_safe_src": _safe_src,
    "csp_unsafe_inline": _boolean,
    "csp_unsafe_eval": _boolean,
    "csp_frame_ancestors": _frame_ancestors,
    "referrer_policy": _referrer,
    "debug": _boolean,
    # issue 3: modern CSP
    "preset": _preset,
    "csp_nonce_directives": _nonce_directives,
    "csp_nonce_cache_control": _nonce_cache_control,
    "csp_report_only": _boolean,
    "csp_report_only_header": _report_only_header,
    "csp_report_uri": _report_uri,
    "csp_report_path": _report_path,
    "csp_report_max_bytes": _report_max_bytes,
    # issue 4: more headers, redirect, proxies, cookies, paths
    "permissions_policy": _permissions_policy,
    "cross_origin_opener_policy": _token(COOP),
    "cross_origin_embedder_policy": _token(COEP),
    "cross_origin_resource_policy": _token(CORP),
    "x_frame_options": _x_frame_options,
    "xss_protection": _xss_protection,
    "origin_agent_cluster": _boolean,
    "x_dns_prefetch_control": _dns_prefetch,
    "x_permitted_cross_domain_policies": _token(CROSS_DOMAIN_POLICIES),
    "remove_headers": _remove_headers,
    "force_https": _boolean,
    "force_https_exempt": _path_list,
    "allowed_hosts": _allowed_hosts,
    "trusted_proxies": _trusted_proxies,
    "cookie_samesite": _samesite,
    "cookie_httponly": _httponly,
    "paths": _rule_list,
}
assert set(_CHECKS) == set(KEYS)


def _did_you_mean(word: str, choices: tuple[str, ...]) -> str:
    matches = difflib.get_close_matches(word, choices, n=1)
    matches = matches or [c for c in choices if c.startswith(word) and len(word) > 2]
    return f" Did you mean {matches[0]!r}?" if matches else ""


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
