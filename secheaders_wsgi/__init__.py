"""Security headers for any WSGI application, in one line::

from secheaders_wsgi import SecureHeaders

app = SecureHeaders(app, {"server_secured": True})
"""

from __future__ import annotations

from .config import ConfigSource, load_config
from .errors import ConfigError, SecurityWarning
from .middleware import SecureHeaders
from .response import (
    csp_nonce,
    drop_headers,
    replace_csp,
    update_csp,
    use_override,
)

__all__ = [
    "ConfigError",
    "ConfigSource",
    "SecureHeaders",
    "SecurityWarning",
    "csp_nonce",
    "drop_headers",
    "load_config",
    "replace_csp",
    "update_csp",
    "use_override",
]
