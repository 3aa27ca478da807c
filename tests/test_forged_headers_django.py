"""Django's middleware under ASGI: no forged spelling changes what it decides.

``SecureHeadersMiddleware`` reads the ASGI scope's headers by their exact names,
not ``request.META``: Django before 5.2.13, 4.2.30 and 6.0.4 (CVE-2026-3902)
builds ``META`` from the scope by CGI's rule, so ``X_Forwarded_Proto`` lands in
``HTTP_X_FORWARDED_PROTO`` beside the proxy's value. The handler here builds
``META`` that way whichever Django is installed, so the property holds for
those versions too (the ones after drop such names themselves). Under WSGI,
``META`` is the server's environ: tests/test_forged_headers.py and, through
gunicorn and uvicorn, tests/integration/test_forged_headers_servers.py.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import cache
from typing import Any

import django
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_project.settings")
django.setup()

from django.core.handlers.asgi import ASGIHandler, ASGIRequest  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from tests.integration import seams_django  # noqa: E402
from tests.support import asgi_served, http_scope  # noqa: E402
from tests.test_forged_headers import (  # noqa: E402
    CONTROLS,
    HOST,
    HTTP,
    REQUESTS,
    Raw,
    Request,
    assert_unchanged,
    forged_header,
)


class FoldingRequest(ASGIRequest):  # type: ignore[misc]
    """``META`` as Django before 5.2.13 builds it: names with ``_`` folded in."""

    def __init__(self, scope: dict[str, Any], body_file: Any) -> None:
        super().__init__(scope, body_file)
        for name, value in scope.get("headers", []):
            text = name.decode("latin-1")
            if "_" in text:  # today's Django left it out: put it in, last
                key = "HTTP_" + text.upper().replace("-", "_")
                before = self.META.get(key)
                joined = value.decode("latin-1")
                self.META[key] = joined if before is None else f"{before},{joined}"


class FoldingHandler(ASGIHandler):  # type: ignore[misc]
    request_class = FoldingRequest


@pytest.fixture(autouse=True, scope="module")
def _project() -> Iterator[None]:
    with override_settings(
        ROOT_URLCONF=seams_django.__name__,
        MIDDLEWARE=seams_django.MIDDLEWARE,
        SECHEADERS=seams_django.SECHEADERS,
        ALLOWED_HOSTS=["*"],
    ):
        handler.cache_clear()
        yield
    handler.cache_clear()


@cache
def handler() -> FoldingHandler:
    return FoldingHandler()


def answer(request: Request, headers: Raw | None = None) -> tuple[Any, ...]:
    """Status, headers and body Django sent for ``request``."""
    scope = http_scope(
        request.path,
        request.headers if headers is None else headers,
        method=request.method,
        server=("backend", 8000),
    )
    sent = asgi_served(handler(), scope, request.body)
    start = sent[0]
    content = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], sorted(start["headers"]), content


@settings(max_examples=120, deadline=None)
@given(
    name=st.sampled_from(list(REQUESTS)),
    forged=st.lists(forged_header, min_size=1, max_size=3),
    data=st.data(),
)
def test_no_forged_spelling_changes_what_djangos_middleware_decides(
    name: str, forged: list[tuple[bytes, bytes]], data: Any
) -> None:
    assert_unchanged(answer, REQUESTS[name], forged, data)


def test_the_issues_forged_scheme_is_redirected_though_meta_says_https() -> None:
    forged = (HOST, HTTP, (b"x_forwarded_proto", b"https"))
    status, headers, _ = answer(REQUESTS["http page"], forged)
    assert status == 301
    assert (b"Location", b"https://good.example/a") in headers
    assert not any(k.lower() == b"strict-transport-security" for k, _ in headers)


@pytest.mark.parametrize(("name", "value", "request_name"), CONTROLS)
def test_each_name_spelt_exactly_changes_the_answer(
    name: str, value: bytes, request_name: str
) -> None:
    request = REQUESTS[request_name]
    exact = (*request.headers, (name.encode(), value))
    assert answer(request, exact) != answer(request)
