from __future__ import annotations

from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("embed", views.embed, name="embed"),
    path("gallery", views.Gallery.as_view(), name="gallery"),
]
