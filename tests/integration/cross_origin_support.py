"""What the cross-origin browser tests share: the other site, and what its page
does in the browser.

The other site is a blank page served on another port and reached as
``http://localhost:PORT``, while the sites under test are
``http://127.0.0.1:PORT``: Chromium then sends ``Sec-Fetch-Site: cross-site``.
(``127.0.0.1`` on another port is another origin but the same site:
``same-site``. Another loopback address stalls on Chromium's local-network
prompt.) Its requests are made by its own page: the browser sets the Fetch
Metadata headers, the tests never do.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from playwright.sync_api import Page

#: The first words of the middleware's 403 body.
REFUSED = "Forbidden: cross-origin protection refused"

# Submits a form the page builds: ``[action, {name: value}]``.
SUBMIT = """([action, fields]) => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = action;
  for (const [name, value] of Object.entries(fields)) {
    const input = document.createElement("input");
    input.name = name;
    input.value = value;
    form.append(input);
  }
  document.body.append(form);
  form.submit();
}"""

#: Records every CSP violation from the page's first script on.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def blank(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
    """The other site's page; the tests make its requests from it."""
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [b"<!doctype html><title>other site</title><body></body>"]


@pytest.fixture
def other(serve: Callable[[WSGIApplication], str]) -> str:
    """The other site's origin: the same loopback, named ``localhost``."""
    return serve(blank).replace("127.0.0.1", "localhost")


def post_form(page: Page, action: str, fields: dict[str, str]) -> tuple[int, str]:
    """Submit a form the current page builds; the status and the text shown."""
    with page.expect_navigation() as navigation:
        page.evaluate(SUBMIT, [action, fields])
    response = navigation.value
    assert response is not None
    return response.status, page.inner_text("body")


def refusals(records: list[Any]) -> list[dict[str, Any]]:
    """The ``secheaders.cross_origin`` lines among log ``records``, as dicts."""
    return [
        json.loads(record.getMessage())
        for record in records
        if record.name == "secheaders.cross_origin"
    ]
