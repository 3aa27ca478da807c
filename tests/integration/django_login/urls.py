from __future__ import annotations

from django.contrib.auth.views import LoginView
from django.urls import path
from django.views.generic import TemplateView

urlpatterns = [
    path("login/", LoginView.as_view(template_name="login.html")),
    path("done/", TemplateView.as_view(template_name="done.html")),
]
