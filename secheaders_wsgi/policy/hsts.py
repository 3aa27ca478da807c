"""Strict-Transport-Security: sent on https responses only (the caller decides)."""

from __future__ import annotations

from ..config import Config
from ..config.presets import STRICT_HSTS

#: The contract's HSTS value: one year, sub-domains included.
DEFAULT_HSTS = "max-age=31556926; includeSubDomains"


def hsts_value(config: Config) -> str | None:
    """The Strict-Transport-Security value ``config`` asks for, or ``None``."""
    if isinstance(config.hsts_header, str):
        return config.hsts_header
    # force_https promises https too: it gets the default, on https responses.
    if config.hsts_header is None and (config.server_secured or config.force_https):
        return STRICT_HSTS if config.preset == "strict" else DEFAULT_HSTS
    return None
