"""Per-request helpers, each built at start-up and called on the request path.

- :mod:`.scheme`: ``server_secured`` and ``trusted_proxies`` (scheme, host, prefix).
- :mod:`.paths`: longest-prefix lookup for ``paths`` rules and exempt paths.
- :mod:`.redirect`: ``force_https``, the redirect to the https URL.
- :mod:`.cookies`: the ``Set-Cookie`` rewrite (Secure, SameSite, HttpOnly).
- :mod:`.nonce`: the lazy per-request CSP nonce.
- :mod:`.cross_origin`: ``cross_origin``, the Fetch Metadata check before the app.
- :mod:`.response`: what a view asks of its own response (``use_override``,
  ``csp_update``, ``csp_replace``, ``omit_headers``).
"""
