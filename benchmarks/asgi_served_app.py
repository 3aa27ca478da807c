"""The ASGI apps that ``asgi_served.py`` runs under uvicorn.

``bare`` is the trivial ASGI app of ``asgi_limits.py`` (200, text/html, a small
body); ``limit`` is :func:`asgi_limits.keeps_promises` around it, the same
headers by hand; ``wrapped`` is the ASGI SecureHeaders around it.
"""

from __future__ import annotations

from asgi_limits import bare, keeps_promises
from limits import record

from secheaders_wsgi.asgi import SecureHeaders

limit = keeps_promises(bare, record())
wrapped = SecureHeaders(bare)
