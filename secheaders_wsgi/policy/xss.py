"""X-XSS-Protection: ``1; mode=block`` beside a CSP unless told otherwise."""

from __future__ import annotations

from ..config import Config


def xss_protection_value(config: Config, *, csp_active: bool) -> str | None:
    """An explicit ``xss_protection``; else the preset's or the default beside a CSP.

    "0" turns off the XSS auditor of old browsers, which could be abused to
    remove scripts from a page or leak data; modern browsers have none and CSP
    replaces it. "1; mode=block" stays the default.
    """
    if isinstance(config.xss_protection, str):
        return config.xss_protection
    if config.xss_protection is None and csp_active:
        return "0" if config.preset == "strict" else "1; mode=block"
    return None
