"""secheaders_wsgi.django.SecureHeadersMiddleware: the core as a Django middleware.

The differential test: for each config and request, the middleware (through
Django's WSGI handler, its test ``Client`` and its ``AsyncClient``, which is
Django's ASGI handler) sends the
same headers as ``SecureHeaders`` around ``get_wsgi_application()``. Then what
only the middleware does: ``SECHEADERS``, ``request.csp_nonce``, cookies kept
in Django's cookie jar, and refusing to run under the wrapper too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import django
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template import engines
from django.test import AsyncClient, Client
from django.test.utils import override_settings
from django.urls import path, reverse
from webtest import TestApp

from secheaders_wsgi import SecureHeaders, load_config, use_override
from secheaders_wsgi.django import SecureHeadersMiddleware, csp_update
from tests.asgi_bridge import run_async
from tests.support import csp_of, in_a_server_thread

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_project.settings")
django.setup()

OURS = "secheaders_wsgi.django.SecureHeadersMiddleware"
SESSION = "django.contrib.sessions.middleware.SessionMiddleware"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "OPTIONS": {"context_processors": ["secheaders_wsgi.django.nonce"]},
    }
]


def page(request: HttpRequest) -> HttpResponse:
    request.session["seen"] = True  # a session cookie to harden
    response = HttpResponse("<p>hi</p>")
    response.set_cookie("theme", "dark", samesite="Strict")
    return response


def nonced(request: HttpRequest) -> HttpResponse:
    text = engines["django"].from_string('<script nonce="{{ csp_nonce }}">')
    return HttpResponse(text.render({}, request))


def own_headers(request: HttpRequest) -> HttpResponse:
    response = HttpResponse("x")
    response["X-Frame-Options"] = "SAMEORIGIN"  # the app's own wins
    response["X-Powered-By"] = "PHP"  # remove_headers drops it
    return response


def embed(request: HttpRequest) -> HttpResponse:
    use_override(request.META, "embed")
    return HttpResponse("embed")


def where(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        f"{request.path} {reverse('where')} {request.build_absolute_uri()}"
    )


def late(request: HttpRequest) -> StreamingHttpResponse:
    def body() -> Iterator[bytes]:
        yield b"a"
        try:
            use_override(request.META, "embed")
        except RuntimeError as exc:
            yield str(exc).encode()

    return StreamingHttpResponse(body())


@csp_update({"img-src": ["https://cdn.example"]})
async def gallery(request: HttpRequest) -> HttpResponse:
    return HttpResponse("gallery")


urlpatterns = [
    path("", page),
    path("nonced/", nonced),
    path("own/", own_headers),
    path("embed/", embed),
    path("gallery/", gallery),
    path("admin/x/", page),
    path("where/", where, name="where"),
    path("late/", late),
]

EMBED = {"embed": {"csp_frame_ancestors": ["https://partner.example"]}}
CONFIGS: dict[str, dict[str, Any]] = {
    "defaults": {"overrides": EMBED},
    "standard": {"preset": "standard", "overrides": EMBED},
    "strict": {"preset": "strict", "server_secured": True, "overrides": EMBED},
    "secured-cookies": {
        "overrides": EMBED,
        "server_secured": True,
        "cookie_samesite": "Lax",
        "cookie_httponly": True,
        "remove_headers": ["X-Powered-By"],
    },
    "rule-override": {
        "csp_unsafe_inline": False,
        "paths": [{"prefix": "/admin/", "referrer_policy": "no-referrer"}],
        "overrides": EMBED,
    },
    "redirect": {
        "force_https": True,
        "redirect_host": "www.example.com",
        "overrides": EMBED,
    },
}
REQUESTS = [
    pytest.param("GET", "/", False, id="page"),
    pytest.param("GET", "/", True, id="page-https"),
    pytest.param("GET", "/nonced/", True, id="nonce"),
    pytest.param("GET", "/own/", True, id="app-headers"),
    pytest.param("GET", "/embed/", False, id="override"),
    pytest.param("GET", "/gallery/", True, id="async-decorated"),
    pytest.param("GET", "/admin/x/", True, id="path-rule"),
    pytest.param("POST", "/admin/x/?q=1", False, id="post"),
]

Headers = list[tuple[str, str]]


def _normal(headers: Headers) -> list[tuple[str, str]]:
    """Headers as a sorted list, names lower-cased, nonces and expiry masked.

    Content-Length is WebTest's, not the app's or ours; Django's WSGI handler
    writes a cookie with a leading space.
    """
    masked = []
    for name, value in headers:
        if name.lower() == "content-length":
            continue
        value = value.strip()
        value = re.sub(r"'nonce-[A-Za-z0-9_-]+'", "'nonce-N'", value)
        value = re.sub(r'nonce="[A-Za-z0-9_-]+"', 'nonce="N"', value)
        value = re.sub(r"expires=[^;]+", "expires=E", value, flags=re.I)
        value = re.sub(r"sessionid=[^;]+", "sessionid=S", value)
        if name.lower() == "set-cookie":
            # Django writes a cookie from its Morsel, attributes in its order.
            first, *attributes = (part.strip() for part in value.split(";"))
            value = "; ".join([first, *sorted(attributes, key=str.lower)])
        masked.append((name.lower(), value))
    return sorted(masked)


@pytest.fixture(autouse=True)
def _urls() -> Iterator[None]:
    with override_settings(ROOT_URLCONF=__name__, TEMPLATES=TEMPLATES):
        yield


def _through_wrapper(config: dict[str, Any], method: str, target: str, https: bool):  # type: ignore[no-untyped-def]
    with override_settings(MIDDLEWARE=[SESSION]):
        app = TestApp(in_a_server_thread(SecureHeaders(WSGIHandler(), config)))
        return _webtest(app, method, target, https)


def _through_middleware(
    config: dict[str, Any], method: str, target: str, https: bool
) -> Any:
    with override_settings(MIDDLEWARE=[OURS, SESSION], SECHEADERS=config):
        app = TestApp(in_a_server_thread(WSGIHandler()))
        return _webtest(app, method, target, https)


def _webtest(app: TestApp, method: str, target: str, https: bool) -> Any:
    extra = {
        "HTTP_HOST": "example.com",
        "SERVER_NAME": "example.com",
        "SERVER_PORT": "443" if https else "80",
        "wsgi.url_scheme": "https" if https else "http",
    }
    call = getattr(app, method.lower())
    response = call(target, extra_environ=extra, expect_errors=True)
    return response.status_int, response.body, response.headerlist


def _through_client(
    config: dict[str, Any], method: str, target: str, https: bool
) -> Any:
    with override_settings(MIDDLEWARE=[OURS, SESSION], SECHEADERS=config):
        client = Client(HTTP_HOST="example.com")
        with ThreadPoolExecutor(max_workers=1) as thread:  # async views: no loop here
            response = thread.submit(
                getattr(client, method.lower()), target, secure=https
            ).result()
        return response.status_code, response.content, _django_headers(response)


def _through_async_client(
    config: dict[str, Any], method: str, target: str, https: bool
) -> Any:
    # Django's ASGI handler: an ASGIRequest from a scope, the middleware's
    # async path, sync views run in a thread.
    with override_settings(MIDDLEWARE=[OURS, SESSION], SECHEADERS=config):
        # Its Host is testserver whatever it is told (it sends a second one):
        # no header compared here depends on it (the redirect names its host).
        call = getattr(AsyncClient(), method.lower())
        response = run_async(call(target, secure=https))
        return response.status_code, response.content, _django_headers(response)


def _django_headers(response: Any) -> Headers:
    # What Django's handler sends: the headers, then each cookie.
    return [
        *response.items(),
        *(("Set-Cookie", m.OutputString()) for m in response.cookies.values()),
    ]


# A nonce under a policy that takes none warns (tests/test_nonce.py): here
# only the headers are compared.
@pytest.mark.filterwarnings("ignore:csp_nonce:secheaders_wsgi.errors.SecurityWarning")
@pytest.mark.parametrize(("method", "target", "https"), REQUESTS)
@pytest.mark.parametrize("name", CONFIGS)
def test_the_middleware_sends_what_the_wsgi_wrapper_sends(
    name: str, method: str, target: str, https: bool
) -> None:
    config = CONFIGS[name]
    status, body, wrapped = _through_wrapper(config, method, target, https)
    for through in (_through_middleware, _through_client, _through_async_client):
        got_status, got_body, got = through(config, method, target, https)
        assert (got_status, _normal(got)) == (status, _normal(wrapped)), through
        if b"nonce" not in body:
            assert got_body == body


def test_a_nonce_in_the_page_is_the_one_in_the_header() -> None:
    with override_settings(MIDDLEWARE=[OURS], SECHEADERS={"preset": "strict"}):
        response = Client().get("/nonced/", secure=True)
    value = response.content.decode().split('"')[1]
    csp = csp_of(response.headers["Content-Security-Policy"])
    assert f"'nonce-{value}'" in csp["script-src"]
    assert response.headers["Cache-Control"] == "private"


def test_the_async_client_goes_through_it_too() -> None:
    strict = {"preset": "strict", "force_https": True}
    with override_settings(MIDDLEWARE=[OURS], SECHEADERS=strict):
        # Not asyncio.run: a browser test's Playwright loop may run here.
        response = run_async(AsyncClient().get("/gallery/", secure=True))
    csp = csp_of(response.headers["Content-Security-Policy"])
    assert csp["img-src"][-1] == "https://cdn.example"
    assert "Strict-Transport-Security" in response.headers


def test_cookies_stay_in_djangos_jar_hardened() -> None:
    config = {"server_secured": True, "cookie_samesite": "Lax"}
    with override_settings(MIDDLEWARE=[OURS, SESSION], SECHEADERS=config):
        response = Client().get("/")
    theme = response.cookies["theme"]
    assert (theme.value, theme["secure"], theme["samesite"]) == ("dark", True, "Strict")
    assert response.cookies["sessionid"]["samesite"] == "Lax"


def test_secheaders_is_checked_when_django_loads_the_middleware() -> None:
    from secheaders_wsgi import ConfigError

    with override_settings(SECHEADERS={"server_secure": True}):
        with pytest.raises(ConfigError, match="Did you mean 'server_secured'"):
            SecureHeadersMiddleware(lambda request: HttpResponse())


def test_a_yaml_path_in_secheaders(tmp_path: Any) -> None:
    config = tmp_path / "security.yaml"
    config.write_text("preset: strict\n", encoding="utf-8")
    with override_settings(MIDDLEWARE=[OURS], SECHEADERS=config):
        response = Client().get("/own/", secure=True)
    strict = load_config({"preset": "strict"})
    assert response.headers["Cross-Origin-Opener-Policy"] == (
        strict.cross_origin_opener_policy
    )


def test_under_the_wsgi_wrapper_too_it_refuses_naming_both() -> None:
    with override_settings(
        MIDDLEWARE=[OURS], SECHEADERS={}, DEBUG_PROPAGATE_EXCEPTIONS=True
    ):
        app = TestApp(SecureHeaders(WSGIHandler()))
        with pytest.raises(RuntimeError, match=r"two SecureHeaders handle this request: "
                           r"SecureHeaders \(WSGI\) built at .* \(outer\) and "
                           r"SecureHeaders \(Django\) built at .*keep one"):  # fmt: skip
            app.get("/")


def test_a_proxys_prefix_moves_the_path_and_what_reverse_makes() -> None:
    config = {"trusted_proxies": 1}
    forwarded = {
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_HOST": "example.com",
        "HTTP_X_FORWARDED_PREFIX": "/caf\xc3\xa9",  # /café, as a server spells it
    }
    with override_settings(MIDDLEWARE=[OURS], SECHEADERS=config):
        response = Client().get("/where/", **forwarded)
    assert response.content.decode() == (
        "/café/where/ /caf%C3%A9/where/ https://example.com/caf%C3%A9/where/"
    )
    # The next request starts from the server's prefix again.
    with override_settings(MIDDLEWARE=[OURS], SECHEADERS=config):
        response = Client().get("/where/", HTTP_HOST="example.com")
    assert response.content.decode().startswith("/where/ /where/ ")


def test_a_call_while_the_body_streams_is_a_runtime_error() -> None:
    # Django sends the headers once the middleware returned the response:
    # a change asked for while the body streams is too late, and says so.
    with override_settings(MIDDLEWARE=[OURS], SECHEADERS={"overrides": EMBED}):
        response = Client().get("/late/")
    body = b"".join(response.streaming_content).decode()
    assert body.startswith("a") and "after the response started" in body
    assert "partner.example" not in response.headers["Content-Security-Policy"]


def test_a_proxys_prefix_moves_the_path_under_djangos_asgi_handler_too() -> None:
    # AsyncClient: an ASGIRequest from a scope, whose root_path the prefix sets.
    config = {"trusted_proxies": 1}
    headers = {
        "x-forwarded-proto": "https",
        "x-forwarded-host": "example.com",
        "x-forwarded-prefix": "/shop",
    }
    # Per request: AsyncClient(headers=...) sends "http-x-forwarded-proto".
    with override_settings(MIDDLEWARE=[OURS], SECHEADERS=config):
        response = run_async(AsyncClient().get("/where/", headers=headers))
        del headers["x-forwarded-prefix"]
        after = run_async(AsyncClient().get("/where/", headers=headers))
    assert response.content.decode() == (
        "/shop/where/ /shop/where/ https://example.com/shop/where/"
    )
    assert after.content.decode() == "/where/ /where/ https://example.com/where/"
