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
from dataclasses import dataclass, fields
from typing import Any, Union
from urllib.parse import urlsplit

import yaml

from . import csp
from .errors import ConfigError, warn
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
    config = Config(**values)
    _check_combinations(config)
    return config


def _check_combinations(config: Config) -> None:
    _check_modern_csp(config)
    if not isinstance(config.csp_header, tuple):
        return
    custom = dict(config.csp_header)
    if config.csp_frame_ancestors is not True and "frame-ancestors" in custom:
        raise ConfigError(
            "csp_frame_ancestors: the custom csp_header sets frame-ancestors too; "
            "set it in one place only"
        )
    switches = config.csp_unsafe_inline or config.csp_unsafe_eval or config.debug
    for name in ("script-src", "style-src"):
        if switches and custom.get(name, custom.get("default-src")) == ("'none'",):
            warn(
                f"csp_header.{name}: 'none' is replaced by 'unsafe-eval' / "
                "'unsafe-inline' because csp_unsafe_eval, csp_unsafe_inline or "
                "debug is on; set them to false to keep 'none'"
            )


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


def _check_modern_csp(config: Config) -> None:
    if config.csp_report_only and config.csp_report_only_header is not None:
        raise ConfigError(
            "csp_report_only: true cannot be combined with csp_report_only_header "
            "(allowed: one of them: csp_report_only sends the policy as "
            "report-only, csp_report_only_header trials a second policy beside "
            "the enforced one)"
        )
    if config.csp_report_only and config.csp_header is False:
        raise ConfigError(
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
                raise ConfigError(
                    f"{key}.{name}: csp_report_uri or csp_report_path already "
                    f"sets {name}; set the report endpoint in one place only"
                )
    trial = config.csp_report_only_header
    report_only = trial if trial is not None else config.csp_report_only
    if report_only and not reporting and not _reports_itself(report_only):
        key = "csp_report_only" if trial is None else "csp_report_only_header"
        warn(
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
            warn(
                "csp_header.script-src: browsers ignore 'unsafe-inline' and "
                "'self' beside 'strict-dynamic', and no nonce is sent while "
                "csp_unsafe_inline or debug is on, so every script is blocked "
                "that no hash in the policy allows; set csp_unsafe_inline: false "
                "and use the nonce"
            )


def _reports_itself(policy: tuple[Directive, ...] | bool) -> bool:
    names = dict(policy) if isinstance(policy, tuple) else {}
    return "report-uri" in names or "report-to" in names


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
}
assert set(_CHECKS) == set(KEYS)


def _did_you_mean(word: str, choices: tuple[str, ...]) -> str:
    matches = difflib.get_close_matches(word, choices, n=1)
    matches = matches or [c for c in choices if c.startswith(word) and len(word) > 2]
    return f" Did you mean {matches[0]!r}?" if matches else ""


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
