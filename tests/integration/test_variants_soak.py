"""Soak: override stacks and CSP changes past every cache bound, in order and
from threads; every response equals its headers computed from scratch
(tests/variant_model.py), on both adapters.

Issue 19: after 1,100 requests with varying override stacks, a response under
``locked`` was sent another override's ``frame-ancestors`` and no
X-Frame-Options (a changed side cached under the ``id()`` of a plan built per
request, and the id reused). tests/test_variant_caches.py has the fast cases.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from secheaders_wsgi import SecureHeaders, variants
from tests.asgi_bridge import behind_asgi
from tests.integration.soak_support import all_finished
from tests.support import csp_of
from tests.test_variant_caches import call, requests
from tests.variant_model import CONFIG, OVERRIDES, PATHS, app, expected, ours

ADAPTERS = [
    pytest.param(SecureHeaders, id="wsgi"),
    pytest.param(behind_asgi, id="asgi"),
]


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_after_1100_varied_requests_locked_still_gets_its_own_framing(
    adapter: Any,
) -> None:
    # The issue's run: stacks of overrides fill the plans' cache (1,024) and
    # the plans of later stacks are built per request; then the same change on
    # each such plan, and a response under locked.
    rng = random.Random(1100)
    middleware = adapter(app, CONFIG)
    names = list(OVERRIDES)
    for i in range(1100):
        stack = ",".join(rng.choices(names, k=rng.randrange(2, 10)))
        calls = stack if i < 1000 else f"{stack},+h1"
        path = rng.choice(PATHS)
        headers = call(middleware, path, True, calls)
        assert ours(headers) == expected(path, True, calls), (i, calls)
    for calls in ("locked", "embed,locked,+h1", "camera,locked,+h1"):
        headers = call(middleware, "/", True, calls)
        policy = csp_of(dict(headers)["Content-Security-Policy"])
        assert policy["frame-ancestors"] == ["'none'"], calls
        assert dict(headers)["X-Frame-Options"] == "DENY", calls
        assert ours(headers) == expected("/", True, calls)


THREADS = 8


@pytest.mark.parametrize("adapter", ADAPTERS)
@pytest.mark.parametrize("limit", [8, variants.CACHE_LIMIT])
def test_threads_past_the_cache_bound_each_get_their_own_headers(
    monkeypatch: pytest.MonkeyPatch, adapter: Any, limit: int
) -> None:
    monkeypatch.setattr(variants, "CACHE_LIMIT", limit)
    middleware = adapter(app, CONFIG)
    # Long stacks and one host: both caches fill and drop entries, and the
    # same few changes are made on plans built per request.
    per_thread = 400 if adapter is SecureHeaders else 150
    work = [requests(seed, per_thread, most=10, hosts=1) for seed in range(THREADS)]
    wrong: list[Any] = []

    def worker(index: int) -> None:
        for path, https, calls in work[index]:
            headers = call(middleware, path, https, calls)
            if ours(headers) != expected(path, https, calls):
                wrong.append((path, https, calls))

    assert all_finished(THREADS, worker, timeout=600)
    assert wrong == []
