"""The demo: the page lists the headers it was really served with."""

from __future__ import annotations

import html

import pytest
from serving import free_port, request, running
from webtest import TestApp

from examples.demo.app import CONFIG, make_app
from secheaders_wsgi import load_config
from secheaders_wsgi.policy import headers

DEMO_HEADERS = headers(load_config(CONFIG), https=False)


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
    for name, value in DEMO_HEADERS:
        assert response.headers[name] == value


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
    for name, value in DEMO_HEADERS:
        assert sent[name] == value
    page = body.decode()
    listed = _listed(page)
    assert {name for name, _ in DEMO_HEADERS} <= {name for name, _ in listed}
    for name, value in listed:
        assert sent[name] == value
    assert 'src="/static/checks.js"' in page
