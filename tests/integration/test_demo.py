"""The demo: the page lists the headers it was really served with."""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

import pytest
from webtest import TestApp

from examples.demo.app import CONFIG, make_app
from secheaders_wsgi import load_config
from secheaders_wsgi.cli import main as cli_main
from secheaders_wsgi.policy import headers
from tests.support import csp_of, free_port, request, running

if TYPE_CHECKING:
    from _typeshed import SupportsGetItem

DEMO_CONFIG = load_config(CONFIG)


def _nonce(body: str) -> str:
    nonces = set(re.findall(r'<script nonce="([^"]+)"', body))
    assert len(nonces) == 1, nonces
    return str(nonces.pop())


def _expected(body: str) -> tuple[tuple[str, str], ...]:
    """The demo config's headers, with the nonce the page used."""
    return headers(DEMO_CONFIG, https=False, nonce=_nonce(body))


def _assert_as_configured(sent: SupportsGetItem[str, str], body: str) -> None:
    """``sent`` holds the demo config's headers; the page's policy also lets it
    frame itself (``frame-src 'self'``, for the framing check)."""
    for name, value in _expected(body):
        if name == "Content-Security-Policy":
            assert csp_of(sent[name]) == {**csp_of(value), "frame-src": ["'self'"]}
        else:
            assert sent[name] == value


def _listed(body: str) -> list[tuple[str, str]]:
    """The (header, value) rows of the page's table, unescaped."""
    rows = []
    for row in body.split("<tr><th>")[2:]:
        name, _, rest = row.partition("</th><td><code>")
        value = rest.partition("</code>")[0]
        rows.append((html.unescape(name), html.unescape(value)))
    return rows


def test_demo_page_lists_exactly_the_headers_it_was_sent_with() -> None:
    response = TestApp(make_app()).get("/")

    assert _listed(response.text) == list(response.headerlist)
    _assert_as_configured(response.headers, response.text)


def test_demo_page_nonce_is_in_its_policy_and_new_each_time() -> None:
    app = TestApp(make_app())
    first, second = app.get("/").text, app.get("/").text

    policy = dict(_listed(first))["Content-Security-Policy"]
    assert f"script-src 'self' 'strict-dynamic' 'nonce-{_nonce(first)}';" in policy
    assert _nonce(first) != _nonce(second)
    # The script that plays the injected one carries no nonce.
    assert "<script>window.demoInlineRan = true;</script>" in first


def test_demo_page_follows_another_config() -> None:
    response = TestApp(make_app({"csp_header": False})).get("/")

    names = [name for name, _ in _listed(response.text)]
    assert "Content-Security-Policy" not in names
    assert names == [name for name, _ in response.headerlist]


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        pytest.param("/static/checks.js", "text/javascript", id="checks-js"),
        pytest.param("/static/demo.css", "text/css", id="css"),
    ],
)
def test_demo_static_files_carry_the_headers_too(path: str, content_type: str) -> None:
    response = TestApp(make_app()).get(path)

    assert response.content_type == content_type
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_demo_unknown_path_is_404() -> None:
    TestApp(make_app()).get("/nope", status=404)


def test_demo_serve_command_serves_the_page_on_a_real_socket() -> None:
    port = free_port()
    with running(["examples/demo/serve.py", "--port", str(port)], port):
        status, sent, body = request(port, "/")

    assert status == 200
    page = body.decode()
    listed = _listed(page)
    _assert_as_configured(sent, page)
    assert {name for name, _ in _expected(page)} <= {name for name, _ in listed}
    for name, value in listed:
        assert sent[name] == value
    assert 'src="/static/checks.js"' in page


def test_demo_says_what_it_shows_and_its_config_passes_its_own_audit() -> None:
    # The config claims `audit` finds nothing above low; the page says what to
    # look for.
    page = TestApp(make_app()).get("/").text
    assert "every check below should read\n<strong>blocked</strong>" in page
    assert "nothing above\n# low" in CONFIG.read_text(encoding="utf-8")
    assert cli_main(["audit", str(CONFIG), "--fail-on", "medium"]) == 0
