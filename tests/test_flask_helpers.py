"""secheaders_wsgi.flask: init_app, the csp_nonce() Jinja global, the view decorators."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, render_template_string

from secheaders_wsgi import ConfigError, SecureHeaders
from secheaders_wsgi.flask import (
    csp_replace,
    csp_update,
    init_app,
    omit_headers,
    override,
)
from tests.support import csp_of, in_a_server_thread

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
SCRIPT = '<script nonce="{{ csp_nonce() }}"></script>'


def _app(config: Any = CONFIG) -> Flask:
    app = Flask(__name__)
    app.testing = True  # a view's exception reaches the test, not a 500 page
    init_app(app, config)
    app.wsgi_app = in_a_server_thread(app.wsgi_app)  # type: ignore[method-assign]
    return app


def _csp(response: Any) -> dict[str, list[str]]:
    return csp_of(response.headers["Content-Security-Policy"])


def _sync_and_async(body: Callable[[], str]) -> list[Any]:
    """The same view body as a sync and as an async view."""

    def sync_view() -> str:
        return body()

    async def async_view() -> str:
        return body()

    return [
        pytest.param(sync_view, id="sync"),
        pytest.param(async_view, id="async"),
    ]


def _route(app: Flask, view: Callable[..., Any], path: str = "/") -> None:
    app.add_url_rule(path, view.__name__ + path, view)


# init_app


def test_init_app_wraps_wsgi_app_and_keeps_the_flask_object() -> None:
    app = Flask(__name__)
    _route(app, lambda: "hi")

    middleware = init_app(app, CONFIG)

    assert app.wsgi_app is middleware
    assert isinstance(middleware, SecureHeaders)
    assert app.extensions["secheaders_wsgi"] is middleware
    response = app.test_client().get("/")
    assert _csp(response)["frame-ancestors"] == ["'none'"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_init_app_twice_is_refused() -> None:
    app = _app()

    with pytest.raises(RuntimeError, match="already installed on the Flask app"):
        init_app(app, CONFIG)


def test_init_app_after_a_hand_wrap_is_refused() -> None:
    app = Flask(__name__)
    app.wsgi_app = SecureHeaders(app.wsgi_app)  # type: ignore[method-assign]

    with pytest.raises(RuntimeError, match="call init_app\\(\\) once per app"):
        init_app(app)


def test_init_app_with_a_bad_config_leaves_the_app_untouched() -> None:
    app = Flask(__name__)
    before = app.wsgi_app

    with pytest.raises(ConfigError, match="unknown key 'server_secure'"):
        init_app(app, {"server_secure": True})

    assert app.wsgi_app == before
    assert "secheaders_wsgi" not in app.extensions
    assert "csp_nonce" not in app.jinja_env.globals
    init_app(app, CONFIG)  # a fixed config can still be installed


def test_importing_the_package_imports_neither_flask_nor_django() -> None:
    code = (
        "import sys, secheaders_wsgi, secheaders_wsgi.cli\n"
        "print(sorted(m for m in ('flask', 'django') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


# the csp_nonce() Jinja global


def test_template_nonce_is_the_policy_nonce() -> None:
    app = _app()
    _route(app, lambda: render_template_string(SCRIPT))
    _route(app, lambda: render_template_string("<p>no script</p>"), "/plain")
    client = app.test_client()

    first, second = client.get("/"), client.get("/")

    nonce = first.text.split('"')[1]
    assert f"'nonce-{nonce}'" in _csp(first)["script-src"]
    assert second.text.split('"')[1] != nonce
    assert "nonce-" not in client.get("/plain").headers["Content-Security-Policy"]


def test_template_nonce_is_the_same_value_twice_in_one_page() -> None:
    app = _app()
    _route(app, lambda: render_template_string(SCRIPT + SCRIPT))

    page = app.test_client().get("/").text

    assert page.split('"')[1] == page.split('"')[3]


# each decorator alone, sync and async


@pytest.mark.parametrize("view", _sync_and_async(lambda: "embed"))
def test_override_gives_the_named_override(view: Callable[..., Any]) -> None:
    app = _app()
    _route(app, override("embed")(view), "/embed")
    _route(app, lambda: "plain")
    client = app.test_client()

    embed, plain = client.get("/embed"), client.get("/")

    assert embed.text == "embed"
    assert _csp(embed)["frame-ancestors"] == ["https://partner.example"]
    assert "X-Frame-Options" not in embed.headers
    assert _csp(plain)["frame-ancestors"] == ["'none'"]
    assert plain.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("view", _sync_and_async(lambda: "gallery"))
def test_csp_update_adds_sources(view: Callable[..., Any]) -> None:
    app = _app()
    _route(app, csp_update({"img-src": [CDN]})(view), "/gallery")
    _route(app, lambda: "plain")
    client = app.test_client()

    gallery, plain = _csp(client.get("/gallery")), _csp(client.get("/"))

    assert gallery["img-src"] == [*plain["img-src"], CDN]
    assert {k: v for k, v in gallery.items() if k != "img-src"} == {
        k: v for k, v in plain.items() if k != "img-src"
    }


@pytest.mark.parametrize("view", _sync_and_async(lambda: "x"))
def test_csp_replace_replaces_and_drops(view: Callable[..., Any]) -> None:
    app = _app()
    decorate = csp_replace({"img-src": [CDN], "frame-ancestors": None})
    _route(app, decorate(view))

    csp = _csp(app.test_client().get("/"))

    assert csp["img-src"] == [CDN]
    assert "frame-ancestors" not in csp


@pytest.mark.parametrize("view", _sync_and_async(lambda: "x"))
def test_omit_headers_leaves_ours_out(view: Callable[..., Any]) -> None:
    app = _app()
    _route(app, omit_headers("X-Frame-Options", "Referrer-Policy")(view))

    response = app.test_client().get("/")

    assert "X-Frame-Options" not in response.headers
    assert "Referrer-Policy" not in response.headers
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("view", _sync_and_async(lambda: "x"))
def test_csp_update_report_only_changes_the_report_only_policy(
    view: Callable[..., Any],
) -> None:
    config = {
        **CONFIG,
        "csp_report_only_header": {"img-src": "'self'"},
        "csp_report_uri": "/_/csp-reports",
    }
    app = _app(config)
    _route(app, csp_update({"img-src": CDN}, report_only=True)(view))

    response = app.test_client().get("/")

    report_only = csp_of(response.headers["Content-Security-Policy-Report-Only"])
    assert report_only["img-src"] == ["'self'", CDN]
    assert CDN not in response.headers["Content-Security-Policy"]


# stacked


@pytest.mark.parametrize("view", _sync_and_async(lambda: "x"))
def test_all_four_stacked(view: Callable[..., Any]) -> None:
    app = _app()
    decorated = override("embed")(
        csp_update({"img-src": [CDN]})(
            csp_replace({"object-src": ["'none'"]})(
                omit_headers("Referrer-Policy")(view)
            )
        )
    )
    _route(app, decorated)

    response = app.test_client().get("/")

    csp = _csp(response)
    assert csp["frame-ancestors"] == ["https://partner.example"]
    assert csp["img-src"][-1] == CDN
    assert csp["object-src"] == ["'none'"]
    assert "Referrer-Policy" not in response.headers


def test_two_updates_on_one_directive_both_count() -> None:
    app = _app()

    @app.get("/")
    @csp_update({"img-src": [CDN]})
    @csp_update({"img-src": "https://two.example"})
    async def view() -> str:
        return "x"

    csp = _csp(app.test_client().get("/"))

    assert csp["img-src"][-2:] == [CDN, "https://two.example"]


def test_stacked_decorators_apply_top_to_bottom() -> None:
    app = _app()

    @app.get("/replace-last")
    @csp_update({"img-src": [CDN]})
    @csp_replace({"img-src": "'self'"})
    def replace_last() -> str:
        return "x"

    @app.get("/update-last")
    @csp_replace({"img-src": "'self'"})
    @csp_update({"img-src": [CDN]})
    def update_last() -> str:
        return "x"

    client = app.test_client()

    assert _csp(client.get("/replace-last"))["img-src"] == ["'self'"]
    assert _csp(client.get("/update-last"))["img-src"] == ["'self'", CDN]


def test_decorated_views_keep_their_names_as_endpoints() -> None:
    app = _app()

    @app.get("/a")
    @csp_update({"img-src": [CDN]})
    def first() -> str:
        return "a"

    @app.get("/b")
    @csp_update({"img-src": [CDN]})
    def second() -> str:
        return "b"

    assert {"first", "second"} <= set(app.view_functions)
    assert app.test_client().get("/b").text == "b"


def test_sources_given_as_a_generator_serve_every_request() -> None:
    app = _app()
    _route(app, csp_update({"img-src": (s for s in [CDN])})(lambda: "x"))
    client = app.test_client()

    client.get("/")

    assert _csp(client.get("/"))["img-src"][-1] == CDN


def test_a_decorator_does_not_leak_into_other_views() -> None:
    app = _app()
    _route(app, csp_update({"img-src": [CDN]})(lambda: "x"), "/gallery")
    _route(app, lambda: "plain")
    client = app.test_client()

    client.get("/gallery")

    assert CDN not in client.get("/").headers["Content-Security-Policy"]


def test_decorator_with_a_nonce_in_the_same_response() -> None:
    app = _app()

    @app.get("/")
    @csp_update({"script-src": [CDN]})
    def view() -> str:
        return render_template_string(SCRIPT)

    response = app.test_client().get("/")

    nonce = response.text.split('"')[1]
    script = _csp(response)["script-src"]
    assert CDN in script and f"'nonce-{nonce}'" in script


# errors


def test_unknown_override_name_says_did_you_mean() -> None:
    app = _app()
    _route(app, override("embd")(lambda: "x"))

    with pytest.raises(ConfigError, match="Did you mean 'embed'"):
        app.test_client().get("/")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(
            lambda: csp_update({"img-scr": [CDN]}),
            "csp_update.img-scr: 'img-scr' is not a CSP directive. Did you mean 'img-src'?",
            id="misspelt-directive",
        ),
        pytest.param(
            lambda: csp_replace({"img-src": ["self"]}),
            """csp_replace.img-src[0]: 'self' must be quoted as "'self'\"""",
            id="unquoted-keyword",
        ),
        pytest.param(
            lambda: csp_update({"img-src": None}),
            "csp_update.img-src: None is not a value here",
            id="none-in-update",
        ),
        pytest.param(
            lambda: csp_update(["img-src"]),
            "csp_update: ['img-src'] is not a mapping",
            id="update-list",
        ),
        pytest.param(
            lambda: csp_replace({"img-src": 3}),
            "csp_replace.img-src: 3 is not allowed",
            id="replace-int",
        ),
        pytest.param(
            lambda: override(3),
            "override: 3 is not an override name",
            id="override-int",
        ),
        pytest.param(
            lambda: omit_headers("Server", "X Frame"),
            "omit_headers[1]: 'X Frame' is not a header name",
            id="omit-space",
        ),
    ],
)
def test_bad_decorator_arguments_fail_at_import(
    make: Callable[[], Any], message: str
) -> None:
    # Checked like the config, when the decorator is built: the app does not
    # start, rather than its first request failing.
    with pytest.raises(ConfigError, match=re.escape(message)):
        make()


def test_decorated_view_without_init_app_says_to_wrap_the_app() -> None:
    app = Flask(__name__)
    app.testing = True
    _route(app, csp_update({"img-src": [CDN]})(lambda: "x"))

    with pytest.raises(RuntimeError, match="SecureHeaders"):
        app.test_client().get("/")


@pytest.mark.parametrize(
    ("decorator", "message"),
    [
        pytest.param(
            override, r"write @override\(\"embed\"\), not @override", id="override"
        ),
        pytest.param(csp_update, r"write @csp_update\(\{", id="csp_update"),
        pytest.param(csp_replace, r"write @csp_replace\(\{", id="csp_replace"),
        pytest.param(
            omit_headers,
            r"write @omit_headers\(\"X-Frame-Options\"\)",
            id="omit_headers",
        ),
    ],
)
def test_decorator_without_its_arguments_is_refused_at_import(
    decorator: Callable[..., Any], message: str
) -> None:
    def view() -> str:
        return "x"

    with pytest.raises(TypeError, match=message):
        decorator(view)


@pytest.mark.parametrize("decorator", [csp_update, csp_replace])
def test_a_set_of_sources_is_refused_when_the_decorator_is_built(
    decorator: Any,
) -> None:
    # As csp_header refuses one: its order would differ between processes.
    with pytest.raises(
        ConfigError, match=r"img-src: \{'https://a.example'\} is not allowed"
    ):
        decorator({"img-src": {"https://a.example"}})
