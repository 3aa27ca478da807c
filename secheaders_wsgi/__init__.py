"""Security headers for any WSGI application, in one line::

from secheaders_wsgi import SecureHeaders

app = SecureHeaders(app, {"server_secured": True})
"""

from __future__ import annotations

from .config import ConfigSource, load_config
from .errors import ConfigError, SecurityWarning
from .middleware import SecureHeaders
from .request.nonce import csp_nonce
from .request.response import csp_replace, csp_update, omit_headers, use_override

__all__ = [
    "ConfigError",
    "ConfigSource",
    "SecureHeaders",
    "SecurityWarning",
    "csp_nonce",
    "csp_replace",
    "csp_update",
    "load_config",
    "omit_headers",
    "use_override",
]
