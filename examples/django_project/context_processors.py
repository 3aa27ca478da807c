from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest


def csp(request: HttpRequest) -> dict[str, Callable[[], str]]:
    # request.META is the WSGI environ. Django templates call a callable with
    # no arguments, so the nonce is made only when a template uses it.
    return {"csp_nonce": request.META["secheaders.csp_nonce"]}
