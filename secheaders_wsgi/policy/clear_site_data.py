"""Clear-Site-Data: each type a quoted string, as the header's grammar wants."""

from __future__ import annotations

from ..config import Config


def clear_site_data_value(config: Config) -> str | None:
    """``"cache", "cookies"``; ``None`` when ``clear_site_data`` is off.

    Browsers ignore an unquoted ``cache``: the quotes are part of the syntax.
    """
    if not isinstance(config.clear_site_data, tuple):
        return None
    return ", ".join(f'"{kind}"' for kind in config.clear_site_data)
