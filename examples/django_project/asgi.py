"""The project's ASGI application, wrapped in the ASGI SecureHeaders.

Serve it from the repository root (after ``pip install -e '.[examples]'``)::

    uvicorn examples.django_project.asgi:application
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.asgi import get_asgi_application

from secheaders_wsgi import ConfigSource
from secheaders_wsgi.asgi import SecureHeaders

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_project.settings")

CONFIG = Path(__file__).parent.parent / "security.yaml"


def make_app(config: ConfigSource = CONFIG) -> SecureHeaders:
    return SecureHeaders(get_asgi_application(), config)


application = make_app()
