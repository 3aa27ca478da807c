"""Real ASGI servers, real sockets: uvicorn runs every ASGI example and hypercorn
two of them; the headers are read off the wire."""

from __future__ import annotations

import re
from collections.abc import Iterator
from http.client import HTTPMessage

import pytest

from secheaders_wsgi import load_config
from secheaders_wsgi.policy import headers
from tests.support import ROOT, free_port, request, running

CONFIG = load_config(ROOT / "examples" / "security.yaml")

# (server, "module:app") pairs: every example under uvicorn, two under hypercorn.
SERVED = [
    pytest.param(("uvicorn", "examples.starlette_app:app"), id="uvicorn-starlette"),
    pytest.param(("uvicorn", "examples.fastapi_app:app"), id="uvicorn-fastapi"),
    pytest.param(
        ("uvicorn", "examples.django_project.asgi:application"), id="uvicorn-django"
    ),
    pytest.param(("uvicorn", "examples.quart_app:app"), id="uvicorn-quart"),
    pytest.param(("hypercorn", "examples.fastapi_app:app"), id="hypercorn-fastapi"),
    pytest.param(("hypercorn", "examples.quart_app:app"), id="hypercorn-quart"),
]


def _command(server: str, target: str, port: int) -> list[str]:
    if server == "uvicorn":
        return ["-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
                "--no-access-log", target]  # fmt: skip
    return ["-m", "hypercorn", "--bind", f"127.0.0.1:{port}", target]


@pytest.fixture(scope="module", params=SERVED)
def served(request: pytest.FixtureRequest) -> Iterator[int]:
    server, target = request.param
    port = free_port()
    with running(_command(server, target, port), port):
        yield port


def _nonce(page: str) -> str:
    (nonce,) = re.findall(r'<script nonce="([^"]*)">', page)
    return str(nonce)


def _assert_ours(sent: HTTPMessage, nonce: str | None) -> None:
    for name, value in headers(CONFIG, https=True, nonce=nonce):
        assert sent.get_all(name) == [value], name


def test_example_sends_the_headers_the_nonce_and_https(served: int) -> None:
    status, sent, body = request(served)
    page = body.decode()
    assert status == 200, page

    nonce = _nonce(page)
    _assert_ours(sent, nonce)
    assert sent["Cache-Control"] == "private"
    assert f'href="https://127.0.0.1:{served}/"' in page
    cookies = sent.get_all("Set-Cookie") or []
    assert cookies
    for cookie in cookies:
        parts = [p.strip().lower() for p in cookie.split(";")[1:]]
        assert parts.count("secure") == 1, cookie


@pytest.fixture(scope="module", params=["uvicorn", "hypercorn"])
def raw(request: pytest.FixtureRequest) -> Iterator[int]:
    port = free_port()
    target = "tests.integration.asgi_server_app:app"
    with running(_command(request.param, target, port), port):
        yield port


def test_raw_app_cookies_hardened_and_scheme_https(raw: int) -> None:
    status, sent, _ = request(raw)
    assert status == 200
    _assert_ours(sent, None)
    assert sent.get_all("Set-Cookie") == [
        "session=abc; Path=/; HttpOnly; Secure",
        "theme=dark; Path=/; Secure",
    ]
    assert sent["X-Scheme"] == "https"


def test_streamed_body_arrives_whole_with_the_headers(raw: int) -> None:
    status, sent, body = request(raw, "/stream")
    assert status == 200
    _assert_ours(sent, None)
    assert body == b"".join(b"chunk %d\n" % i for i in range(50))


def test_head_and_post_get_the_headers_too(raw: int) -> None:
    for method in ("HEAD", "POST"):
        status, sent, _ = request(raw, method=method)
        assert status == 200
        _assert_ours(sent, None)
