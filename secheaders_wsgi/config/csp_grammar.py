"""The vocabulary and grammar of Content Security Policy (CSP Level 3).

Used by :mod:`secheaders_wsgi.config` to check sources and directives before a
policy is built, so that a typo is an error at start-up instead of a policy the
browser silently ignores.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping

from ..errors import ConfigError, did_you_mean, shown, warn
from .values import Sources

#: Our own keyword: it stands for the sources of ``csp_safe_src``.
SAFE_SRC = "'safe-src'"

FETCH_DIRECTIVES = (
    "default-src",
    "child-src",
    "connect-src",
    "fenced-frame-src",
    "font-src",
    "frame-src",
    "img-src",
    "manifest-src",
    "media-src",
    "object-src",
    "prefetch-src",
    "script-src",
    "script-src-attr",
    "script-src-elem",
    "style-src",
    "style-src-attr",
    "style-src-elem",
    "worker-src",
)
#: Directives whose value is a source list.
SOURCE_LIST_DIRECTIVES = (
    *FETCH_DIRECTIVES,
    "base-uri",
    "form-action",
    "frame-ancestors",
    "navigate-to",
)
#: Directives sent without a value.
BARE_DIRECTIVES = ("upgrade-insecure-requests", "block-all-mixed-content")
OTHER_DIRECTIVES = (
    "sandbox",
    "report-uri",
    "report-to",
    "require-trusted-types-for",
    "trusted-types",
    "webrtc",
    "plugin-types",
    "require-sri-for",
)
#: Directives a per-request nonce can go in (a nonce does nothing elsewhere).
NONCE_DIRECTIVES = (
    "script-src",
    "style-src",
    "script-src-elem",
    "style-src-elem",
    "default-src",
)
KNOWN_DIRECTIVES = (*SOURCE_LIST_DIRECTIVES, *BARE_DIRECTIVES, *OTHER_DIRECTIVES)

# Where a directive takes its sources from when the policy does not have it
# (CSP3 section 6.8.3, "Get the effective directive"). A fetch directive not
# listed falls back to default-src; other directives (base-uri, form-action,
# frame-ancestors, ...) fall back to nothing.
_FALLBACKS = {
    "script-src-elem": ("script-src", "default-src"),
    "script-src-attr": ("script-src", "default-src"),
    "style-src-elem": ("style-src", "default-src"),
    "style-src-attr": ("style-src", "default-src"),
    "default-src": (),
}


def effective(policy: Mapping[str, Sources], name: str) -> Sources | None:
    """The sources the browser enforces for ``name``: its own, else its fallback's.

    >>> effective({"default-src": ("'self'",)}, "script-src")
    ("'self'",)
    >>> effective({"default-src": ("'self'",)}, "form-action") is None
    True
    """
    if name in policy:
        return policy[name]
    default = ("default-src",) if name in FETCH_DIRECTIVES else ()
    for fallback in _FALLBACKS.get(name, default):
        if fallback in policy:
            return policy[fallback]
    return None


KEYWORDS = (
    "'self'",
    "'none'",
    "'unsafe-inline'",
    "'unsafe-eval'",
    "'strict-dynamic'",
    "'unsafe-hashes'",
    "'report-sample'",
    "'wasm-unsafe-eval'",
    "'unsafe-allow-redirects'",
    "'inline-speculation-rules'",
    # Trusted Types: eval() runs once require-trusted-types-for is enforced.
    "'trusted-types-eval'",
    SAFE_SRC,
)
#: Keywords that mean something in frame-ancestors (CSP3 section 6.4.2).
FRAME_ANCESTOR_KEYWORDS = ("'self'", "'none'", SAFE_SRC)

SANDBOX_TOKENS = (
    "allow-downloads",
    "allow-forms",
    "allow-modals",
    "allow-orientation-lock",
    "allow-pointer-lock",
    "allow-popups",
    "allow-popups-to-escape-sandbox",
    "allow-presentation",
    "allow-same-origin",
    "allow-scripts",
    "allow-storage-access-by-user-activation",
    "allow-top-navigation",
    "allow-top-navigation-by-user-activation",
    "allow-top-navigation-to-custom-protocols",
)

_HASH_BYTES = {"sha256": 32, "sha384": 48, "sha512": 64}
_DIRECTIVE_NAME = re.compile(r"[A-Za-z0-9-]+")
_SCHEME = r"[A-Za-z][A-Za-z0-9+.-]*"
_SCHEME_SOURCE = re.compile(_SCHEME + ":")
# CSP3 section 2.3.1 host-source: [scheme "://"] host [":" port] [path]
_HOST_SOURCE = re.compile(
    rf"(?:{_SCHEME}://)?"
    r"(?:\*|(?:\*\.)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?)"
    r"(?::(?:[0-9]+|\*))?"
    r"(?:/[^\s;,'\"]*)?"
)
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")


def check_directive_name(where: str, name: str) -> str:
    """Return ``name`` lower-cased; refuse a non-token or a near miss."""
    lowered = name.lower()
    if not _DIRECTIVE_NAME.fullmatch(name):
        raise ConfigError(
            f"{where}: {shown(name)} is not a CSP directive name "
            f"(allowed: letters, digits and '-'){_did_you_mean(lowered)}"
        )
    if lowered not in KNOWN_DIRECTIVES:
        hint = _did_you_mean(lowered)
        if hint:
            raise ConfigError(f"{where}: {shown(name)} is not a CSP directive{hint}")
        warn(
            f"{where}: {shown(name)} is not a CSP directive this version knows; "
            "it is sent as written"
        )
    return lowered


def check_directive(where: str, name: str, sources: tuple[str, ...]) -> tuple[str, ...]:
    """Check the value of directive ``name`` (already lower-cased)."""
    if name in BARE_DIRECTIVES:
        if sources:
            raise ConfigError(
                f"{where}: {shown(' '.join(sources))} is not allowed: {name} takes "
                "no value (allowed: '' or [])"
            )
        return sources
    if name in SOURCE_LIST_DIRECTIVES:
        for i, source in enumerate(sources):
            check_source(f"{where}[{i}]", source)
            if name == "frame-ancestors":
                check_frame_ancestor(f"{where}[{i}]", source)
        check_none_alone(where, sources)
        return sources
    if name == "require-trusted-types-for":
        return _check_sink_groups(where, sources)
    if name == "trusted-types":
        return _check_trusted_types(where, sources)
    if name == "sandbox":
        for token in sources:
            if token not in SANDBOX_TOKENS:
                raise ConfigError(
                    f"{where}: {shown(token)} is not a sandbox flag "
                    f"(allowed: {', '.join(SANDBOX_TOKENS)})"
                )
        return sources
    for i, token in enumerate(sources):
        if not token or any(c in token for c in ";,"):
            raise ConfigError(
                f"{where}[{i}]: {shown(token)} is not allowed "
                "(allowed: a non-empty value without ';' or ',')"
            )
    return sources


#: Trusted Types (W3C): the one sink group, and the keywords of trusted-types.
SINK_GROUPS = ("'script'",)
TRUSTED_TYPES_KEYWORDS = ("'allow-duplicates'", "'none'")
# tt-policy-name = 1*( ALPHA / DIGIT / "-" / "#" / "=" / "_" / "/" / "@" / "." / "%" )
_POLICY_NAME = re.compile(r"[A-Za-z0-9#=_/@.%-]+")


def _check_sink_groups(where: str, groups: tuple[str, ...]) -> tuple[str, ...]:
    """``require-trusted-types-for 'script'``: the only value the spec defines."""
    if not groups:
        raise ConfigError(f"{where}: '' names no sink group (allowed: \"'script'\")")
    for i, group in enumerate(groups):
        if group.lower() == "script":
            raise ConfigError(
                f"{where}[{i}]: {group!r} must be quoted as \"'script'\" "
                "(unquoted it is not a sink group)"
            )
        if group not in SINK_GROUPS:
            raise ConfigError(
                f"{where}[{i}]: {group!r} is not a sink group (allowed: \"'script'\", "
                "the only one Trusted Types defines)"
            )
    if len(groups) > 1:
        raise ConfigError(f"{where}: \"'script'\" is given twice")
    return groups


def _check_trusted_types(where: str, names: tuple[str, ...]) -> tuple[str, ...]:
    """``trusted-types``: policy names, ``*``, ``'allow-duplicates'``, ``'none'``.

    No value at all is allowed: like ``'none'``, no policy may be created.
    """
    for i, name in enumerate(names):
        place = f"{where}[{i}]"
        if name in TRUSTED_TYPES_KEYWORDS or name == "*":
            continue
        if name.startswith("'") or name.endswith("'"):
            raise ConfigError(
                f"{place}: {name!r} is not a trusted-types keyword (allowed: "
                "'allow-duplicates', 'none', * or a policy name without quotes, "
                "such as default)"
                + did_you_mean(name.lower(), TRUSTED_TYPES_KEYWORDS, cutoff=0.7)
            )
        if f"'{name.lower()}'" in TRUSTED_TYPES_KEYWORDS:
            raise ConfigError(
                f"{place}: {name!r} must be quoted as \"'{name.lower()}'\" "
                "(unquoted it is read as a policy name)"
            )
        if not _POLICY_NAME.fullmatch(name):
            raise ConfigError(
                f"{place}: {name!r} is not a policy name (allowed: letters, "
                "digits and -#=_/@.%)"
            )
    check_none_alone(where, names)
    return names


def check_none_alone(where: str, sources: tuple[str, ...]) -> None:
    """Refuse ``'none'`` beside other sources: browsers ignore it there."""
    if "'none'" in sources and len(sources) > 1:
        raise ConfigError(
            f"{where}: 'none' must be the only source, not one of "
            f"{shown(' '.join(sources))} (browsers ignore it beside others)"
        )


def check_source(where: str, source: str) -> str:
    """Return ``source`` if it is a valid CSP source expression."""
    if source.startswith("'") or source.endswith("'"):
        return _check_quoted(where, source)
    bare = source.lower().strip('"')
    if _is_nonce_or_hash(bare):
        # base64 is case-sensitive: suggest the value as written.
        bare = source.strip('"')
    if f"'{bare}'" in KEYWORDS or _is_nonce_or_hash(bare.lower()):
        raise ConfigError(
            f"{where}: {shown(source)} must be quoted as \"'{bare}'\" "
            f"(unquoted it is read as a host name)"
        )
    if _SCHEME_SOURCE.fullmatch(source) or _HOST_SOURCE.fullmatch(source):
        return source
    if not source.isascii():
        raise ConfigError(
            f"{where}: {shown(source)} is not a CSP source (allowed: ASCII only; "
            "write an international domain name in punycode, 'xn--...')"
        )
    raise ConfigError(
        f"{where}: {shown(source)} is not a CSP source (allowed: a quoted keyword "
        "such as \"'self'\", a scheme such as 'https:', or a host such as "
        "'*.example.com' or 'https://cdn.example.com/js/')"
    )


def check_frame_ancestor(where: str, source: str) -> None:
    """Refuse a keyword that means nothing in frame-ancestors (``'unsafe-inline'``)."""
    if source.startswith("'") and source not in FRAME_ANCESTOR_KEYWORDS:
        raise ConfigError(
            f"{where}: {shown(source)} means nothing in frame-ancestors "
            f"(allowed: {', '.join(FRAME_ANCESTOR_KEYWORDS)}, schemes and hosts)"
        )


def _check_quoted(where: str, source: str) -> str:
    if len(source) < 3 or not (source.startswith("'") and source.endswith("'")):
        raise ConfigError(
            f"{where}: {shown(source)} has an unbalanced quote "
            "(allowed: a keyword in single quotes, such as \"'self'\")"
        )
    if source in KEYWORDS:
        return source
    inner = source[1:-1]
    algorithm, _, value = inner.partition("-")
    if algorithm.lower() == "nonce":
        raise ConfigError(
            f"{where}: {shown(source)} is a fixed nonce: the same on every response, "
            "it protects nothing (allowed: keywords, hashes, hosts and schemes)"
        )
    if algorithm.lower() in _HASH_BYTES:
        _check_hash(where, source, algorithm.lower(), value)
        return source
    raise ConfigError(
        f"{where}: {shown(source)} is not a CSP keyword "
        f"(allowed: {', '.join(KEYWORDS)}, "
        "or a hash such as 'sha256-<base64>')"
        + did_you_mean(source.lower(), KEYWORDS, cutoff=0.7)
    )


def _check_hash(where: str, source: str, algorithm: str, value: str) -> None:
    expected = _HASH_BYTES[algorithm]
    try:
        if not _BASE64.fullmatch(value):
            raise ValueError
        digest = base64.b64decode(
            value.replace("-", "+").replace("_", "/") + "=" * (-len(value) % 4),
            validate=True,
        )
    except (ValueError, binascii.Error):
        raise ConfigError(
            f"{where}: {shown(source)} is not valid base64 "
            f"(allowed: '{algorithm}-' followed by the base64 of a {algorithm} digest)"
        ) from None
    if len(digest) != expected:
        raise ConfigError(
            f"{where}: {shown(source)} holds {len(digest)} bytes, a {algorithm} digest "
            f"has {expected}"
        )


def _is_nonce_or_hash(word: str) -> bool:
    prefix = word.partition("-")[0]
    return word != prefix and (prefix == "nonce" or prefix in _HASH_BYTES)


def _did_you_mean(name: str) -> str:
    # Strict: a near miss of a directive is an error, anything else a warning.
    return did_you_mean(name, KNOWN_DIRECTIVES, cutoff=0.8)
