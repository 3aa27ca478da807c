"""A Django project ready for production behind a TLS proxy: the admin, the
strict preset, the Django middleware of secheaders_wsgi, WhiteNoise for the
static files. docs/production.md walks through it; the values a deployment
changes come from the environment.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent

SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1").split(",")
ROOT_URLCONF = "examples.django_production.urls"
WSGI_APPLICATION = "examples.django_production.wsgi.application"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]
MIDDLEWARE = [
    # First: every response gets the headers, WhiteNoise's static files too.
    "secheaders_wsgi.django.SecureHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
# The config: security.yaml beside this file (a mapping works too).
SECHEADERS = BASE_DIR / "security.yaml"
# SecurityMiddleware and XFrameOptionsMiddleware are left out: SECHEADERS
# sends HSTS, nosniff, Referrer-Policy, COOP and X-Frame-Options, so
# `check --deploy` need not ask for them.
SILENCED_SYSTEM_CHECKS = ["security.W001", "security.W002"]
# server_secured marks every cookie Secure already; saying so here too keeps
# `check --deploy` quiet and the cookies safe if the config changes.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # {{ csp_nonce }} in templates, made only when one uses it.
                "secheaders_wsgi.django.nonce",
            ],
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DJANGO_DATABASE", BASE_DIR / "db.sqlite3"),
    }
}
STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles")
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
