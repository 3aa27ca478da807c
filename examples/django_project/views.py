from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse


def index(request: HttpRequest) -> HttpResponse:
    request.session["visits"] = request.session.get("visits", 0) + 1
    # build_absolute_uri() takes the scheme from wsgi.url_scheme: https once
    # SecureHeaders runs with server_secured.
    url = request.build_absolute_uri(reverse("index"))
    # The template puts the request's nonce on its inline script.
    response = render(request, "index.html", {"url": url})
    response.set_cookie("theme", "dark", httponly=True, samesite="Lax")
    return response
