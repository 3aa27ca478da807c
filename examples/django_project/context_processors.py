from __future__ import annotations

from collections.abc import Callable
from functools import partial

from django.http import HttpRequest

from secheaders_wsgi import csp_nonce


def csp(request: HttpRequest) -> dict[str, Callable[[], str]]:
    # Under WSGI request.META is the environ; under ASGI the nonce is in the
    # scope. Django templates call a callable with no arguments, so the nonce
    # is made only when a template uses it.
    carrier = getattr(request, "scope", request.META)
    return {"csp_nonce": partial(csp_nonce, carrier)}
