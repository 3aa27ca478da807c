from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def index(request: HttpRequest) -> HttpResponse:
    """A page of the site: its inline script carries the response's nonce."""
    return render(request, "index.html")
