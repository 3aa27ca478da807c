"""A minimal Django site for the cross-origin browser tests: a
``django.contrib.auth`` sign-in form (with Django's CSRF token) and the page
it leads to, under ``preset: strict`` and nothing else.

Served by ``test_cross_origin_frameworks_browser.py`` in a process of its own
(``DJANGO_SETTINGS_MODULE=tests.integration.django_login.settings``, the
database file in ``LOGIN_DATABASE``).
"""
