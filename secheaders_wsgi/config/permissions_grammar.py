"""The vocabulary of ``Permissions-Policy``, for checking ``permissions_policy``.

Holds the check of the ``permissions_policy`` key. Feature names come from the W3C
Permissions Policy registry (standardized and proposed features) plus the
experimental ones browsers ship; a near miss of one is an error, an obsolete one
(``interest-cohort``: FLoC was abandoned) is a warning, an unknown one is sent
as written with a warning, like an unknown CSP directive.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ..errors import ConfigError, clipped, did_you_mean, shown, warn
from .values import Directive, Sources, check_origin, named, not_allowed, texts

FEATURES = (
    "accelerometer",
    "all-screens-capture",
    "ambient-light-sensor",
    "attribution-reporting",
    "autoplay",
    "bluetooth",
    "browsing-topics",
    "camera",
    "captured-surface-control",
    "clipboard-read",
    "clipboard-write",
    "compute-pressure",
    "cross-origin-isolated",
    "deferred-fetch",
    "deferred-fetch-minimal",
    "digital-credentials-get",
    "direct-sockets",
    "display-capture",
    "encrypted-media",
    "execution-while-not-rendered",
    "execution-while-out-of-viewport",
    "fullscreen",
    "gamepad",
    "geolocation",
    "gyroscope",
    "hid",
    "identity-credentials-get",
    "idle-detection",
    "join-ad-interest-group",
    "keyboard-map",
    "language-detector",
    "local-fonts",
    "magnetometer",
    "microphone",
    "midi",
    "otp-credentials",
    "payment",
    "picture-in-picture",
    "private-aggregation",
    "private-state-token-issuance",
    "private-state-token-redemption",
    "publickey-credentials-create",
    "publickey-credentials-get",
    "run-ad-auction",
    "screen-wake-lock",
    "serial",
    "shared-storage",
    "shared-storage-select-url",
    "smart-card",
    "speaker-selection",
    "storage-access",
    "summarizer",
    "sync-xhr",
    "translator",
    "unload",
    "usb",
    "web-share",
    "window-management",
    "xr-spatial-tracking",
)

#: Names browsers no longer know (they log an error for each), with the fix.
OBSOLETE = {
    "interest-cohort": "FLoC was abandoned in 2022; browsing-topics replaced it",
    "document-domain": "document.domain is being removed from browsers; "
    "origin_agent_cluster: true turns it off",
    "vr": "use xr-spatial-tracking",
    "wake-lock": "use screen-wake-lock",
    "speaker": "use speaker-selection",
    "conversion-measurement": "use attribution-reporting",
    "trust-token-redemption": "use private-state-token-redemption",
    "battery": "the Battery Status API is not policy-controlled",
    "notifications": "notifications are not policy-controlled",
    "push": "push is not policy-controlled",
    "vibrate": "vibration is not policy-controlled",
    "layout-animations": "it never shipped",
    "legacy-image-formats": "it never shipped",
    "oversized-images": "it never shipped",
    "unoptimized-images": "it never shipped",
    "unsized-media": "it never shipped",
    "vertical-scroll": "it never shipped",
    "sync-script": "it never shipped",
}

#: The allowlist keywords, written without quotes (this is not CSP).
KEYWORDS = ("*", "self", "src")

_FEATURE = re.compile(r"[a-z][a-z0-9-]*")


def permissions_policy(where: str, value: object) -> bool | tuple[Directive, ...]:
    """The check of ``permissions_policy``: false, or feature -> allowlist."""
    if value is False:
        return False
    if not isinstance(value, Mapping):
        raise not_allowed(
            where,
            value,
            "a mapping of feature to "
            "allowlist, e.g. {camera: [], geolocation: [self]}, or false",
        )
    return named(where, value, "feature", check_feature, _allowlist)


def _allowlist(place: str, feature: str, allowlist: object) -> Sources:
    entries = texts(
        place,
        allowlist,
        '[] for none, [self], [self, "https://maps.example"] or ["*"]',
    )
    return check_allowlist(place, tuple(entry.strip() for entry in entries))


def check_feature(where: str, name: str) -> str:
    """Return ``name`` if it is a feature; refuse a near miss, warn otherwise."""
    if not _FEATURE.fullmatch(name):
        raise ConfigError(
            f"{where}: {shown(name)} is not a feature name "
            f"(allowed: lower-case letters, digits and '-'){_did_you_mean(name)}"
        )
    if name in FEATURES or name.startswith("ch-"):  # ch-*: client hint delegation
        return name
    if name in OBSOLETE:
        warn(
            f"{where}: {shown(name)} is obsolete ({OBSOLETE[name]}); browsers log an "
            "error for it. It is sent as written; remove it"
        )
        return name
    hint = _did_you_mean(name)
    if hint:
        raise ConfigError(
            f"{where}: {shown(name)} is not a Permissions-Policy feature{hint}"
        )
    warn(
        f"{where}: {shown(name)} is not a Permissions-Policy feature this "
        "version knows; "
        "it is sent as written"
    )
    return name


def check_allowlist(where: str, entries: tuple[str, ...]) -> tuple[str, ...]:
    """Return the allowlist without duplicates; refuse CSP spellings and junk."""
    for i, entry in enumerate(entries):
        place = f"{where}[{i}]"
        bare = entry.strip("'\"").lower()
        if bare == "none":
            raise ConfigError(
                f"{place}: {shown(entry)} is not allowed: [] is the only spelling "
                "of none "
                "(an empty allowlist turns the feature off)"
            )
        if entry != bare and bare in KEYWORDS:
            raise ConfigError(
                f"{place}: {shown(entry)} must be written {bare} without quotes "
                "(Permissions-Policy is not CSP)"
            )
        if entry not in KEYWORDS:
            check_origin(
                place,
                entry,
                "an allowlist entry (allowed: *, self, src or an origin such as "
                "'https://maps.example')",
            )
    if "*" in entries and len(entries) > 1:
        raise ConfigError(
            f"{where}: '*' already allows every origin; list it alone, not with "
            f"{clipped(', '.join(e for e in entries if e != '*'))}"
        )
    return tuple(dict.fromkeys(entries))


def _did_you_mean(name: str) -> str:
    return did_you_mean(name.lower(), FEATURES, cutoff=0.8)
