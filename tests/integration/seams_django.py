"""A Django project in one module for the seams tests: its settings (use it as
``DJANGO_SETTINGS_MODULE``), its URLs and one view that answers with what
Django saw as JSON, as tests/integration/seams_app.py's apps do.

``SecureHeadersMiddleware`` is the middleware (inside one that marks what
went through, as seams_app's layer does), with seams_app's
:data:`~tests.integration.seams_app.CONFIG`; under ASGI (``asgi()``, uvicorn
``--factory``) Django builds ``META`` from the scope and folds names spelt
with ``_`` into the ``HTTP_`` keys, and the middleware reads the scope.
"""

from __future__ import annotations

from typing import Any

from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, JsonResponse
from django.urls import re_path
from django.utils.decorators import sync_and_async_middleware

from tests.integration.seams_app import CONFIG

SECRET_KEY = "seams-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = __name__
INSTALLED_APPS: list[str] = []
DATABASES: dict[str, Any] = {}
USE_TZ = True
MIDDLEWARE = [
    f"{__name__}.through",
    "secheaders_wsgi.django.SecureHeadersMiddleware",
]
SECHEADERS = CONFIG


@sync_and_async_middleware
def through(get_response: Any) -> Any:
    """Outside ours, as seams_app's layer: marks what went through it."""
    if iscoroutinefunction(get_response):

        async def marked_async(request: HttpRequest) -> Any:
            response = await get_response(request)
            response["X-Through"] = "1"
            return response

        return marked_async

    def marked(request: HttpRequest) -> Any:
        response = get_response(request)
        response["X-Through"] = "1"
        return response

    return marked


def echo(request: HttpRequest) -> JsonResponse:
    meta = request.META
    seen = {
        "scheme": request.scheme,
        "hosts": [meta.get("HTTP_HOST")],
        "server": [meta.get("SERVER_NAME"), str(meta.get("SERVER_PORT"))],
        "prefix": meta.get("SCRIPT_NAME", ""),
        "path": request.path_info,
    }
    return JsonResponse(seen)


urlpatterns = [re_path(r"", echo)]


def wsgi() -> Any:
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def asgi() -> Any:
    from django.core.asgi import get_asgi_application

    return get_asgi_application()
