"""secheaders_wsgi.django: the view decorators, the nonce context processor and
NonceMiddleware, on a real Django WSGI handler wrapped in SecureHeaders."""

from __future__ import annotations

import asyncio
import gc
import os
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django
import pytest
from asgiref.sync import iscoroutinefunction
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.test.utils import override_settings
from django.urls import path
from django.utils.decorators import method_decorator
from django.views import View
from webtest import TestApp

from secheaders_wsgi import ConfigError, SecureHeaders
from secheaders_wsgi.django import (
    NonceMiddleware,
    csp_replace,
    csp_update,
    nonce,
    omit_headers,
    override,
)
from secheaders_wsgi.response import STATE_KEY, ResponseState
from tests.asgi_bridge import AsgiAsWsgi, around_asgi, run_async
from tests.support import csp_of, in_a_server_thread

# The example project's settings (as tests/integration/test_examples.py uses);
# each test swaps in this module's URLs, middleware and templates.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_project.settings")
django.setup()

CONFIG: dict[str, Any] = {
    "csp_unsafe_inline": False,
    "csp_unsafe_eval": False,
    "csp_frame_ancestors": False,
    "overrides": {
        "embed": {
            "csp_frame_ancestors": ["https://partner.example"],
            "x_frame_options": False,
        },
    },
}
CDN = "https://images.example.org"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "secheaders_wsgi.django.nonce",
            ],
        },
    }
]
MIDDLEWARE = ["secheaders_wsgi.django.NonceMiddleware"]


def _render(request: HttpRequest, template: str) -> HttpResponse:
    return HttpResponse(engines["django"].from_string(template).render({}, request))


# Every decorator on every kind of view.

DECORATORS: dict[str, Callable[[Any], Any]] = {
    "override": override("embed"),
    "update": csp_update({"img-src": [CDN]}),
    "replace": csp_replace({"img-src": CDN, "frame-ancestors": None}),
    "omit": omit_headers("X-Frame-Options", "Referrer-Policy"),
}


def _sync_function(decorator: Callable[[Any], Any]) -> Any:
    @decorator
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    return view


def _async_function(decorator: Callable[[Any], Any]) -> Any:
    @decorator
    async def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    return view


def _sync_class(decorator: Callable[[Any], Any]) -> Any:
    @method_decorator(decorator, name="dispatch")
    class Page(View):
        def get(self, request: HttpRequest) -> HttpResponse:
            return HttpResponse("ok")

    return Page.as_view()


def _async_class(decorator: Callable[[Any], Any]) -> Any:
    class Page(View):
        @method_decorator(decorator)
        async def get(self, request: HttpRequest) -> HttpResponse:
            return HttpResponse("ok")

    return Page.as_view()


KINDS = {
    "sync-function": _sync_function,
    "async-function": _async_function,
    "sync-class": _sync_class,
    "async-class": _async_class,
}


def _check_override(response: Any, plain: Any) -> None:
    assert _csp(response)["frame-ancestors"] == ["https://partner.example"]
    assert "X-Frame-Options" not in response.headers
    assert plain.headers["X-Frame-Options"] == "DENY"


def _check_update(response: Any, plain: Any) -> None:
    assert _csp(response)["img-src"] == [*_csp(plain)["img-src"], CDN]


def _check_replace(response: Any, plain: Any) -> None:
    assert _csp(response)["img-src"] == [CDN]
    assert "frame-ancestors" not in _csp(response)
    assert _csp(plain)["frame-ancestors"] == ["'none'"]


def _check_omit(response: Any, plain: Any) -> None:
    assert "X-Frame-Options" not in response.headers
    assert "Referrer-Policy" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Referrer-Policy" in plain.headers


CHECKS = {
    "override": _check_override,
    "update": _check_update,
    "replace": _check_replace,
    "omit": _check_omit,
}


@csp_update({"img-src": [CDN]})
@csp_update({"img-src": "https://two.example"})
@csp_replace({"object-src": "'none'"})
@override("embed")
@omit_headers("Referrer-Policy")
async def stacked(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@method_decorator([csp_update({"img-src": [CDN]}), override("embed")], name="dispatch")
class StackedPage(View):
    async def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")


@csp_update({"img-src": [CDN]})
@csp_replace({"img-src": "'self'"})
def replace_last(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@override("embd")
def misspelt(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


class Undecorated(View):
    @csp_update({"img-src": [CDN]})  # should have been method_decorator
    def get(self, request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")


def processor_page(request: HttpRequest) -> HttpResponse:
    return _render(request, '<script nonce="{{ csp_nonce }}"></script>')


def both_nonces(request: HttpRequest) -> HttpResponse:
    return _render(request, "{{ csp_nonce }} {{ request.csp_nonce }}")


async def view_nonce(request: HttpRequest) -> HttpResponse:
    return HttpResponse(str(request.csp_nonce))  # type: ignore[attr-defined]


@csp_update({"script-src": [CDN]})
def nonce_and_update(request: HttpRequest) -> HttpResponse:
    return _render(request, '<script nonce="{{ csp_nonce }}"></script>')


def checks_only(request: HttpRequest) -> HttpResponse:
    return _render(
        request,
        "{% if csp_nonce %}made{% else %}none{% endif %} "
        "{% if request.csp_nonce %}made{% else %}none{% endif %}",
    )


def checks_after_use(request: HttpRequest) -> HttpResponse:
    return _render(
        request,
        '<script nonce="{{ csp_nonce }}"></script>'
        "{% if csp_nonce %}made{% endif %} {% if request.csp_nonce %}made{% endif %}",
    )


def plain(request: HttpRequest) -> HttpResponse:
    return _render(request, "<p>{{ request.path }}</p>")


urlpatterns = [
    *(
        path(f"{name}/{kind}/", make(decorator))
        for name, decorator in DECORATORS.items()
        for kind, make in KINDS.items()
    ),
    path("stacked/", stacked),
    path("stacked-class/", StackedPage.as_view()),
    path("replace-last/", replace_last),
    path("misspelt/", misspelt),
    path("undecorated/", Undecorated.as_view()),
    path("processor/", processor_page),
    path("both-nonces/", both_nonces),
    path("view-nonce/", view_nonce),
    path("nonce-and-update/", nonce_and_update),
    path("checks-only/", checks_only),
    path("checks-after-use/", checks_after_use),
    path("", plain),
]


class _DjangoClient:
    """Django's own test ``Client`` (``AsyncClient`` under ASGI), through
    SecureHeadersMiddleware: ``get`` gives a response with ``text`` and
    ``headers`` as WebTest's does."""

    def __init__(self, asgi: bool) -> None:
        self.asgi = asgi

    def get(self, path: str) -> Any:
        from django.test import AsyncClient, Client

        if self.asgi:
            return run_async(AsyncClient().get(path))
        # A thread of its own: the async views need one without a running loop.
        with ThreadPoolExecutor(max_workers=1) as thread:
            return thread.submit(Client().get, path).result()


OURS = "secheaders_wsgi.django.SecureHeadersMiddleware"


@pytest.fixture(params=["wsgi.py", "django-middleware", "django-test-client"])
def client(request: pytest.FixtureRequest, contract_adapter: str) -> Iterator[Any]:
    """The helpers under each way of installing the headers: SecureHeaders in
    wsgi.py, the Django middleware under a WSGI server, Django's test Client.
    Under ``[asgi]``, Django's own ASGI handler: SecureHeaders in asgi.py, the
    Django middleware under an ASGI server, Django's AsyncClient."""
    wrapped = request.param == "wsgi.py"
    asgi = contract_adapter == "asgi"
    with override_settings(
        ROOT_URLCONF=__name__,
        MIDDLEWARE=MIDDLEWARE if wrapped else [OURS, *MIDDLEWARE],
        SECHEADERS=CONFIG,
        TEMPLATES=TEMPLATES,
        DEBUG_PROPAGATE_EXCEPTIONS=True,  # a view's exception reaches the test
    ):
        # The handler reads MIDDLEWARE when it is built.
        if request.param == "django-test-client":
            yield _DjangoClient(asgi)
        elif not asgi:
            app = SecureHeaders(WSGIHandler(), CONFIG) if wrapped else WSGIHandler()
            yield TestApp(in_a_server_thread(app))
        else:
            # The helpers find the state in request.scope.
            handler = ASGIHandler()
            yield TestApp(
                around_asgi(handler, CONFIG) if wrapped else AsgiAsWsgi(handler)
            )
            # A view's exception that propagates leaves the handler's request
            # body file open (Django 5.2 closes it only on the way out of a
            # response): collected here, not in whichever test runs next.
            with warnings.catch_warnings():
                warnings.filterwarnings(
                    "ignore", "Unclosed file <tempfile.SpooledTemporaryFile"
                )
                gc.collect()


def _csp(response: Any) -> dict[str, list[str]]:
    return csp_of(response.headers["Content-Security-Policy"])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", DECORATORS)
def test_each_decorator_on_each_kind_of_view(
    client: TestApp, name: str, kind: str
) -> None:
    response = client.get(f"/{name}/{kind}/")

    assert response.text == "ok"
    CHECKS[name](response, client.get("/"))


@pytest.mark.parametrize(
    ("make", "is_async"),
    [
        pytest.param(_sync_function, False, id="sync-function"),
        pytest.param(_async_function, True, id="async-function"),
        pytest.param(_sync_class, False, id="sync-class"),
        pytest.param(_async_class, True, id="async-class"),
    ],
)
@pytest.mark.parametrize("name", DECORATORS)
def test_async_views_stay_async(
    name: str, make: Callable[[Any], Any], is_async: bool
) -> None:
    assert iscoroutinefunction(make(DECORATORS[name])) is is_async


def test_stacked_function_view(client: TestApp) -> None:
    response = client.get("/stacked/")

    csp = _csp(response)
    assert csp["img-src"][-2:] == [CDN, "https://two.example"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["https://partner.example"]
    assert "Referrer-Policy" not in response.headers


def test_stacked_class_view_through_method_decorator_list(client: TestApp) -> None:
    csp = _csp(client.get("/stacked-class/"))

    assert csp["img-src"][-1] == CDN
    assert csp["frame-ancestors"] == ["https://partner.example"]


def test_stacked_decorators_apply_top_to_bottom(client: TestApp) -> None:
    assert _csp(client.get("/replace-last/"))["img-src"] == ["'self'"]


def test_decorators_do_not_leak_into_the_next_request(client: TestApp) -> None:
    client.get("/stacked/")

    response = client.get("/")

    assert CDN not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


# the nonce


def test_context_processor_nonce_is_the_policy_nonce(client: TestApp) -> None:
    first, second = client.get("/processor/"), client.get("/processor/")

    value = first.text.split('"')[1]
    assert f"'nonce-{value}'" in _csp(first)["script-src"]
    assert second.text.split('"')[1] != value


def test_nonce_is_made_only_when_a_template_or_view_uses_it(client: TestApp) -> None:
    # The middleware and the context processor both ran; nothing read the nonce.
    response = client.get("/")

    assert response.text == "<p>/</p>"
    assert "nonce-" not in response.headers["Content-Security-Policy"]


def test_request_csp_nonce_and_context_processor_agree(client: TestApp) -> None:
    response = client.get("/both-nonces/")

    processor, attribute = response.text.split()
    assert processor == attribute
    assert f"'nonce-{processor}'" in _csp(response)["script-src"]


def test_checking_whether_there_is_a_nonce_never_makes_one(client: Any) -> None:
    # As in Django 6 and django-csp: {% if %} is false until the nonce is text.
    response = client.get("/checks-only/")

    assert response.text == "none none"
    assert "nonce-" not in response.headers["Content-Security-Policy"]


def test_a_nonce_turned_into_text_is_then_there(client: Any) -> None:
    response = client.get("/checks-after-use/")

    assert response.text.endswith("made made")
    value = response.text.split('"')[1]
    assert f"'nonce-{value}'" in _csp(response)["script-src"]


def test_a_check_after_the_response_started_is_false_not_an_error() -> None:
    from secheaders_wsgi import load_config
    from secheaders_wsgi.django import LazyNonce
    from secheaders_wsgi.response import Core

    core = Core(load_config(CONFIG), "test")
    environ: dict[str, Any] = {}
    state = core.begin(environ, https=False)
    lazy = LazyNonce(environ)
    state.server = None
    state.start_response("200 OK", [])  # the response starts
    assert not lazy
    with pytest.raises(RuntimeError, match="asked for after start_response"):
        str(lazy)


def test_request_csp_nonce_in_an_async_view(client: TestApp) -> None:
    response = client.get("/view-nonce/")

    assert f"'nonce-{response.text}'" in _csp(response)["script-src"]


def test_decorator_with_a_nonce_in_the_same_response(client: TestApp) -> None:
    response = client.get("/nonce-and-update/")

    script = _csp(response)["script-src"]
    assert CDN in script
    assert f"'nonce-{response.text.split(chr(34))[1]}'" in script


class _CountingState(ResponseState):
    """A request's state whose nonce is counted and known."""

    calls = 0

    def nonce(self) -> str:
        self.calls += 1
        self.made = "n0nce"
        return self.made


class _Request:
    def __init__(self) -> None:
        # What SecureHeaders puts in the environ, the nonce counted.
        self.state = _CountingState()
        self.META = {STATE_KEY: self.state}

    @property
    def made(self) -> int:
        return self.state.calls


def test_middleware_is_async_with_an_async_get_response() -> None:
    async def get_response(request: Any) -> str:
        return str(request.csp_nonce)

    middleware = NonceMiddleware(get_response)
    request = _Request()

    assert iscoroutinefunction(middleware)
    # A thread of its own: asyncio.run refuses a thread with a running loop.
    with ThreadPoolExecutor(max_workers=1) as thread:
        assert thread.submit(asyncio.run, middleware(request)).result() == "n0nce"


def test_middleware_is_sync_with_a_sync_get_response() -> None:
    middleware = NonceMiddleware(lambda request: "no nonce read")
    request = _Request()

    assert not iscoroutinefunction(middleware)
    assert middleware(request) == "no nonce read"
    assert request.made == 0


def test_context_processor_without_the_middleware_is_lazy_too() -> None:
    request = _Request()

    value = nonce(request)["csp_nonce"]

    assert request.made == 0
    assert str(value) == "n0nce"


# errors


def test_unknown_override_name_says_did_you_mean(client: TestApp) -> None:
    with pytest.raises(ConfigError, match="Did you mean 'embed'"):
        client.get("/misspelt/")


def test_method_decorated_without_method_decorator_says_so(client: TestApp) -> None:
    with pytest.raises(TypeError, match="wrap it: @method_decorator"):
        client.get("/undecorated/")


@pytest.mark.parametrize(
    "path", ["/update/sync-function/", "/update/async-class/", "/processor/"]
)
def test_without_secure_headers_the_error_names_the_middleware_and_the_wrappers(
    path: str,
) -> None:
    # Django's own test Client never runs wsgi.py: the commonest way to get here.
    from django.test import Client

    with override_settings(
        ROOT_URLCONF=__name__, MIDDLEWARE=MIDDLEWARE, TEMPLATES=TEMPLATES
    ):
        # A thread of its own: the async view needs one without a running loop.
        with ThreadPoolExecutor(max_workers=1) as thread:
            with pytest.raises(
                RuntimeError,
                match=r"put 'secheaders_wsgi.django.SecureHeadersMiddleware' first "
                r"in settings.MIDDLEWARE .* or wrap the application in wsgi.py",
            ):
                thread.submit(Client().get, path).result()


def test_decorator_without_its_arguments_is_refused_at_import() -> None:
    with pytest.raises(TypeError, match=r"write @csp_update\(\{"):
        csp_update(_sync_function)  # type: ignore[arg-type]


def test_bad_directive_fails_when_the_decorator_is_built() -> None:
    with pytest.raises(ConfigError, match="Did you mean 'img-src'"):
        method_decorator(csp_update({"img-scr": [CDN]}), name="dispatch")


def test_context_processor_ignores_another_librarys_request_csp_nonce() -> None:
    request = _Request()
    request.csp_nonce = "someone-elses"  # type: ignore[attr-defined]

    assert str(nonce(request)["csp_nonce"]) == "n0nce"
