"""``http.response.start`` under ASGI: the app's headers as any iterable, read
once; every header of ours lower-case, whatever the app spelt.

Issue 19: headers given as an iterator were read twice (the app's own
``default-src 'none'`` lost to our default, its Content-Type gone); a header of
ours that replaced one the app spelt in capitals went out in capitals, which
HTTP/2 refuses. The same through uvicorn and hypercorn:
tests/integration/test_asgi_header_iterables.py.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest

from secheaders_wsgi import csp_nonce, drop_headers, update_csp, use_override
from secheaders_wsgi.asgi import SecureHeaders
from tests.support import asgi_exchange, http_scope

Pairs = list[tuple[bytes, bytes]]

OWN: Pairs = [
    (b"content-type", b"text/html; charset=utf-8"),
    (b"content-security-policy", b"default-src 'none'"),
    (b"set-cookie", b"sid=1; Path=/"),
    (b"x-app", b"own"),
]
ITERABLES: dict[str, Callable[[Pairs], Iterable[Any]]] = {
    "list": list,
    "tuple": tuple,
    "generator": lambda pairs: (pair for pair in pairs),
    "map": lambda pairs: map(tuple, pairs),
    "iterator of lists": lambda pairs: iter([list(pair) for pair in pairs]),
    "dict items": lambda pairs: dict(pairs).items(),
}
# What the app's view may do before it starts: each takes another way
# through the merge (the usual append, the nonce, a change of ours).
VIEWS: dict[str, Callable[[Any], object]] = {
    "nothing": lambda scope: None,
    "nonce": csp_nonce,
    "override": lambda scope: use_override(scope, "framed"),
    "update": lambda scope: update_csp(scope, {"img-src": "https://cdn.example"}),
    "drop": lambda scope: drop_headers(scope, "Referrer-Policy"),
}
CONFIG = {
    "csp_unsafe_inline": False,  # so the nonce is used
    "csp_unsafe_eval": False,
    "server_secured": True,  # every cookie gets Secure: the rewrite reads them
    "csp_frame_ancestors": ["'none'"],  # X-Frame-Options: DENY
    "overrides": {"framed": {"csp_frame_ancestors": ["'self'"]}},
}


def app_sending(
    headers: Callable[[], Iterable[Any]], view: Callable[[Any], object]
) -> Callable[..., Any]:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        view(scope)
        start = {"type": "http.response.start", "status": 200}
        await send({**start, "headers": headers()})
        await send({"type": "http.response.body", "body": b"<p>hi</p>"})

    return app


def sent_headers(app: Callable[..., Any], config: Any = CONFIG) -> Pairs:
    messages = asgi_exchange(SecureHeaders(app, config), http_scope())
    return [(bytes(k), bytes(v)) for k, v in messages[0]["headers"]]


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("kind", list(ITERABLES))
def test_the_apps_headers_survive_whatever_iterable_it_gives(
    kind: str, view: str
) -> None:
    headers = sent_headers(app_sending(lambda: ITERABLES[kind](OWN), VIEWS[view]))
    named = {k: [v for n, v in headers if n == k] for k, _ in headers}
    assert named[b"content-security-policy"] == [b"default-src 'none'"]
    assert named[b"content-type"] == [b"text/html; charset=utf-8"]
    assert named[b"x-app"] == [b"own"]
    assert named[b"set-cookie"] == [b"sid=1; Path=/; Secure"]
    assert named[b"x-content-type-options"] == [b"nosniff"]  # ours, beside


def test_an_empty_iterator_of_headers_gets_ours() -> None:
    headers = sent_headers(app_sending(lambda: iter(()), VIEWS["nothing"]))
    assert (b"x-frame-options", b"DENY") in headers


# Ours lower-case, whatever the app spelt and whichever way we answer.

SPELT = [
    (b"Content-Type", b"text/html"),
    (b"X-Frame-Options", b"SAMEORIGIN"),
    (b"Referrer-Policy", b"unsafe-url"),
]
LOWER = {
    "preset": "strict",
    "server_secured": True,
    "remove_headers": ["X-Frame-Options", "Referrer-Policy"],
    "referrer_policy": "no-referrer",
    "overrides": {"framed": {"csp_frame_ancestors": ["'self'"]}},
}


@pytest.mark.parametrize("view", list(VIEWS))
def test_ours_that_replace_the_apps_capitalised_ones_go_out_lower_case(
    view: str,
) -> None:
    headers = sent_headers(app_sending(lambda: SPELT, VIEWS[view]), LOWER)
    names = [name for name, _ in headers]
    # The app's removed ones are gone; ours took their place, lower-case.
    assert b"X-Frame-Options" not in names and b"Referrer-Policy" not in names
    replaced = {b"x-frame-options", b"referrer-policy"}
    if view == "drop":
        replaced.remove(b"referrer-policy")
    assert replaced <= set(names)
    ours = [name for name in names if name != b"Content-Type"]
    assert ours == [name.lower() for name in ours]
    assert b"Content-Type" in names  # the app's own keeps its spelling


async def never_called(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("the middleware answers this request itself")


@pytest.mark.parametrize(
    ("config", "scope"),
    [
        pytest.param({"force_https": True}, http_scope(), id="redirect"),
        pytest.param(
            {"csp_report_path": "/r"}, http_scope("/r", method="GET"), id="receiver"
        ),
        pytest.param(
            {"cross_origin": {"mode": "csrf"}},
            http_scope(
                method="POST",
                headers=[(b"host", b"example.com"), (b"sec-fetch-site", b"cross-site")],
            ),
            id="refusal",
        ),
    ],
)
def test_our_own_answers_are_lower_case(config: Any, scope: dict[str, Any]) -> None:
    messages = asgi_exchange(SecureHeaders(never_called, config), scope)
    names = [name for name, _ in messages[0]["headers"]]
    assert names and names == [name.lower() for name in names]
