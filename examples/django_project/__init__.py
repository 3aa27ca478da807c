"""A minimal Django project whose WSGI and ASGI applications are wrapped in
SecureHeaders.

Run it: ``pip install -e '.[examples]'``, then from the repository root
``waitress-serve --listen=127.0.0.1:8000 examples.django_project.wsgi:application``
(WSGI) or ``uvicorn examples.django_project.asgi:application`` (ASGI).
"""
