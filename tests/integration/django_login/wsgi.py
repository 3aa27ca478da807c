"""The site under ``preset: strict`` (which refuses cross-origin posts)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

from secheaders_wsgi import SecureHeaders

os.environ.setdefault(
    "DJANGO_SETTINGS_MODULE", "tests.integration.django_login.settings"
)

application = SecureHeaders(get_wsgi_application(), {"preset": "strict"})
