"""The project's WSGI application, wrapped in SecureHeaders.

Serve it from the repository root (after ``pip install -e '.[examples]'``)::

    waitress-serve --listen=127.0.0.1:8000 examples.django_project.wsgi:application
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.wsgi import get_wsgi_application

from secheaders_wsgi import ConfigSource, SecureHeaders

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_project.settings")

CONFIG = Path(__file__).parent.parent / "security.yaml"


def make_app(config: ConfigSource = CONFIG) -> SecureHeaders:
    return SecureHeaders(get_wsgi_application(), config)


application = make_app()
