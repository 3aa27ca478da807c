"""Per-request CSP nonces: lazy, unique, only in the header when used; the documented
template recipes (Jinja in Flask, Django templates)."""

from __future__ import annotations

import base64
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any
from wsgiref.validate import validator

import pytest
from flask import Flask, render_template_string, request
from webtest import TestApp

from secheaders_wsgi import SecureHeaders, SecurityWarning, csp_nonce, load_config
from secheaders_wsgi import response as nonce_module
from secheaders_wsgi.policy import headers
from tests.support import (
    RecordingApp,
    RecordingStartResponse,
    csp_of,
    environ_for,
    served,
    values,
)

STRICT_INLINE = {"csp_unsafe_inline": False}


def test_environ_carries_a_callable_that_returns_one_value_per_request() -> None:
    seen: list[str] = []

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        make = environ["secheaders.csp_nonce"]
        seen.extend([make(), make(), csp_nonce(environ)])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b""]

    TestApp(SecureHeaders(app, STRICT_INLINE)).get("/")
    assert len(set(seen)) == 1


def test_nonce_is_base64url_of_at_least_128_bits() -> None:
    value = served(STRICT_INLINE, nonce=True).get("/").text
    assert re.fullmatch(r"[A-Za-z0-9_-]+", value)
    assert len(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))) >= 16


def test_each_request_gets_a_new_nonce() -> None:
    app = served(STRICT_INLINE, nonce=True)
    assert len({app.get("/").text for _ in range(20)}) == 20


def test_used_nonce_goes_into_script_src_and_style_src() -> None:
    response = served(STRICT_INLINE, nonce=True).get("/")
    policy = csp_of(response.headers["Content-Security-Policy"])
    source = f"'nonce-{response.text}'"
    assert policy["script-src"] == ["'self'", "'unsafe-eval'", source]
    assert policy["style-src"] == ["'self'", "'unsafe-eval'", source]
    assert [k for k, v in policy.items() if source in v] == ["script-src", "style-src"]


@pytest.mark.parametrize(
    "config",
    [
        pytest.param({}, id="defaults"),
        pytest.param(STRICT_INLINE, id="unsafe-inline-off"),
        pytest.param({"preset": "strict", "server_secured": True}, id="strict"),
        pytest.param(
            {
                "csp_report_only_header": {"default-src": "'self'"},
                "csp_report_uri": "/csp",
                **STRICT_INLINE,
            },
            id="trial-policy",
        ),
    ],
)
def test_response_without_nonce_carries_exactly_the_precomputed_headers(
    config: dict[str, Any],
) -> None:
    response = served(config).get("/")
    https = bool(config.get("server_secured"))
    expected = headers(load_config(config), https=https)
    assert response.headerlist[1:-1] == list(expected)  # Content-Type ... Length
    assert "Cache-Control" not in response.headers


def test_a_request_that_never_asks_draws_no_random_bytes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(nbytes: int) -> str:
        raise AssertionError("a nonce was made for a request that did not ask")

    monkeypatch.setattr(nonce_module.secrets, "token_urlsafe", refuse)
    response = served(STRICT_INLINE).get("/")
    assert "nonce-" not in response.headers["Content-Security-Policy"]


def test_the_nonce_is_drawn_from_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[int] = []

    def token_urlsafe(nbytes: int) -> str:
        drawn.append(nbytes)
        return "SENTINEL"

    monkeypatch.setattr(nonce_module.secrets, "token_urlsafe", token_urlsafe)
    response = served(STRICT_INLINE, nonce=True).get("/")
    assert "'nonce-SENTINEL'" in response.headers["Content-Security-Policy"]
    assert drawn == [18]  # 144 bits


def test_two_concurrent_requests_never_share_a_nonce() -> None:
    # Both requests are in flight at once: each made its nonce before either
    # has sent its headers.
    both_made = threading.Barrier(2, timeout=5)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        value = csp_nonce(environ)
        both_made.wait()
        start_response("200 OK", [("Content-Type", "text/html")])
        return [value.encode()]

    wrapped = SecureHeaders(app, STRICT_INLINE)
    results: list[tuple[str, str]] = []

    def run() -> None:
        recorder = RecordingStartResponse()
        body = b"".join(wrapped(environ_for(), recorder)).decode()
        results.append((body, recorder.get("Content-Security-Policy")[0]))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 2
    (body_a, csp_a), (body_b, csp_b) = results
    assert body_a != body_b
    assert f"'nonce-{body_a}'" in csp_a and body_b not in csp_a
    assert f"'nonce-{body_b}'" in csp_b and body_a not in csp_b


@pytest.mark.parametrize(
    ("directives", "nonced"),
    [
        pytest.param(["script-src"], ["script-src"], id="script-only"),
        pytest.param(["style-src"], ["style-src"], id="style-only"),
        pytest.param([], [], id="none"),
        pytest.param(
            ["script-src-elem", "style-src"],
            ["style-src", "script-src-elem"],
            id="elem-derived-from-script-src",
        ),
    ],
)
def test_csp_nonce_directives_choose_where_the_nonce_goes(
    directives: list[str], nonced: list[str]
) -> None:
    config = {**STRICT_INLINE, "csp_nonce_directives": directives}
    response = (
        _get_unused_nonce(config) if not nonced else served(config, nonce=True).get("/")
    )
    policy = csp_of(response.headers["Content-Security-Policy"])
    source = f"'nonce-{response.text}'"
    assert [k for k, v in policy.items() if source in v] == nonced
    if "script-src-elem" in nonced:
        # derived from script-src, so it allows no less than before
        assert policy["script-src-elem"] == [*policy["script-src"], source]


def test_nonce_directives_empty_means_header_and_cache_unchanged() -> None:
    config = {**STRICT_INLINE, "csp_nonce_directives": []}
    response = _get_unused_nonce(config)
    assert (
        response.headers["Content-Security-Policy"]
        == dict(headers(load_config(config), https=False))["Content-Security-Policy"]
    )
    assert "Cache-Control" not in response.headers


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        pytest.param(
            {"default-src": "'self'"},
            {"script-src": ["'self'", "N"], "style-src": ["'self'", "N"]},
            id="derived-from-default-src",
        ),
        pytest.param(
            {"default-src": "'none'", "img-src": "'self'"},
            {"script-src": ["N"], "style-src": ["N"]},
            id="none-dropped-beside-nonce",
        ),
        pytest.param(
            {"img-src": "'self'"},
            {},
            id="no-script-or-default-src-no-nonce",
        ),
        pytest.param(
            {"script-src": "'self' 'unsafe-inline'", "style-src": "'self'"},
            {"style-src": ["'self'", "N"]},
            id="explicit-unsafe-inline-keeps-no-nonce",
        ),
    ],
)
def test_nonce_in_custom_policies(
    policy: dict[str, str], expected: dict[str, list[str]]
) -> None:
    config = {
        "csp_header": policy,
        "csp_unsafe_inline": False,
        "csp_unsafe_eval": False,
    }
    if expected:
        response = served(config, nonce=True).get("/")
    else:
        response = _get_unused_nonce(config)
    parsed = csp_of(response.headers["Content-Security-Policy"])
    source = f"'nonce-{response.text}'"
    got = {k: ["N" if s == source else s for s in v] for k, v in parsed.items()}
    assert {k: v for k, v in got.items() if "N" in v} == expected
    # directives the nonce does not touch are sent as configured
    for name in policy:
        if name not in expected:
            assert parsed[name] == policy[name].split()


@pytest.mark.parametrize(
    "config",
    [
        pytest.param({}, id="csp_unsafe_inline-default-true"),
        pytest.param({"csp_unsafe_inline": True}, id="csp_unsafe_inline-true"),
        pytest.param({"csp_unsafe_inline": False, "debug": True}, id="debug"),
    ],
)
def test_no_nonce_in_header_while_unsafe_inline_is_in_force(
    config: dict[str, Any],
) -> None:
    response = _get_unused_nonce(config)
    assert response.text  # the callable still returns a value
    value = response.headers["Content-Security-Policy"]
    assert "nonce-" not in value
    assert "'unsafe-inline'" in csp_of(value)["script-src"]
    assert (
        value
        == dict(headers(load_config(config), https=False))["Content-Security-Policy"]
    )
    assert "Cache-Control" not in response.headers


def _get_unused_nonce(config: dict[str, Any]) -> Any:
    """A response whose app made a nonce its policy cannot use: it warns."""
    with pytest.warns(SecurityWarning, match="takes no nonce") as caught:
        response = served(config, nonce=True).get("/")
    assert len(caught) == 1
    return response


def test_a_nonce_the_policy_cannot_use_warns_once_per_plan_naming_it() -> None:
    config = {"paths": [{"prefix": "/blog/", "csp_unsafe_inline": True}]}
    app = served({**STRICT_INLINE, **config}, nonce=True)
    app.get("/")  # the top level takes the nonce: silent
    with pytest.warns(SecurityWarning) as caught:
        for _ in range(3):
            app.get("/blog/x")
    assert len(caught) == 1  # once per plan, never per request
    assert str(caught[0].message) == (
        "csp_nonce() was used on a response under paths rule '/blog/', whose "
        "Content-Security-Policy takes no nonce ('unsafe-inline' is in force "
        "there, or no script-src/style-src to put it in), so the nonce "
        "protects nothing. Set csp_unsafe_inline: false for paths rule '/blog/' "
        "(or preset: strict) so the policy uses it, or stop asking for a nonce "
        "there"
    )


def test_no_warning_for_a_nonce_without_any_policy() -> None:
    # No CSP at all: the nonce misleads nobody into thinking it protects.
    served({"csp_header": False}, nonce=True).get("/")


def test_first_call_after_start_response_raises() -> None:
    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html")])
        return [csp_nonce(environ).encode()]

    with pytest.raises(RuntimeError, match=r"asked for after start_response"):
        SecureHeaders(app, STRICT_INLINE)(environ_for(), RecordingStartResponse())


def test_nonce_made_before_start_response_keeps_returning_while_streaming() -> None:
    def app(
        environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterator[bytes]:
        first = csp_nonce(environ)
        start_response("200 OK", [("Content-Type", "text/html")])
        yield first.encode()
        yield b"|" + csp_nonce(environ).encode()  # after the headers left

    recorder = RecordingStartResponse()
    body = b"".join(SecureHeaders(app, STRICT_INLINE)(environ_for(), recorder))
    first, second = body.decode().split("|")
    assert first == second
    assert f"'nonce-{first}'" in recorder.get("Content-Security-Policy")[0]


def test_nonce_used_inside_a_lazy_generator_before_start_response() -> None:
    def app(
        environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterator[bytes]:
        value = csp_nonce(environ)
        start_response("200 OK", [("Content-Type", "text/html")])
        yield value.encode()

    response = TestApp(SecureHeaders(app, STRICT_INLINE)).get("/")
    assert f"'nonce-{response.text}'" in response.headers["Content-Security-Policy"]


def test_csp_nonce_without_the_middleware_is_a_clear_error() -> None:
    with pytest.raises(RuntimeError, match=r"wrap the application in"):
        csp_nonce({})


def test_nonce_is_in_environ_even_without_csp() -> None:
    response = served({"csp_header": False}, nonce=True).get("/")
    assert response.text
    assert "Content-Security-Policy" not in response.headers
    assert "Cache-Control" not in response.headers


# -- Cache-Control on nonced responses


@pytest.mark.parametrize(
    ("config", "app_headers", "expected"),
    [
        pytest.param({}, [], ["private"], id="default-private"),
        pytest.param(
            {"csp_nonce_cache_control": "no-store"}, [], ["no-store"], id="configured"
        ),
        pytest.param({"csp_nonce_cache_control": False}, [], [], id="off"),
        pytest.param(
            {},
            [("cache-control", "public, max-age=60")],
            ["public, max-age=60"],
            id="app-set-wins",
        ),
        pytest.param(
            {},
            [("Content-Security-Policy", "default-src 'self'")],
            [],
            id="app-set-csp-carries-no-nonce-of-ours",
        ),
    ],
)
def test_cache_control_on_nonced_responses(
    config: dict[str, Any], app_headers: list[tuple[str, str]], expected: list[str]
) -> None:
    app_headers = [("Content-Type", "text/html"), *app_headers]
    response = served({**STRICT_INLINE, **config}, headers=app_headers, nonce=True).get(
        "/"
    )
    assert values(response, "Cache-Control") == expected


def test_no_cache_control_when_the_nonce_was_not_used() -> None:
    response = served(STRICT_INLINE).get("/")
    assert "Cache-Control" not in response.headers


def test_cache_control_when_only_the_trial_policy_carries_the_nonce() -> None:
    config = {  # the enforced policy keeps 'unsafe-inline'
        "csp_report_only_header": {"script-src": "'self'"},
        "csp_report_path": "/csp",
    }
    response = served(config, nonce=True).get("/")
    trial = response.headers["Content-Security-Policy-Report-Only"]
    assert f"'nonce-{response.text}'" in trial
    assert "nonce-" not in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "private"


def test_nonced_responses_pass_wsgi_validators_on_both_sides() -> None:
    inner = validator(RecordingApp(nonce=True))
    app = TestApp(validator(SecureHeaders(inner, STRICT_INLINE)))
    response = app.get("/")
    assert f"'nonce-{response.text}'" in response.headers["Content-Security-Policy"]


def test_a_removed_app_csp_does_not_cancel_cache_control() -> None:
    # Regression: remove_headers drops the app's CSP, so ours (with the nonce)
    # goes out, and a shared cache must not replay it.
    app_csp = [("Content-Type", "text/html"), ("Content-Security-Policy", "x")]
    config = {**STRICT_INLINE, "remove_headers": ["Content-Security-Policy"]}
    response = served(config, headers=app_csp, nonce=True).get("/")
    [csp] = values(response, "Content-Security-Policy")
    assert "'nonce-" in csp
    assert values(response, "Cache-Control") == ["private"]


# Template recipes


def test_flask_jinja_context_processor_recipe() -> None:
    app = Flask(__name__)
    app.wsgi_app = SecureHeaders(app.wsgi_app, {"preset": "strict"})  # type: ignore[method-assign]

    @app.context_processor
    def nonce() -> dict[str, Any]:
        return {"csp_nonce": lambda: csp_nonce(request.environ)}

    @app.route("/")
    def page() -> str:
        return render_template_string('<script nonce="{{ csp_nonce() }}"></script>')

    @app.route("/plain")
    def plain() -> str:
        return render_template_string("<p>no script</p>")

    client = TestApp(app)
    response = client.get("/")
    value = response.text.split('"')[1]
    script = csp_of(response.headers["Content-Security-Policy"])["script-src"]
    assert script == ["'self'", "'strict-dynamic'", f"'nonce-{value}'"]
    assert "nonce-" not in client.get("/plain").headers["Content-Security-Policy"]


def test_django_template_calls_the_nonce_only_when_used() -> None:
    from django.template import Context, Engine

    engine = Engine()
    environ: dict[str, Any] = {}

    def app(env: dict[str, Any], start_response: Any) -> list[bytes]:
        environ.update(env)
        # what the documented context processor puts in the context
        context = Context({"csp_nonce": env["secheaders.csp_nonce"]})
        template = env["PATH_INFO"] == "/" and '<script nonce="{{ csp_nonce }}">'
        body = engine.from_string(template or "<p>no script</p>").render(context)
        start_response("200 OK", [("Content-Type", "text/html")])
        return [body.encode()]

    client = TestApp(SecureHeaders(app, {"csp_unsafe_inline": False}))
    response = client.get("/")
    value = response.text.split('"')[1]
    assert value == environ["secheaders.csp_nonce"]()
    assert f"'nonce-{value}'" in response.headers["Content-Security-Policy"]
    assert "nonce-" not in client.get("/plain").headers["Content-Security-Policy"]
