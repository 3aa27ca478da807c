"""Which WSGI tests are the contract the ASGI adapter keeps too, and how.

Every test in :data:`MODULES` that builds the middleware (it names
``SecureHeaders`` or ``served``, itself or through a helper of its module) runs
twice: ``[wsgi]`` as written, ``[asgi]`` with ``SecureHeaders`` standing for
:func:`tests.asgi_bridge.behind_asgi`. :data:`WSGI_ONLY` lists the tests that
check WSGI plumbing the ASGI adapter has no counterpart for, each with why.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

from tests import asgi_bridge, support

#: The behaviour tests: defaults, secured, custom policies, nonce, report-only,
#: receiver, redirect, proxies, cookies, path rules.
MODULES = frozenset(
    {
        "tests.test_middleware",
        "tests.test_nonce",
        "tests.test_receiver",
        "tests.test_cross_origin",
        "tests.test_report_sinks",
        "tests.test_report_otlp",
        "tests.test_redirect",
        "tests.test_proxies",
        "tests.test_cookies",
        "tests.test_paths",
        "tests.test_hostile_requests",
        "tests.test_forged_headers",
        "tests.test_variant_caches",
        "tests.test_stacking",
        "tests.test_view_report_directives",
        "tests.test_properties",
        "tests.test_owasp",
        "tests.test_overrides",
        "tests.policy.test_csp",
        "tests.policy.test_headers",
        "tests.policy.test_hsts",
        "tests.policy.test_referrer",
        "tests.policy.test_reporting",
        "tests.policy.test_isolation_reporting",
        "tests.config.test_presets",
        "tests.config.test_load",
    }
)

#: test module::function -> why it does not run against the ASGI adapter.
WSGI_ONLY: dict[str, str] = {
    "test_receiver::test_no_length_is_411_at_once_unless_the_stream_is_terminated": (
        "an ASGI server ends a body it has no length for (chunked), as a WSGI "
        "server that sets wsgi.input_terminated does: the ASGI receiver reads "
        "it within the bound, never 411 (tests/asgi/test_adapter.py)"
    ),
    "test_forged_headers::test_wsgi_no_other_environ_key_changes_the_answer_or_what_the_app_sees": (
        "forges environ keys, which only a WSGI server makes; the bridge would "
        "turn them into header names by PEP 3333's rule, so HTTP_x_forwarded_proto "
        "would arrive as the exact x-forwarded-proto. The ASGI adapter gets "
        "its forged raw names in the same module (test_asgi_*)"
    ),
    "test_proxies::test_one_proxy_takes_scheme_host_port_and_prefix": (
        "asserts werkzeug's environ keys; tests/asgi/test_adapter.py checks "
        "the scope's scheme, server, Host and root_path"
    ),
}

_BUILDERS = frozenset({"SecureHeaders", "served"})


def _names(code: types.CodeType) -> Iterator[str]:
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _names(const)


def builds_middleware(function: Any, module: types.ModuleType) -> bool:
    """Whether ``function`` makes a SecureHeaders, itself or through a helper."""
    seen: set[str] = set()
    todo = [function]
    while todo:
        code = getattr(todo.pop(), "__code__", None)
        if code is None:
            continue
        for name in _names(code):
            if name in _BUILDERS:
                return True
            helper = module.__dict__.get(name)
            if (
                name not in seen
                and isinstance(helper, types.FunctionType)
                and helper.__module__ == module.__name__
            ):
                seen.add(name)
                todo.append(helper)
    return False


def generate(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module
    if module.__name__ not in MODULES:
        return
    key = f"{module.__name__.rsplit('.', 1)[-1]}::{metafunc.function.__name__}"
    if key in WSGI_ONLY or not builds_middleware(metafunc.function, module):
        return
    # A parameter the function does not take: the autouse fixture below reads it.
    metafunc.fixturenames.append("adapter")
    metafunc.parametrize("adapter", ["wsgi", "asgi"])


@pytest.fixture(autouse=True)
def contract_adapter(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> str:
    """``asgi``: ``SecureHeaders`` in the test's module and in support is the ASGI one."""
    callspec = getattr(request.node, "callspec", None)
    name: str = callspec.params.get("adapter", "wsgi") if callspec else "wsgi"
    if name == "asgi":
        monkeypatch.setattr(support, "SecureHeaders", asgi_bridge.behind_asgi)
        module = sys.modules[request.node.module.__name__]
        if hasattr(module, "SecureHeaders"):
            monkeypatch.setattr(module, "SecureHeaders", asgi_bridge.behind_asgi)
    return name
