"""The per-request CSP nonce: made on first use, then fixed for the request.

Every request the middleware handles carries ``environ["secheaders.csp_nonce"]``,
a zero-argument callable. Put its value on each inline ``<script>`` and
``<style>`` (and on ``<script src>`` under ``'strict-dynamic'``)::

    <script nonce="{{ request.environ['secheaders.csp_nonce']() }}">...</script>

Only a response whose app called it gets ``'nonce-...'`` in its policy; any
other response gets the precomputed header, and no random bytes are drawn.
The callable itself is a method of the request's
:class:`~secheaders_wsgi.request.response.ResponseState`, the one object the
middleware makes per request; this module holds its parts.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

__all__ = ["ENVIRON_KEY", "csp_nonce", "new_nonce", "too_late"]

ENVIRON_KEY = "secheaders.csp_nonce"

# 18 random bytes: 144 bits (CSP3 asks for at least 128), and a multiple of
# three, so the base64url text has no '=' padding to get wrong in templates.
_NONCE_BYTES = 18


def new_nonce() -> str:
    """A fresh nonce: 144 bits from :mod:`secrets`, base64url without padding."""
    return secrets.token_urlsafe(_NONCE_BYTES)


def too_late() -> RuntimeError:
    """The error for a *first* call of the nonce after the headers were sent.

    The policy has already left without the nonce, so the browser would block
    the element it was meant for; doing nothing would hide that (django-csp's
    known bug). A nonce made before keeps returning its value, so a template
    streamed after the headers works.
    """
    return RuntimeError(
        "the CSP nonce was asked for after start_response: the "
        "Content-Security-Policy header has been sent without it, so "
        "browsers would block the element it is for; get the nonce "
        "before the response starts (e.g. render the template first)"
    )


def csp_nonce(environ: Mapping[str, Any]) -> str:
    """The request's CSP nonce, made on first use: ``csp_nonce(request.environ)``.

    Raises :class:`RuntimeError` if the app is not wrapped in ``SecureHeaders``,
    or if this is the first call and the response headers are already sent.
    """
    try:
        nonce = environ[ENVIRON_KEY]
    except KeyError:
        raise RuntimeError(
            f"no {ENVIRON_KEY!r} in the WSGI environ: wrap the application in "
            "secheaders_wsgi.SecureHeaders to get a CSP nonce"
        ) from None
    value: str = nonce()
    return value
