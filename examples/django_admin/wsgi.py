"""The WSGI application: Django (and its static files) wrapped in SecureHeaders.

Serve it from the repository root (after ``pip install -e '.[examples]'``)::

    python -m django migrate --settings examples.django_admin.settings
    waitress-serve --listen=127.0.0.1:8000 examples.django_admin.wsgi:application

Static files come from Django's ``StaticFilesHandler`` so that the example
needs nothing else; in production serve them with WhiteNoise or your web server.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.contrib.staticfiles.handlers import StaticFilesHandler
from django.core.wsgi import get_wsgi_application

from secheaders_wsgi import ConfigSource, SecureHeaders

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_admin.settings")

CONFIG = Path(__file__).with_name("security.yaml")


def make_app(config: ConfigSource = CONFIG) -> SecureHeaders:
    return SecureHeaders(StaticFilesHandler(get_wsgi_application()), config)


application = make_app()
