"""Small per-request helpers the core (:mod:`secheaders_wsgi.response`) calls.

Each is built at start-up and only read per request:

- :mod:`.scheme`: ``server_secured`` and ``trusted_proxies`` (scheme, host, prefix).
- :mod:`.paths`: longest-prefix lookup for ``paths`` rules and exempt paths.
- :mod:`.redirect`: ``force_https``, the redirect to the https URL.
- :mod:`.cookies`: the ``Set-Cookie`` rewrite (Secure, SameSite, HttpOnly).
- :mod:`.reply`: an answer in no adapter's shape.
- :mod:`.cross_origin`: ``cross_origin``, the Fetch Metadata check before the app.
"""
