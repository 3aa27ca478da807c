"""An ASGI app may start its response with headers as any iterable (the spec
says ``Iterable[[bytes, bytes]]``): through uvicorn and hypercorn, its own
headers survive, read once.

Issue 19: headers given as an iterator were read twice, so the app's own
``default-src 'none'`` was replaced by our default and its Content-Type lost.
tests/asgi/test_start_headers.py drives the adapter in process.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.seams_app import ITERABLES
from tests.support import HOST, free_port, request, running

SERVERS = {
    "uvicorn": ["-m", "uvicorn", "--host", HOST, "--port", "{port}",
                "--no-access-log", "tests.integration.seams_app:asgi"],
    "hypercorn": ["-m", "hypercorn", "--bind", f"{HOST}:{{port}}",
                  "tests.integration.seams_app:asgi"],
}  # fmt: skip


@pytest.fixture(scope="module", params=list(SERVERS))
def port(request: pytest.FixtureRequest) -> Iterator[int]:
    port = free_port()
    with running([p.format(port=port) for p in SERVERS[request.param]], port):
        yield port


@pytest.mark.parametrize("kind", list(ITERABLES))
def test_the_apps_own_headers_survive_whatever_iterable_it_gives(
    port: int, kind: str
) -> None:
    # seams_app trusts one proxy and redirects http: say the proxy saw https.
    status, sent, body = request(
        port, f"/iter/{kind}", headers={"X-Forwarded-Proto": "https"}
    )
    assert (status, body) == (200, b"<p>own policy</p>")
    assert sent.get_all("Content-Security-Policy") == ["default-src 'none'"]
    assert sent.get_all("Content-Type") == ["text/html; charset=utf-8"]
    assert sent.get_all("X-App") == ["iterable"]
    # Ours are added beside them.
    assert sent.get_all("X-Content-Type-Options") == ["nosniff"]
    assert sent.get_all("Strict-Transport-Security")
