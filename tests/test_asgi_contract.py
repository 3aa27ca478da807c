"""tests/asgi_contract.py: which tests run on both adapters, and its lists."""

from __future__ import annotations

import ast
import types
from pathlib import Path
from typing import Any

import pytest

from tests.asgi_contract import (
    BOTH_ALREADY,
    NOT_DJANGO,
    NOT_DJANGO_ASYNC,
    WSGI_ONLY,
    builds_middleware,
)

TESTS = Path(__file__).parent


LISTS = WSGI_ONLY | BOTH_ALREADY | NOT_DJANGO | NOT_DJANGO_ASYNC


@pytest.mark.parametrize("key", list(LISTS))
def test_every_listed_test_exists_and_says_why(key: str) -> None:
    # A renamed test would leave its entry behind, doing nothing. Read, not
    # imported: a module may build a middleware at import.
    module, _, function = key.partition("::")
    source = TESTS.joinpath(*module.split(".")).with_suffix(".py").read_text()
    defined = {
        node.name
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef)
    }
    if function:
        assert function.partition("[")[0] in defined, key
    assert len(LISTS[key]) > 20


def module_of(source: str) -> types.ModuleType:
    """A test module made of ``source``, as pytest would import it."""
    module = types.ModuleType("tests.test_made_up")
    exec(compile(source, "test_made_up.py", "exec"), module.__dict__)
    for value in module.__dict__.values():
        if isinstance(value, types.FunctionType):
            value.__module__ = module.__name__
    return module


MADE_UP = module_of(
    """
import pytest
from hypothesis import given, strategies as st
from tests.support import assert_refused, header_value

def SecureHeaders(*args): ...
def build(): return SecureHeaders(None)
def indirect(): return build()

@pytest.fixture
def client(): return build()

def test_direct(): SecureHeaders(None)
def test_through_helpers(): indirect()
def test_through_a_fixture(client): pass
def test_through_support(tmp_path): assert_refused({}, "", tmp_path)
@given(st.none())
def test_hypothesis(value): build()
def test_policy_only(): header_value({}, "X-Frame-Options")
"""
)


@pytest.mark.parametrize(
    ("name", "fixtures", "builds"),
    [
        ("test_direct", (), True),
        ("test_through_helpers", (), True),
        ("test_through_a_fixture", ("client",), True),
        ("test_through_support", ("tmp_path",), True),
        ("test_hypothesis", (), True),
        ("test_policy_only", (), False),
    ],
)
def test_a_test_that_builds_the_middleware_is_found(
    name: str, fixtures: tuple[str, ...], builds: bool
) -> None:
    assert builds_middleware(MADE_UP.__dict__[name], MADE_UP, fixtures) is builds


def test_a_proxy_in_a_modules_globals_is_never_touched() -> None:
    # flask.request raises on any look outside a request: only type() is safe.
    class Proxy:
        def __getattribute__(self, attribute: str) -> Any:
            raise RuntimeError("working outside of request context")

    module = module_of("def test_proxy(): request.path")
    module.__dict__["request"] = Proxy()
    assert builds_middleware(module.__dict__["test_proxy"], module) is False


def test_the_django_run_goes_through_djangos_client_and_our_middleware(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.test import Client
    from webtest import TestApp

    from secheaders_wsgi.django import SecureHeadersMiddleware
    from tests.django_bridge import behind_django

    finished: list[Any] = []
    finish = SecureHeadersMiddleware._finish

    def counted(self: Any, request: Any, response: Any) -> Any:
        finished.append(request)
        return finish(self, request, response)

    monkeypatch.setattr(SecureHeadersMiddleware, "_finish", counted)

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [environ["PATH_INFO"].encode("latin-1")]

    bridged = behind_django(app, {"preset": "strict", "server_secured": True})
    response = TestApp(bridged).get("/caf%C3%A9/")
    assert isinstance(bridged.client, Client)
    assert [r.path for r in finished] == ["/café/"]  # a Django request
    assert "'strict-dynamic'" in response.headers["Content-Security-Policy"]
    assert response.body == "/café/".encode()  # PATH_INFO as the app got it
