"""The check for each key: the raw value in, the validated value out.

Each check takes ``where`` (the key, or ``paths[2].key`` inside a rule, to name in
errors) and the raw value, and returns the value the frozen config holds or raises
:class:`~secheaders_wsgi.ConfigError` naming where, the bad value and what is
allowed. No check sees another key: combinations are checked in ``__init__``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from .. import csp, errors, owasp, permissions
from ..errors import ConfigError, warn
from ..presets import PRESETS

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


def boolean(where: str, value: object) -> bool:
    """A real boolean: the string ``"false"`` is refused, not taken as true."""
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
    text = header_text(where, value)
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
    text = header_text(where, value)
    tokens = [token.strip() for token in text.split(",")]
    for token in tokens:
        if token not in REFERRER_POLICIES:
            raise ConfigError(
                f"{where}: {token!r} is not a referrer policy"
                f"{did_you_mean(token, REFERRER_POLICIES)} "
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
    sources = tuple(
        csp.check_source(f"{where}[{i}]", header_text(f"{where}[{i}]", item))
        for i, item in enumerate(value)
    )
    csp.check_none_alone(where, sources)
    return sources


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
    return _named(
        where,
        value,
        "directive",
        csp.check_directive_name,
        lambda place, name, sources: csp.check_directive(
            place, name, _directive_value(place, sources)
        ),
    )


def _named(
    where: str,
    value: Mapping[Any, Any],
    kind: str,
    check_name: Callable[[str, str], str],
    check_value: Callable[[str, str, object], Sources],
) -> tuple[Directive, ...]:
    """A mapping of names (checked, each once, any case) to checked values."""
    pairs: dict[str, Sources] = {}
    for name, entry in value.items():
        if not isinstance(name, str):
            raise ConfigError(f"{where}: {kind} name {name!r} is not a string")
        place = f"{where}.{name}"
        key = check_name(place, header_text(place, name))
        if key in pairs:
            raise ConfigError(f"{place}: the {kind} {key!r} is given twice")
        pairs[key] = check_value(place, key, entry)
    return tuple(pairs.items())


def _directive_value(where: str, value: object) -> Sources:
    if value is None:
        raise ConfigError(
            f"{where}: null is not a value (allowed: a string of space-separated "
            "sources, a list of sources, or '' for a directive without sources)"
        )
    if isinstance(value, str):
        return tuple(header_text(where, value).split())
    if isinstance(value, (list, tuple)):
        return tuple(
            header_text(f"{where}[{i}]", item).strip() for i, item in enumerate(value)
        )
    raise ConfigError(
        f"{where}: {value!r} is not allowed (allowed: a string of space-separated "
        "sources or a list of sources)"
    )


def header_text(where: str, value: object) -> str:
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
        if ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:  # C0, DEL and C1
            raise ConfigError(
                f"{where}: {value!r} has the control character {char!r} "
                "(allowed: printable characters only; CR and LF would inject a header)"
            )
    return value


def preset_name(where: str, value: object) -> str:
    """The name of a preset (``strict``)."""
    if not isinstance(value, str) or value not in PRESETS:
        hint = did_you_mean(value, tuple(PRESETS)) if isinstance(value, str) else ""
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
        name = header_text(place, item).lower()
        if name not in csp.NONCE_DIRECTIVES:
            hint = did_you_mean(name, csp.NONCE_DIRECTIVES)
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
    text = header_text(where, value).strip()
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
    text = header_text(where, value)
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


def _token(allowed: tuple[str, ...]) -> Callable[[str, object], str | bool]:
    """A check for a header whose value is one of ``allowed``, or false for none."""

    def check(where: str, value: object) -> str | bool:
        if value is False:
            return False
        if not isinstance(value, str) or value not in allowed:
            hint = (
                did_you_mean(value.lower(), allowed) if isinstance(value, str) else ""
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
    return _named(where, value, "feature", permissions.check_feature, _allowlist)


def _allowlist(place: str, feature: str, allowlist: object) -> Sources:
    if isinstance(allowlist, str) or not isinstance(allowlist, (list, tuple)):
        raise ConfigError(
            f"{place}: {allowlist!r} is not a list (allowed: [] for none, "
            '[self], [self, "https://maps.example"] or ["*"])'
        )
    entries = tuple(
        header_text(f"{place}[{i}]", item).strip() for i, item in enumerate(allowlist)
    )
    return permissions.check_allowlist(place, entries)


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
        "header; leave the key out for the default '1; mode=block')"
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
            + (" Did you mean [owasp]?" if value == owasp.REMOVE_TOKEN else "")
        )
    names: dict[str, str] = {}
    for i, item in enumerate(value):
        listed = owasp.remove_token(f"{where}[{i}]", item)
        if listed is not None:
            # No Server warning for the token: the user did not name it.
            for name in listed:
                names.setdefault(name.lower(), name)
            continue
        name = header_text(f"{where}[{i}]", item).strip()
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


def path_prefix(where: str, value: object) -> str:
    """A path prefix such as ``/embed/``: starts with ``/``, no query or fragment."""
    text = header_text(where, value)
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
    return tuple(path_prefix(f"{where}[{i}]", item) for i, item in enumerate(value))


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
        host = header_text(f"{where}[{i}]", item).strip().lower().rstrip(".")
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
        name = header_text(f"{where}[{i}]", item)
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


CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "server_secured": boolean,
    "hsts_header": _hsts,
    "csp_header": _csp_header,
    "csp_safe_src": _safe_src,
    "csp_unsafe_inline": boolean,
    "csp_unsafe_eval": boolean,
    "csp_frame_ancestors": _frame_ancestors,
    "referrer_policy": _referrer,
    "debug": boolean,
    # nonces, report-only, reporting, presets
    "preset": preset_name,
    "csp_nonce_directives": _nonce_directives,
    "csp_nonce_cache_control": _nonce_cache_control,
    "csp_report_only": boolean,
    "csp_report_only_header": _report_only_header,
    "csp_report_uri": _report_uri,
    "csp_report_path": _report_path,
    "csp_report_max_bytes": _report_max_bytes,
    # more headers, redirect, proxies, cookies, per-path rules
    "permissions_policy": _permissions_policy,
    "cross_origin_opener_policy": _token(COOP),
    "cross_origin_embedder_policy": _token(COEP),
    "cross_origin_resource_policy": _token(CORP),
    "x_frame_options": _x_frame_options,
    "xss_protection": _xss_protection,
    "origin_agent_cluster": boolean,
    "x_dns_prefetch_control": _dns_prefetch,
    "x_permitted_cross_domain_policies": _token(CROSS_DOMAIN_POLICIES),
    "remove_headers": _remove_headers,
    "force_https": boolean,
    "force_https_exempt": _path_list,
    "allowed_hosts": _allowed_hosts,
    "trusted_proxies": _trusted_proxies,
    "cookie_samesite": _samesite,
    "cookie_httponly": _httponly,
    "paths": _rule_list,
}


def did_you_mean(word: str, choices: tuple[str, ...]) -> str:
    """The hint for a misspelt key or value; abbreviations count too."""
    return errors.did_you_mean(word, choices, prefix=True)
