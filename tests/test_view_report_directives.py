"""A view cannot add a report directive where the config sets the endpoint.

Issue 19: ``update_csp`` / ``replace_csp`` took ``report-uri`` and
``report-to`` although the config refuses them in ``csp_header`` once
``csp_report_uri`` or ``csp_report_path`` is set; the header got two report
directives and the view's endpoint won. The call is refused with the config's
message, under both adapters and through the Flask and Django decorators,
whichever comes first: the change, or an override that sets the endpoint.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from typing import Any

import pytest
from webtest import TestApp

from secheaders_wsgi import (
    ConfigError,
    SecureHeaders,
    load_config,
    replace_csp,
    update_csp,
    use_override,
)
from tests.support import csp_of

BASE = {"csp_unsafe_inline": False, "csp_unsafe_eval": False}
ENDPOINTS = [
    pytest.param({"csp_report_uri": "/r"}, id="report_uri"),
    pytest.param({"csp_report_path": "/_/csp-reports"}, id="report_path"),
]
DIRECTIVES = ["report-uri", "report-to"]
CALLS: dict[str, Callable[..., None]] = {
    "update_csp": update_csp,
    "replace_csp": replace_csp,
}


def config_message(endpoint: dict[str, Any], directive: str, where: str) -> str:
    """What the config says of ``directive`` in its own policy, said of ``where``."""
    policy = {"default-src": "'self'", directive: "/mine"}
    with pytest.raises(ConfigError) as raised:
        load_config({**BASE, **endpoint, "csp_header": policy})
    message = str(raised.value)
    assert message.startswith(f"csp_header.{directive}: ")
    return where + message.removeprefix("csp_header")


def view_app(view: Callable[[dict[str, Any]], None]) -> Callable[..., Any]:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        view(environ)
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<p>hi</p>"]

    return app


def response_to(config: dict[str, Any], view: Callable[[dict[str, Any]], None]) -> Any:
    return TestApp(SecureHeaders(view_app(view), config)).get("/")


@pytest.mark.parametrize("report_only", [False, True])
@pytest.mark.parametrize("directive", DIRECTIVES)
@pytest.mark.parametrize("call", list(CALLS))
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_a_views_report_directive_is_refused_with_the_configs_message(
    endpoint: dict[str, Any], call: str, directive: str, report_only: bool
) -> None:
    config = {**BASE, **endpoint, "csp_report_only_header": {"default-src": "'self'"}}
    change = {directive: ["/mine"]}
    message = config_message(endpoint, directive, call)
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        response_to(config, lambda e: CALLS[call](e, change, report_only=report_only))


@pytest.mark.parametrize("directive", DIRECTIVES)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_an_override_that_sets_the_endpoint_refuses_the_change_in_either_order(
    endpoint: dict[str, Any], directive: str
) -> None:
    config = {**BASE, "overrides": {"reporting": endpoint}}
    if "csp_report_path" in endpoint:
        # The receiver is site-wide: only the top level may set its path.
        config = {**BASE, **endpoint}
        config["overrides"] = {"plain": {"referrer_policy": "no-referrer"}}
        name = "plain"
    else:
        name = "reporting"
    message = config_message(endpoint, directive, "update_csp")
    change = {directive: ["/mine"]}

    def change_first(environ: dict[str, Any]) -> None:
        update_csp(environ, change)
        use_override(environ, name)

    def override_first(environ: dict[str, Any]) -> None:
        use_override(environ, name)
        update_csp(environ, change)

    for view in (change_first, override_first):
        with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
            response_to(config, view)


def test_a_path_rule_that_sets_the_endpoint_refuses_the_change() -> None:
    config = {**BASE, "paths": [{"prefix": "/", "csp_report_uri": "/rule"}]}
    message = config_message({"csp_report_uri": "/r"}, "report-uri", "update_csp")
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        response_to(config, lambda e: update_csp(e, {"report-uri": "/mine"}))


def test_without_an_endpoint_a_view_may_set_its_own() -> None:
    response = response_to(BASE, lambda e: update_csp(e, {"report-uri": "/mine"}))
    policy = csp_of(response.headers["Content-Security-Policy"])
    assert policy["report-uri"] == ["/mine"]


def test_an_override_without_an_endpoint_keeps_the_views_own() -> None:
    config = {**BASE, "overrides": {"plain": {"referrer_policy": "no-referrer"}}}

    def view(environ: dict[str, Any]) -> None:
        update_csp(environ, {"report-uri": "/mine"})
        use_override(environ, "plain")

    policy = csp_of(response_to(config, view).headers["Content-Security-Policy"])
    assert policy["report-uri"] == ["/mine"]


# The decorators make the same calls: the same refusal, when the view runs.


def test_the_flask_decorators_are_refused_alike() -> None:
    import flask

    from secheaders_wsgi.flask import csp_replace, csp_update, init_app

    app = flask.Flask(__name__)
    app.testing = True  # the ConfigError propagates, not a 500 page
    init_app(app, {**BASE, "csp_report_uri": "/r"})

    @app.get("/update")
    @csp_update({"report-uri": ["/mine"]})
    def updated() -> str:
        return "never"

    @app.get("/replace")
    @csp_replace({"report-to": "mine"})
    def replaced() -> str:
        return "never"

    client = TestApp(app)
    for path, call, directive in (
        ("/update", "update_csp", "report-uri"),
        ("/replace", "replace_csp", "report-to"),
    ):
        message = config_message({"csp_report_uri": "/r"}, directive, call)
        with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
            client.get(path)


def test_the_django_decorators_are_refused_alike() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "examples.django_project.settings")
    import django
    from django.http import HttpRequest, HttpResponse

    from secheaders_wsgi.django import csp_update

    django.setup()

    @csp_update({"report-to": "mine"})
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("never")

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        request = HttpRequest()
        request.META = environ
        view(request)
        start_response("200 OK", [])
        return [b"never"]

    message = config_message({"csp_report_path": "/r"}, "report-to", "update_csp")
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        TestApp(SecureHeaders(app, {**BASE, "csp_report_path": "/r"})).get("/")
