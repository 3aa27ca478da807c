"""Wiring through the frameworks' own entry points: Django's MIDDLEWARE setting and
``flask run``, each in a fresh process."""

from __future__ import annotations

import subprocess
import sys

from tests.support import ROOT, free_port, request, running

_DJANGO = """
import django
from django.conf import settings
settings.configure(
    DEBUG=False,
    SECRET_KEY="test-only",
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["*"],
    MIDDLEWARE=[
        "django.middleware.common.CommonMiddleware",
        "secheaders_wsgi.SecureHeaders",
    ],
)
urlpatterns = []
django.setup()
from django.core.wsgi import get_wsgi_application
get_wsgi_application()
"""


def test_secure_headers_in_django_middleware_says_to_wrap_wsgi_py() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _DJANGO],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(
        "TypeError: secheaders_wsgi.SecureHeaders is WSGI middleware, not Django"
    )
    assert (
        "in settings.MIDDLEWARE use 'secheaders_wsgi.django.SecureHeadersMiddleware'"
        in last
    )
    assert "or wrap the application in wsgi.py" in last


def test_the_flask_example_serves_headers_under_flask_run() -> None:
    port = free_port()
    command = ["-m", "flask", "--app", "examples.flask_app", "run", "--port", str(port)]
    with running(command, port):
        status, sent, body = request(port, "/")
    assert status == 200
    assert "'nonce-" in sent["Content-Security-Policy"]
    assert sent["X-Content-Type-Options"] == "nosniff"
    # examples/security.yaml says server_secured: links are https under flask run too.
    assert b'href="https://127.0.0.1:' in body
