"""tests/asgi_contract.py: which tests run on both adapters, and its lists."""

from __future__ import annotations

import ast
import types
from pathlib import Path
from typing import Any

import pytest

from tests.asgi_contract import BOTH_ALREADY, WSGI_ONLY, builds_middleware

TESTS = Path(__file__).parent


@pytest.mark.parametrize("key", [*WSGI_ONLY, *BOTH_ALREADY])
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
    assert len((WSGI_ONLY | BOTH_ALREADY)[key]) > 20


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
