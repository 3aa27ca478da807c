"""Just enough Django settings for one view, a session and no database."""

from __future__ import annotations

from pathlib import Path

# A real project reads this from the environment.
SECRET_KEY = "example-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["example.com", "localhost", "127.0.0.1"]
ROOT_URLCONF = "examples.django_project.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE = [
    # request.csp_nonce, made only when read (Django 6 and django-debug-toolbar
    # read it); the headers themselves come from SecureHeaders in wsgi.py.
    "secheaders_wsgi.django.NonceMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
]
# Signed-cookie sessions need no database. SESSION_COOKIE_SECURE stays False on
# purpose: SecureHeaders adds `Secure` when server_secured is on.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
DATABASES: dict[str, object] = {}
USE_TZ = True
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates"],
        "OPTIONS": {
            # {{ csp_nonce }} in templates, made only when a template uses it.
            "context_processors": ["secheaders_wsgi.django.nonce"],
        },
    }
]
