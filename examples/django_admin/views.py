from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

NOTES: list[dict[str, Any]] = []


def index(request: HttpRequest) -> HttpResponse:
    """A page of the site itself: its one inline script carries the nonce."""
    return render(request, "index.html")


class NoteSerializer(serializers.Serializer):  # type: ignore[type-arg]
    text = serializers.CharField(max_length=200)


class Notes(APIView):
    """A small API whose browsable page has a form (notes kept in memory)."""

    def get_serializer(self, *args: Any, **kwargs: Any) -> NoteSerializer:
        return NoteSerializer(*args, **kwargs)

    def get(self, request: Request) -> Response:
        return Response(NOTES)

    def post(self, request: Request) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        NOTES.append(serializer.validated_data)
        return Response(serializer.validated_data, status=201)
