"""Django's own WSGI application: the headers come from the middleware.

Serve it as docs/production.md says, e.g. from the repository root::

    gunicorn --bind 127.0.0.1:8000 --workers 4 examples.django_production.wsgi
"""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_production.settings")

application = get_wsgi_application()
