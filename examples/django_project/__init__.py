"""A minimal Django project whose WSGI application is wrapped in SecureHeaders.

Run it: ``pip install -e '.[examples]'``, then from the repository root
``waitress-serve --listen=127.0.0.1:8000 examples.django_project.wsgi:application``.
"""
