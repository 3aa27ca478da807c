"""The caches of override plans and changed sides never answer for another
request, past their bound too, and a stack of overrides costs one merge per call.

Issue 19: past 1,024 cached plans, entries keyed by ``id()`` of plans built per
request answered for later plans that took a freed one's address; a response
under ``locked`` got another override's ``frame-ancestors`` and no
X-Frame-Options. Every response here is compared with its headers computed
from scratch (tests/variant_model.py); the long soak with threads is
tests/integration/test_variants_soak.py.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

import secheaders_wsgi.config.overrides as config_overrides
from secheaders_wsgi import SecureHeaders, variants
from tests.support import RecordingStartResponse, environ_for
from tests.variant_model import (
    CONFIG,
    PATHS,
    app,
    expected,
    ours,
    random_calls,
)


def call(middleware: Any, path: str, https: bool, calls: str) -> list[tuple[str, str]]:
    scheme = "https" if https else "http"
    environ = environ_for(path, QUERY_STRING=calls, **{"wsgi.url_scheme": scheme})
    start_response = RecordingStartResponse()
    b"".join(middleware(environ, start_response))
    return start_response.headers


def requests(
    seed: int, count: int, most: int = 5, hosts: int = 40
) -> list[tuple[str, bool, str]]:
    """``count`` requests: a path, whether over https, up to ``most`` calls."""
    rng = random.Random(seed)
    return [
        (rng.choice(PATHS), rng.random() < 0.5, random_calls(rng, most, hosts))
        for _ in range(count)
    ]


def test_the_model_agrees_with_a_fresh_middleware_for_each_request() -> None:
    # The model is right where no cache can be wrong: one request per middleware.
    for path, https, calls in requests(seed=7, count=40):
        headers = call(SecureHeaders(app, CONFIG), path, https, calls)
        assert ours(headers) == expected(path, https, calls), calls


@pytest.mark.parametrize("limit", [1, 3, 16])
def test_past_the_cache_bound_every_response_gets_its_own_headers(
    monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    # Few hosts, so that changes repeat: a changed side kept for one request's
    # plan is looked up again by later ones.
    monkeypatch.setattr(variants, "CACHE_LIMIT", limit)
    middleware = SecureHeaders(app, CONFIG)
    for i, (path, https, calls) in enumerate(requests(limit, 300, hosts=3)):
        headers = call(middleware, path, https, calls)
        assert ours(headers) == expected(path, https, calls), (i, path, calls)


# use_override is linear: each call merges one override onto the plan before,
# never the whole stack again (n calls used to cost n * (n + 1) / 2 merges).

MANY = {
    "csp_unsafe_inline": False,
    "csp_unsafe_eval": False,
    "overrides": {
        f"o{i}": {"csp_header": {"img-src": [f"https://o{i}.example"]}}
        for i in range(16)
    },
}


@pytest.mark.parametrize("count", [4, 8, 16])
def test_n_stacked_overrides_cost_at_most_n_merges(
    monkeypatch: pytest.MonkeyPatch, count: int
) -> None:
    merges: list[object] = []
    merge = config_overrides.merge

    def counting(*args: Any) -> Any:
        merges.append(args)
        return merge(*args)

    middleware = SecureHeaders(app, MANY)
    monkeypatch.setattr(config_overrides, "merge", counting)
    names = ",".join(f"o{i}" for i in range(count))
    headers = call(middleware, "/", False, names)
    assert f"https://o{count - 1}.example" in dict(headers)["Content-Security-Policy"]
    assert len(merges) <= count
    merges.clear()
    call(middleware, "/", False, names)
    assert merges == []  # the second time, every plan is cached
