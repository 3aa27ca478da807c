"""Security headers for any ASGI application (Starlette, FastAPI, Django, Quart)::

    from secheaders_wsgi.asgi import SecureHeaders

    app = SecureHeaders(app, {"server_secured": True})

The same config, checks and headers as the WSGI middleware; get the nonce with
``secheaders_wsgi.csp_nonce(scope)``.
"""

from __future__ import annotations

from .middleware import SecureHeaders

__all__ = ["SecureHeaders"]
