"""A minimal Django project whose WSGI application is wrapped in SecureHeaders."""
