"""The checks of the header, redirect, proxy, cookie and rule keys.

Each takes ``where`` and the raw value and returns what the frozen config holds
(see :mod:`.values`); :mod:`.model` names the check beside each field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..errors import ConfigError, did_you_mean, shown, warn
from . import owasp
from .presets import PRESETS
from .values import header_text, is_list, listed, not_allowed, path_prefix

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
    r"(max-age)=(?:\d+|\"\d+\")"
    r"|(includesubdomains)"
    r"|(preload)",
    re.IGNORECASE,
)
_HSTS_ALLOWED = "'max-age=<seconds>[; includeSubDomains][; preload]'"


def hsts(where: str, value: object) -> str | bool:
    """An HSTS value per RFC 6797: exactly one max-age, each directive once.

    A browser that finds a directive twice (``max-age=1; max-age=2``) or an
    unknown one ignores the whole header (RFC 6797 section 6.1, rule 3).
    """
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
            f"{where}: {shown(text)} has no max-age (allowed: {_HSTS_ALLOWED})"
        )
    seen: set[str] = set()
    for part in parts:
        if not part:
            continue
        match = _HSTS.fullmatch(part)
        if match is None:
            raise ConfigError(
                f"{where}: {shown(part)} in {shown(text)} is not an HSTS directive "
                "(allowed: max-age=<seconds>, includeSubDomains, preload)"
            )
        name = next(group for group in match.groups() if group).lower()
        if name in seen:
            raise ConfigError(
                f"{where}: {shown(text)} gives {name} twice, and browsers ignore such "
                f"a header entirely (allowed: {_HSTS_ALLOWED}, each once)"
            )
        seen.add(name)
    return text


def referrer(where: str, value: object) -> str | bool:
    if value is False:
        return False
    text = header_text(where, value)
    tokens = [token.strip() for token in text.split(",")]
    for token in tokens:
        if token not in REFERRER_POLICIES:
            raise ConfigError(
                f"{where}: {shown(token)} is not a referrer policy "
                f"(allowed: {', '.join(REFERRER_POLICIES)}, a comma list of them, "
                f"or false){did_you_mean(token, REFERRER_POLICIES, prefix=True)}"
            )
        if tokens.count(token) > 1:
            raise ConfigError(
                f"{where}: {shown(token)} is given twice (allowed: each policy "
                "once; browsers use the last one they know, so list a fallback "
                "first and the policy you want last)"
            )
    return ", ".join(tokens)


def preset_name(where: str, value: object) -> str:
    """The name of a preset (``strict``)."""
    if not isinstance(value, str) or value not in PRESETS:
        hint = (
            did_you_mean(value, tuple(PRESETS), prefix=True)
            if isinstance(value, str)
            else ""
        )
        raise ConfigError(
            f"{where}: {shown(value)} is not a preset "
            f"(allowed: {', '.join(PRESETS)}; leave the key out for none){hint}"
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

X_DOWNLOAD_OPTIONS = ("noopen",)

# RFC 9110 section 5.6.2: a header name is a token.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")

_HOST_NAME = re.compile(
    r"(?:\*\.)?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*"
    r"|\[[0-9a-f:.]+\]"
)


def x_frame_options(where: str, value: object) -> str | bool:
    if value is False:
        return False
    if isinstance(value, str):
        text = value.strip().upper()
        if text in X_FRAME_OPTIONS:
            return text
        if text.startswith("ALLOW-FROM"):
            origin = value.strip()[len("ALLOW-FROM") :].strip() or "https://x.example"
            raise ConfigError(
                f"{where}: {shown(value)}: ALLOW-FROM is ignored by every current "
                "browser (allowed: DENY, SAMEORIGIN or false); to let one site "
                f"frame yours, use csp_frame_ancestors: [\"'self'\", {shown(origin)}]"
            )
    raise not_allowed(
        where,
        value,
        "DENY, SAMEORIGIN, or false "
        "for no header; leave the key out to derive it from csp_frame_ancestors",
    )


def xss_protection(where: str, value: object) -> str | bool:
    if value is False:
        return False
    text = value if isinstance(value, str) else None
    if isinstance(value, int) and not isinstance(value, bool):
        text = str(value)  # YAML reads `xss_protection: 0` as a number
    if text is not None:
        text = "; ".join(part.strip() for part in text.split(";")).lower()
        if text in XSS_PROTECTION:
            return text
    raise not_allowed(
        where,
        value,
        "'0' (today's advice: the "
        "filter itself could be abused), '1', '1; mode=block', or false for no "
        "header; leave the key out for the default '1; mode=block'",
    )


def dns_prefetch(where: str, value: object) -> bool:
    # YAML 1.1 reads a bare `off` as false: false means "off", never "no header".
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("on", "off"):
        return value.strip().lower() == "on"
    raise not_allowed(
        where, value, "'on' or true, 'off' or false; leave the key out for no header"
    )


_REMOVE_ALLOWED = "a list of header names, e.g. [X-Powered-By]; [] removes nothing"


def remove_headers(where: str, value: object) -> tuple[str, ...]:
    try:
        items = listed(
            where,
            value,
            "a list of header names, e.g. [X-Powered-By]; [] removes nothing",
        )
    except ConfigError as exc:
        if value == owasp.REMOVE_TOKEN:
            raise ConfigError(f"{exc}. Did you mean [owasp]?") from None
        raise
    names: dict[str, str] = {}
    for i, item in enumerate(items):
        listed_names = owasp.remove_token(f"{where}[{i}]", item)
        if listed_names is not None:
            # No Server warning for the token: the user did not name it.
            for name in listed_names:
                names.setdefault(name.lower(), name)
            continue
        name = header_text(f"{where}[{i}]", item).strip()
        if not _TOKEN.fullmatch(name):
            raise ConfigError(
                f"{where}[{i}]: {shown(item)} is not a header name (allowed: letters, "
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


def path_list(where: str, value: object) -> tuple[str, ...]:
    items = listed(where, value, "a list of paths or prefixes, e.g. ['/healthz']")
    return tuple(path_prefix(f"{where}[{i}]", item) for i, item in enumerate(items))


def allowed_hosts(where: str, value: object) -> tuple[str, ...]:
    items = listed(
        where, value, "a list of host names, e.g. ['example.com', '*.example.com']"
    )
    if not items:
        raise ConfigError(
            f"{where}: [] would refuse every redirect (allowed: a non-empty list "
            "of host names; leave the key out to accept any valid host)"
        )
    hosts = []
    for i, item in enumerate(items):
        host = header_text(f"{where}[{i}]", item).strip().lower().rstrip(".")
        if not _HOST_NAME.fullmatch(host):
            raise ConfigError(
                f"{where}[{i}]: {shown(item)} is not a host name (allowed: a name such "
                "as 'example.com', '*.example.com' for its subdomains, or an IP "
                "address; no scheme, port or path)"
            )
        hosts.append(host)
    return tuple(dict.fromkeys(hosts))


_PORT = re.compile(r"[1-9][0-9]{0,4}")


def redirect_host(where: str, value: object) -> str:
    """The one host the https redirect goes to, with an optional ``:port``."""
    text = header_text(where, value).strip().lower()
    host, port = text, None
    if ":" in text and not text.endswith("]"):  # "[::1]" alone has no port
        host, _, port = text.rpartition(":")
    host = host.rstrip(".")
    if (
        not _HOST_NAME.fullmatch(host)
        or host.startswith("*.")
        or (port is not None and not (_PORT.fullmatch(port) and int(port) < 65536))
    ):
        raise ConfigError(
            f"{where}: {shown(value)} is not a host name (allowed: one name such as "
            "'www.example.com', or an IP address, with an optional ':port'; no "
            "scheme, path or '*.')"
        )
    return host if port is None else f"{host}:{port}"


def trusted_proxies(where: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise not_allowed(
            where,
            value,
            "the number of proxies in "
            "front of the app that set X-Forwarded-*, 0 or more; 0 trusts none",
        )
    return value


def samesite(where: str, value: object) -> str | bool:
    if value is False:
        return False
    if isinstance(value, str):
        for token in SAMESITE:
            if value.strip().lower() == token.lower():
                return token
    raise not_allowed(
        where, value, "Lax, Strict, None, or false to leave SameSite alone"
    )


def httponly(where: str, value: object) -> bool | tuple[str, ...]:
    if isinstance(value, bool):
        return value
    if not is_list(value) or not value:
        raise not_allowed(
            where,
            value,
            "true for every cookie, "
            "false for none, or a non-empty list of cookie names",
        )
    names = []
    for i, item in enumerate(listed(where, value, "")):
        name = header_text(f"{where}[{i}]", item)
        if not _TOKEN.fullmatch(name):
            raise ConfigError(
                f"{where}[{i}]: {shown(item)} is not a cookie name (allowed: letters, "
                "digits and !#$%&'*+.^_`|~-)"
            )
        names.append(name)
    return tuple(dict.fromkeys(names))


def rule_list(where: str, value: object) -> tuple[object, ...]:
    """Only the shape here: a rule is merged once the base config is known."""
    return listed(
        where,
        value,
        "a list of rules, each a mapping with prefix: and any top-level keys",
    )


def override_map(where: str, value: object) -> tuple[tuple[object, object], ...]:
    """Only the shape here: each override is merged once the base is known."""
    if not isinstance(value, Mapping):
        raise not_allowed(
            where,
            value,
            "a mapping of override name to a rule, e.g. "
            "{embed: {csp_frame_ancestors: [\"'self'\", https://partner.example]}}",
        )
    return tuple(value.items())
