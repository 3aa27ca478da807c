"""Permissions-Policy, serialized as an RFC 8941 dictionary."""

from __future__ import annotations

from ..config import Config, Sources


def permissions_policy_value(config: Config) -> str | None:
    """``camera=(), geolocation=(self "https://maps.example")``."""
    if config.permissions_policy is False or not config.permissions_policy:
        return None
    return ", ".join(
        f"{feature}={_allowlist(entries)}"
        for feature, entries in config.permissions_policy  # type: ignore[union-attr]
    )


def _allowlist(entries: Sources) -> str:
    if entries == ("*",):
        return "*"
    # self and src are tokens; an origin is a quoted string (RFC 8941).
    items = (e if e in ("self", "src") else f'"{e}"' for e in entries)
    return f"({' '.join(items)})"
