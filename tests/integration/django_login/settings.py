"""Settings: auth, sessions and Django's CSRF middleware, as a real site has."""

from __future__ import annotations

import os

SECRET_KEY = "test-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "tests.integration.django_login.urls"
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("LOGIN_DATABASE", ":memory:"),
    }
}
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "context_processors": ["django.contrib.auth.context_processors.auth"],
            "loaders": [
                (
                    "django.template.loaders.locmem.Loader",
                    {
                        "login.html": (
                            "<!doctype html><title>sign in</title>"
                            '<form method="post" action="/login/">{% csrf_token %}'
                            "{{ form.username }}{{ form.password }}"
                            '<button id="sign-in">Sign in</button></form>'
                        ),
                        "done.html": (
                            "<!doctype html><title>signed in</title>"
                            '<p id="who">signed in as {{ user.username }}</p>'
                        ),
                    },
                )
            ],
        },
    }
]
LOGIN_REDIRECT_URL = "/done/"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
