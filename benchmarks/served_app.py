"""The applications that ``served.py`` runs under gunicorn.

``bare`` is the trivial app of ``harness.py`` (200, text/html, a small body);
``limit`` is :func:`limits.keeps_promises` around it, the cheapest hand-written
middleware that keeps SecureHeaders' promises and sends the same headers, so
what the server does with those bytes is told apart from the middleware's work.
"""

from __future__ import annotations

from harness import trivial_app
from limits import keeps_promises, record

from secheaders_wsgi import SecureHeaders

bare = trivial_app
limit = keeps_promises(bare, record())
wrapped = SecureHeaders(bare)
