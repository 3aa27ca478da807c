"""Make the application see ``https`` when the site is served over HTTPS.

Use it (through ``server_secured: true``) when TLS ends before the WSGI server,
at a proxy or a load balancer: the server then reports ``http`` and every URL
the framework builds (``url_for(..., _external=True)``,
``request.build_absolute_uri()``) would say ``http://``. Only do so when every
request really reaches users over HTTPS; this trusts the deployment, not the
client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment


def secure_scheme(environ: WSGIEnvironment) -> None:
    """Set ``wsgi.url_scheme`` to ``https`` in place, as PEP 3333 lets middleware do."""
    environ["wsgi.url_scheme"] = "https"
