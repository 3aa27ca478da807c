"""The Flask example under ``flask run`` and gunicorn: init_app's headers on the wire.

``init_app`` wraps ``app.wsgi_app``, so the Flask object that both servers load
by name (``examples.flask_app:app``) sends the headers, and each view's
decorator changes only its own responses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from examples.flask_app import IMAGE_CDN
from secheaders_wsgi import load_config
from secheaders_wsgi.policy import headers
from tests.support import ROOT, csp_of, free_port, running
from tests.support import request as fetch

CONFIG = load_config(ROOT / "examples" / "security.yaml")


def _command(server: str, port: int) -> list[str]:
    if server == "flask":
        return ["-m", "flask", "--app", "examples.flask_app", "run",
                "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    return ["-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
            "--graceful-timeout", "2", "examples.flask_app:app"]  # fmt: skip


@pytest.fixture(scope="module", params=["flask", "gunicorn"])
def port(request: pytest.FixtureRequest) -> Iterator[int]:
    port = free_port()
    with running(_command(request.param, port), port):
        yield port


def test_index_gets_the_shared_yaml_headers_with_its_nonce(port: int) -> None:
    status, sent, body = fetch(port, "/")

    assert status == 200
    (nonce,) = re.findall(r'<script nonce="([^"]*)">', body.decode())
    for name, value in headers(CONFIG, https=True, nonce=nonce):
        assert sent.get_all(name) == [value], name


def test_gallery_alone_may_load_the_cdn_image(port: int) -> None:
    _, gallery, body = fetch(port, "/gallery")
    _, index, _ = fetch(port, "/")

    assert f'src="{IMAGE_CDN}/photo.png"'.encode() in body
    assert IMAGE_CDN in csp_of(gallery["Content-Security-Policy"])["img-src"]
    assert IMAGE_CDN not in index["Content-Security-Policy"]


def test_embed_alone_may_be_framed_by_the_partner(port: int) -> None:
    _, embed, _ = fetch(port, "/embed")
    _, index, _ = fetch(port, "/")

    frame_ancestors = csp_of(embed["Content-Security-Policy"])["frame-ancestors"]
    assert "https://partner.example" in frame_ancestors
    assert embed.get_all("X-Frame-Options") is None
    assert csp_of(index["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]
    assert index["X-Frame-Options"] == "DENY"
