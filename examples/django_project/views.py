from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View

from secheaders_wsgi.django import csp_update, override

#: Where the gallery's one image comes from; no other page may load from it.
IMAGE_CDN = "https://images.example.org"


def index(request: HttpRequest) -> HttpResponse:
    request.session["visits"] = request.session.get("visits", 0) + 1
    # build_absolute_uri() takes the scheme from wsgi.url_scheme: https once
    # SecureHeaders runs with server_secured.
    url = request.build_absolute_uri(reverse("index"))
    # The template puts the request's nonce ({{ csp_nonce }}, from the
    # secheaders_wsgi.django.nonce context processor) on its inline script.
    response = render(request, "index.html", {"url": url})
    response.set_cookie("theme", "dark", httponly=True, samesite="Lax")
    return response


@override("embed")  # security.yaml: overrides: embed: (the partner's origin)
def embed(request: HttpRequest) -> HttpResponse:
    return render(request, "embed.html")


# A class-based view takes the same decorators through method_decorator.
@method_decorator(csp_update({"img-src": [IMAGE_CDN]}), name="dispatch")
class Gallery(View):
    async def get(self, request: HttpRequest) -> HttpResponse:
        # An async view: the decorator keeps it async.
        return render(request, "gallery.html", {"cdn": IMAGE_CDN})
