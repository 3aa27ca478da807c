"""Every behaviour test runs against both adapters, unless it says why not.

Opt-out, not opt-in: every test of a module under ``tests/`` (the top level,
``tests/config/``, ``tests/policy/``) that builds the middleware (it names
``SecureHeaders`` or ``served``, itself, through a helper of the tests or a
fixture of its module) runs four times: ``[wsgi]`` as written, ``[asgi]``
with ``SecureHeaders`` standing for :func:`tests.asgi_bridge.behind_asgi`,
``[django]`` and ``[django_async]`` with it standing for
:func:`tests.django_bridge.behind_django` and ``behind_django_async``
(Django's ``SecureHeadersMiddleware``, each request through its test
``Client`` or its ``AsyncClient``). :data:`WSGI_ONLY` lists the tests that check what the ASGI
adapter has no counterpart for (WSGI plumbing, Flask), each with why;
:data:`NOT_DJANGO` those that do not run through Django and
:data:`NOT_DJANGO_ASYNC` through its ASGI handler, each with why;
:data:`BOTH_ALREADY` the tests that drive each adapter themselves. ``tests/integration/`` (real
servers) and ``tests/asgi/`` (the ASGI adapter alone) are outside.

The choice is checked while the tests run, not only read from their code: in
those modules a test that builds or calls the WSGI adapter must be ``[wsgi]``
or listed, and an ``[asgi]`` one must not reach it at all (a middleware built
at import, or under another name, would make the ``[asgi]`` run a second WSGI
run that proves nothing).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import secheaders_wsgi.middleware
from tests import asgi_bridge, django_bridge, support

#: The packages whose tests are the contract (module names without the file).
PACKAGES = frozenset({"tests", "tests.config", "tests.policy"})

#: test -> why it does not run against the ASGI adapter. A test is
#: ``module::function``, the module named under ``tests`` (``test_receiver``,
#: ``config.test_pages``); ``module::function[id]`` is one of its parameters
#: (the id without the adapter's); a module alone stands for all its tests.
WSGI_ONLY: dict[str, str] = {
    "test_docs": (
        "runs each code block of the docs as written: a block that wraps a "
        "WSGI app shows the WSGI adapter, the ASGI blocks run the ASGI one"
    ),
    "test_flask_helpers": (
        "Flask is a WSGI framework: init_app wraps app.wsgi_app in the WSGI "
        "SecureHeaders (Quart, its ASGI twin, is in tests/asgi/test_examples.py)"
    ),
    "config.test_pages::test_werkzeugs_debugger_serves_its_page_outside_the_middleware": (
        "werkzeug's DebuggedApplication around a Flask app (flask run --debug): "
        "WSGI by nature"
    ),
    "config.test_pages::test_fastapi_pages_refuse_an_app_that_is_not_fastapi_or_has_no_page": (
        "the message names the wrapped app's type, a WSGI function here (the "
        "bridge's WsgiInAsgi under ASGI); its second half builds the ASGI "
        "adapter around FastAPI itself"
    ),
    "test_wiring::test_secure_headers_around_secure_headers_is_refused": (
        "quotes the WSGI label with the test's own line, which under the "
        "bridge is the bridge's; tests/asgi/test_adapter.py::"
        "test_wrapping_twice_is_refused_at_start_up is the ASGI refusal"
    ),
    "test_wiring::test_wrapping_a_flask_app_whose_wsgi_app_is_wrapped_already_is_refused": (
        "Flask's wsgi_app slot is WSGI by nature; tests/asgi/test_adapter.py::"
        "test_quart_asgi_app_replaced_by_one_around_quart_itself_is_named is "
        "its ASGI twin"
    ),
    "test_wiring::test_the_middleware_around_the_flask_object_it_replaces_fails_clearly": (
        "Flask's wsgi_app slot is WSGI by nature; tests/asgi/test_adapter.py::"
        "test_an_app_that_leads_back_to_the_middleware_is_named_on_first_request "
        "is the ASGI re-entry"
    ),
    "test_wiring::test_the_re_entry_check_survives_a_low_recursion_limit": (
        "the same Flask re-entry, at a recursion limit the bridge's threads "
        "and event loop cannot run under"
    ),
    "test_wsgi_compliance::test_the_apps_iterable_is_returned_as_is_and_closed_once_by_the_server": (
        "PEP 3333: the app's iterable itself comes back (ASGI has body messages)"
    ),
    "test_wsgi_compliance::test_file_wrapper_survives": (
        "PEP 3333: wsgi.file_wrapper has no ASGI counterpart"
    ),
    "test_wsgi_compliance::test_the_write_callable_is_returned_and_writes_reach_the_server": (
        "PEP 3333: start_response's write() callable has no ASGI counterpart"
    ),
    "test_wsgi_compliance::test_exc_info_is_forwarded_positionally": (
        "PEP 3333: start_response's exc_info has no ASGI counterpart"
    ),
    "test_wsgi_compliance::test_exc_info_after_headers_were_sent_reraises_through_the_middleware": (
        "PEP 3333: start_response's exc_info has no ASGI counterpart"
    ),
    "test_wsgi_compliance::test_an_app_that_starts_the_response_lazily_still_gets_our_headers": (
        "PEP 3333: start_response called from inside the app's iterable; "
        "tests/asgi/test_adapter.py::test_messages_after_the_start_pass_as_they_are "
        "is the ASGI message order"
    ),
    "test_wsgi_compliance::test_status_and_body_pass_through_unchanged": (
        "asserts the app's own reason phrase; ASGI's http.response.start "
        "carries only the status code"
    ),
    "test_receiver::test_no_length_is_411_at_once_unless_the_stream_is_terminated": (
        "an ASGI server ends a body it has no length for (chunked), as a WSGI "
        "server that sets wsgi.input_terminated does: the ASGI receiver reads "
        "it within the bound, never 411 (tests/asgi/test_adapter.py)"
    ),
    "test_receiver::test_a_nonsense_content_length_never_reads_past_the_limit[' '-'411']": (
        "the same: a blank Content-Length on a stream that is not terminated "
        "is 411 under WSGI only; under ASGI the body ends, and is read within "
        "the bound (tests/asgi/test_adapter.py)"
    ),
    "test_forged_headers::test_wsgi_no_other_environ_key_changes_the_answer_or_what_the_app_sees": (
        "forges environ keys, which only a WSGI server makes; the bridge would "
        "turn them into header names by PEP 3333's rule, so HTTP_x_forwarded_proto "
        "would arrive as the exact x-forwarded-proto. The ASGI adapter gets "
        "its forged raw names in the same module (test_asgi_*)"
    ),
    "test_stacking::test_a_middleware_that_hides_its_app_is_caught_on_the_first_request": (
        "a WSGI stack, built with the WSGI adapter by name (the bridge rebuilds "
        "the environ between layers); its ASGI twin is test_an_asgi_middleware_"
        "that_hides_its_app_is_caught_on_the_first_request"
    ),
    "test_stacking::test_an_outer_wrap_then_init_app_is_caught_on_the_first_request": (
        "Flask's init_app is WSGI by nature; test_fastapi_add_middleware_plus_an_"
        "outer_wrap_is_caught_on_the_first_request is the ASGI stack found late"
    ),
    "test_view_report_directives::test_the_flask_decorators_are_refused_alike": (
        "Flask's decorators under init_app: WSGI by nature (the Django ones run "
        "on both)"
    ),
    "test_django_middleware::test_under_the_wsgi_wrapper_too_it_refuses_naming_both": (
        "the WSGI wrapper, by name; tests/test_stacking.py::test_djangos_"
        "middleware_under_the_asgi_wrapper_is_caught_on_the_first_request is "
        "the ASGI one"
    ),
    "test_proxies::test_one_proxy_takes_scheme_host_port_and_prefix": (
        "asserts werkzeug's environ keys; tests/asgi/test_adapter.py checks "
        "the scope's scheme, server, Host and root_path"
    ),
}

#: Tests that drive both adapters themselves, each natively: not doubled
#: (keys as in WSGI_ONLY).
BOTH_ALREADY: dict[str, str] = {
    "test_adapter_parity": (
        "the differential test: every example goes through the WSGI adapter "
        "as a WSGI server calls it and the ASGI one as an ASGI server does"
    ),
    **dict.fromkeys(
        (
            "test_testing::test_a_good_page_passes",
            "test_testing::test_a_broken_page_fails_naming_the_problem",
            "test_testing::test_a_header_the_view_leaves_out_on_purpose_can_be_named",
        ),
        "parametrized by the client a user tests with: WebTest and Flask's "
        "test client on the WSGI adapter, httpx and Starlette's TestClient on "
        "the ASGI one, Django's Client and AsyncClient",
    ),
    "test_stacking::test_a_stack_in_view_is_refused_when_the_outer_one_is_built": (
        "its table builds each stack with the adapters it names, WSGI and ASGI "
        "(the bridge rebuilds the environ between layers, which no stack shows)"
    ),
}

_DJANGO_JAR = (
    "Django keeps an app's cookies in its SimpleCookie jar, which spells "
    "them its own way (attribute order and case) and drops one it cannot "
    "parse: the test compares the app's exact spelling. "
    "tests/test_django_middleware.py::test_cookies_stay_in_djangos_jar_hardened "
    "hardens cookies through Django's jar"
)
_DJANGO_STARTS_LATER = (
    "under Django the response starts when the view returns it, not at the "
    "app's start_response (the bridge's): a call in between is in time. "
    "tests/test_django_middleware.py::test_a_call_while_the_body_streams_is_a_runtime_error "
    "is the Django counterpart"
)

#: test -> why it runs on the WSGI and ASGI adapters but not through Django's
#: middleware and test Client (``[django]``), keys as in WSGI_ONLY.
NOT_DJANGO: dict[str, str] = {
    "config.test_keys::test_non_callable_app_is_a_type_error": (
        "Django's middleware takes no app to refuse: Django hands it get_response"
    ),
    "test_cookies::test_app_cookies": _DJANGO_JAR,
    "test_middleware::test_every_set_cookie_is_kept_unchanged_when_not_secured": _DJANGO_JAR,
    "test_middleware::test_server_secured_adds_secure_once_to_every_cookie": _DJANGO_JAR,
    "test_middleware::test_cookie_whose_value_says_secure_still_gets_the_attribute": _DJANGO_JAR,
    "test_middleware::test_secured_cookies_get_secure_once[has-secure-no-space]": _DJANGO_JAR,
    "test_middleware::test_secured_cookies_get_secure_once[lookalike]": _DJANGO_JAR,
    "test_properties::test_set_cookie_keeps_everything_and_gains_secure_once": _DJANGO_JAR,
    "test_owasp::test_owasp_token_strips_every_name_on_the_list_and_nothing_else": (
        "asserts the app's header order with its cookies among them; Django "
        "sends cookies after every other header"
    ),
    "test_nonce::test_first_call_after_start_response_raises": _DJANGO_STARTS_LATER,
    "test_overrides::test_a_call_after_start_response_is_a_runtime_error": _DJANGO_STARTS_LATER,
    "test_hostile_requests::test_hostile_path_never_raises_or_escapes[http-'/\\u2603']": (
        "a PATH_INFO outside latin-1, which no WSGI server sends (PEP 3333): "
        "Django's WSGIRequest cannot encode it before any middleware runs"
    ),
    "test_hostile_requests::test_hostile_path_never_raises_or_escapes[https-'/\\u2603']": (
        "the same path outside latin-1, over https"
    ),
    "test_receiver::test_ten_thousand_reports_keep_memory_flat": (
        "Django's test ClientHandler reconnects close_old_connections on "
        "every request and each connect leaves a weakref.finalize behind "
        "(about 200 B a request, django/dispatch/dispatcher.py:111 under "
        "tracemalloc): the growth is the test client's. The receiver's "
        "memory is measured on the [wsgi] and [asgi] runs"
    ),
}

#: test -> why it runs through Django's test Client but not its AsyncClient
#: (``[django_async]``); NOT_DJANGO leaves out both.
_DJANGO_READS_FIRST = (
    "counts the bytes the receiver reads from the stream: Django's ASGI "
    "handler reads a request's whole body before any middleware runs (docs/"
    "production.md says to wrap asgi.py for that); under Django's WSGI "
    "handler ([django]) the receiver reads the server's stream itself"
)
NOT_DJANGO_ASYNC: dict[str, str] = {
    **dict.fromkeys(
        (
            "test_receiver::test_a_chunked_body_without_length_stops_at_the_limit",
            "test_receiver::test_a_length_of_5000_digits_is_413_without_reading_or_raising",
            "test_receiver::test_a_length_that_is_not_a_number_is_400_without_reading",
            "test_receiver::test_a_nonsense_content_length_never_reads_past_the_limit",
            "test_receiver::test_oversize_on_a_terminated_stream_reads_at_most_max_plus_one",
            "test_receiver::test_oversize_with_content_length_is_413_without_reading",
        ),
        _DJANGO_READS_FIRST,
    ),
    "test_receiver::test_a_client_that_hangs_up_mid_body_gets_400_not_an_exception": (
        "Django's ASGI handler reads the body before any middleware: a client "
        "that hangs up mid-body never reaches the middleware (Django drops "
        "the request)"
    ),
    "test_hostile_requests::test_hostile_query_string_is_kept_inside_the_location['\\xff\\xfe']": (
        "Django's ASGIRequest decodes the query string as UTF-8 before any "
        "middleware runs, and Django's ASGI handler answers 400 for one that "
        "is not"
    ),
}

#: What stands in for ``SecureHeaders`` in each adapter's run.
BRIDGES: dict[str, Callable[..., Any]] = {
    "asgi": asgi_bridge.behind_asgi,
    "django": django_bridge.behind_django,
    "django_async": django_bridge.behind_django_async,
}

_BUILDERS = frozenset({"SecureHeaders", "served"})
# What a helper may be: a function, or a pytest fixture (its own type).
_HELPERS = (types.FunctionType, type(pytest.fixture(lambda: None)))
_WSGI = secheaders_wsgi.middleware.SecureHeaders


def key_of(module: str, function: str) -> str:
    """``config.test_pages::test_x`` for ``tests.config.test_pages``'s test_x."""
    return f"{module.removeprefix('tests.')}::{function}"


def not_doubled(module: str, function: str) -> str | None:
    """Why this test is not run twice (WSGI_ONLY, BOTH_ALREADY), or ``None``."""
    for listed in (WSGI_ONLY, BOTH_ALREADY):
        why = _listed(listed, module, function)
        if why:
            return why
    return None


def _listed(listed: dict[str, str], module: str, function: str) -> str | None:
    return listed.get(key_of(module, function)) or listed.get(
        module.removeprefix("tests.")
    )


def in_contract(module: types.ModuleType) -> bool:
    return module.__name__.rpartition(".")[0] in PACKAGES


def _names(code: types.CodeType) -> Iterator[str]:
    yield from code.co_names
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _names(const)


def _function(helper: Any) -> types.FunctionType | None:
    """The function ``helper`` runs: itself, a hypothesis test's inner test,
    a fixture's wrapped function; ``None`` for anything else."""
    # type(), not isinstance(): a proxy in a module's globals (flask.request)
    # raises on any other look.
    if type(helper) not in _HELPERS:
        return None
    inner = getattr(getattr(helper, "hypothesis", None), "inner_test", None)
    inner = inner or getattr(helper, "__wrapped__", None)  # a pytest fixture
    found = inner or helper
    return found if type(found) is types.FunctionType else None


def builds_middleware(
    function: Any, module: types.ModuleType, fixtures: tuple[str, ...] = ()
) -> bool:
    """Whether ``function`` makes a SecureHeaders: itself, through a helper of
    the tests (its module's or ``tests.support``'s), or through one of
    ``fixtures`` its module defines."""
    seen: set[types.FunctionType] = set()
    todo = [function, *(module.__dict__.get(name) for name in fixtures)]
    while todo:
        found = _function(todo.pop())
        if found is None or found in seen:
            continue
        seen.add(found)
        for name in _names(found.__code__):
            if name in _BUILDERS:
                return True
            helper = found.__globals__.get(name)
            if type(helper) in _HELPERS and helper.__module__.startswith("tests."):
                todo.append(helper)
    return False


def generate(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module
    if not in_contract(module) or not_doubled(
        module.__name__, metafunc.function.__name__
    ):
        return
    if not builds_middleware(metafunc.function, module, tuple(metafunc.fixturenames)):
        return
    # A parameter the function does not take: the autouse fixture below reads it.
    metafunc.fixturenames.append("adapter")
    adapters = ["wsgi", "asgi"]
    function = metafunc.function.__name__
    if not _listed(NOT_DJANGO, module.__name__, function):
        adapters.append("django")
        if not _listed(NOT_DJANGO_ASYNC, module.__name__, function):
            adapters.append("django_async")
    metafunc.parametrize("adapter", adapters)


@pytest.fixture(autouse=True)
def contract_adapter(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The adapter the test runs on: ``wsgi`` (a test not parametrized too) or
    ``asgi``, where ``SecureHeaders`` in the test's module and in support is
    :func:`tests.asgi_bridge.behind_asgi`.

    In the contract's modules, a test that is neither ``[wsgi]`` nor in
    :data:`WSGI_ONLY` fails if it built or called the WSGI adapter.
    """
    callspec = getattr(request.node, "callspec", None)
    # None: the test is not parametrized by adapter (WSGI, as written).
    adapter: str | None = callspec.params.get("adapter") if callspec else None
    module = getattr(request.node, "module", None)  # a doctest has none
    bridge = BRIDGES.get(adapter or "wsgi")
    if bridge is not None:
        monkeypatch.setattr(support, "SecureHeaders", bridge)
        if hasattr(module, "SecureHeaders"):
            monkeypatch.setattr(module, "SecureHeaders", bridge)
    function = getattr(request.node, "originalname", request.node.name)
    if (
        adapter == "wsgi"
        or module is None
        or not in_contract(module)
        or not_doubled(module.__name__, function)
    ):
        yield adapter or "wsgi"
        return
    reached = [0]
    # Built: every WSGI SecureHeaders checks its app with refuse_misuse first.
    # (Not a wrapper of __init__: a frame of ours there would be the line its
    # label and its warnings name, the first frame outside the package.)
    wsgi_module = secheaders_wsgi.middleware
    monkeypatch.setattr(
        wsgi_module, "refuse_misuse", _counted(wsgi_module.refuse_misuse, reached)
    )
    monkeypatch.setattr(_WSGI, "__call__", _counted(_WSGI.__call__, reached))
    yield adapter or "wsgi"
    if not reached[0]:
        return
    if bridge is not None:
        pytest.fail(
            f"[{adapter}] built or called the WSGI adapter {reached[0]} time(s): the "
            "test reaches a SecureHeaders the bridge cannot stand in for (built "
            "at import, or under another name); build it in the test"
        )
    pytest.fail(
        f"{key_of(module.__name__, function)} builds or calls the WSGI adapter "
        "but runs on WSGI only: build the middleware through SecureHeaders or "
        "served() so it runs on both adapters, or list it in "
        "tests/asgi_contract.py's WSGI_ONLY with why"
    )


def deselect(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the ``[asgi]`` and ``[django]`` runs of a parameter
    :data:`WSGI_ONLY` names, and the ``[django]`` one of a parameter
    :data:`NOT_DJANGO` names: ``module::function[id]``, the id as the
    ``[wsgi]`` run's without ``wsgi``."""
    cases = {
        "asgi": {key for key in WSGI_ONLY if key.endswith("]")},
        "django": {key for key in (*WSGI_ONLY, *NOT_DJANGO) if key.endswith("]")},
        "django_async": {
            key
            for key in (*WSGI_ONLY, *NOT_DJANGO, *NOT_DJANGO_ASYNC)
            if key.endswith("]")
        },
    }
    dropped = [
        item
        for item in items
        if (found := _case(item)) is not None and found[1] in cases[found[0]]
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


def _case(item: pytest.Item) -> tuple[str, str] | None:
    """The bridged adapter an item runs on and its key with the parameter."""
    callspec = getattr(item, "callspec", None)
    adapter = callspec.params.get("adapter") if callspec else None
    if adapter not in BRIDGES:
        return None
    parts = callspec.id.split("-")
    parts.remove(adapter)
    function = getattr(item, "originalname", item.name)
    module = getattr(item, "module", None)
    name = module.__name__ if module is not None else ""
    return adapter, f"{key_of(name, function)}[{'-'.join(parts)}]"


def _counted(function: Callable[..., Any], reached: list[int]) -> Callable[..., Any]:
    def counted(*args: Any, **kwargs: Any) -> Any:
        reached[0] += 1
        return function(*args, **kwargs)

    return counted
