"""No spelling of a header that a client can send changes what the core decides.

The core reads the trusted proxies' ``X-Forwarded-Proto``, ``-Host``, ``-Port``
and ``-Prefix``, the ``Host``, the receiver's ``Content-Length`` and
``Content-Type`` and the cross-origin check's ``Origin`` and ``Sec-Fetch-*``,
by their exact names (case aside). Issue 19: under ASGI a header spelt
``X_Forwarded_Proto: https`` passed for the proxy's ``X-Forwarded-Proto``,
skipped the https redirect and got HSTS over http. Here a request with forged
spellings added (underscores, case, whitespace, non-ASCII look-alikes,
anywhere in the list) must get the very answer the request gets without them
(status, headers, body), and the app must see the same scheme, host, port,
prefix and path.

ASGI is driven with raw scope headers, whatever a server could pass. Under
WSGI the server names the headers (``HTTP_X_FORWARDED_PROTO``), so in process
only environ keys can be forged; what gunicorn, waitress, uvicorn and
hypercorn make of the raw bytes is in
tests/integration/test_forged_headers_servers.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secheaders_wsgi import SecureHeaders
from secheaders_wsgi.asgi import SecureHeaders as AsgiSecureHeaders
from tests.integration.seams_app import CONFIG
from tests.integration.seams_app import REPORT_BODY as REPORT
from tests.support import (
    RecordingApp,
    RecordingStartResponse,
    asgi_exchange,
    environ_for,
    http_scope,
)

Raw = tuple[tuple[bytes, bytes], ...]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: Raw
    body: bytes = b""


HOST = (b"host", b"good.example")
HTTP = (b"x-forwarded-proto", b"http")
HTTPS = (b"x-forwarded-proto", b"https")

#: Requests whose answers differ: redirected, served, refused, the receiver's.
REQUESTS = {
    "http page": Request("GET", "/a", (HOST, HTTP)),
    "https page": Request("GET", "/a", (HOST, HTTPS)),
    "proxied page": Request(
        "GET",
        "/a",
        (
            (b"host", b"backend:8000"),
            HTTPS,
            (b"x-forwarded-host", b"www.good.example"),
            (b"x-forwarded-port", b"8443"),
            (b"x-forwarded-prefix", b"/shop"),
        ),
    ),
    "plain post": Request("POST", "/a", (HOST, HTTPS)),
    "same-origin post": Request(
        "POST", "/a", (HOST, HTTPS, (b"sec-fetch-site", b"same-origin"))
    ),
    "same-host post": Request(
        "POST", "/a", (HOST, HTTPS, (b"origin", b"https://good.example"))
    ),
    "cross-site post": Request(
        "POST", "/a", (HOST, HTTPS, (b"sec-fetch-site", b"cross-site"))
    ),
    "cross-site link": Request(
        "GET",
        "/a",
        (
            HOST,
            HTTPS,
            (b"sec-fetch-site", b"cross-site"),
            (b"sec-fetch-mode", b"navigate"),
        ),
    ),
    "cross-site image": Request(
        "GET",
        "/a",
        (
            HOST,
            HTTPS,
            (b"sec-fetch-site", b"cross-site"),
            (b"sec-fetch-mode", b"no-cors"),
            (b"sec-fetch-dest", b"image"),
        ),
    ),
    "report": Request(
        "POST",
        "/_/csp-reports",
        (
            HOST,
            (b"content-type", b"application/csp-report"),
            (b"content-length", str(len(REPORT)).encode()),
        ),
        REPORT,
    ),
}

#: What a forger sends under each name: values that would change the answer
#: if they were read (the controls below show each one does, spelt exactly).
FORGED_VALUES: dict[str, list[bytes]] = {
    "x-forwarded-proto": [b"https", b"http"],
    "x-forwarded-host": [b"evil.example", b"evil.example:666"],
    "x-forwarded-port": [b"6666", b"443"],
    "x-forwarded-prefix": [b"/evil", b"//evil.example"],
    "host": [b"evil.example"],
    "content-length": [b"0", b"5", b"99999999"],
    "content-type": [b"text/plain", b"application/csp-report"],
    "origin": [b"https://evil.example", b"https://good.example", b"null"],
    "sec-fetch-site": [b"cross-site", b"same-origin", b"none"],
    "sec-fetch-mode": [b"no-cors", b"navigate"],
    "sec-fetch-dest": [b"embed", b"document"],
}
NAMES = list(FORGED_VALUES)

# Characters a forger puts in a name's place: '-' as '_' (what CGI folds), and
# non-ASCII look-alikes, some of which Python's str.upper()/lower() fold into
# the ASCII letter (long s, dotless i, Kelvin sign).
LOOK_ALIKES = {
    "-": ["_", ".", "\u2010", "\u2011", "\u2212", "\u00ad"],
    "a": ["\u0430"],
    "c": ["\u0441"],
    "e": ["\u0435"],
    "i": ["\u0131"],
    "k": ["\u212a"],
    "o": ["\u043e", "\u00f6"],
    "p": ["\u0440"],
    "s": ["\u017f"],
    "x": ["\u0445"],
}
PADDING = ["", " ", "\t"]


@st.composite
def folded(draw: st.DrawFn, name: str) -> str:
    """``name`` with some ``-`` as ``_``, in any ASCII case: what CGI's rule
    (upper case, ``-`` as ``_``) files under the header's own key."""
    dashes = [i for i, ch in enumerate(name) if ch == "-"]
    underscores = draw(st.sets(st.sampled_from(dashes), min_size=1))
    return "".join(
        "_" if i in underscores else draw(st.sampled_from([ch, ch.upper()]))
        for i, ch in enumerate(name)
    )


@st.composite
def mangled(draw: st.DrawFn, name: str) -> str:
    """``name`` with look-alikes, case and padding mixed in."""
    chars = [
        draw(st.sampled_from([ch, ch.upper(), *LOOK_ALIKES.get(ch, [])])) for ch in name
    ]
    text = draw(st.sampled_from(PADDING)) + "".join(chars)
    return text + draw(st.sampled_from(PADDING))


def spelled(name: str) -> st.SearchStrategy[str]:
    """``name`` as a forger may spell it: never the name itself, case aside."""
    # Only ASCII case is the same name (RFC 9110): "hoſt" is not "host".
    not_the_name = mangled(name).filter(
        lambda text: not (text.isascii() and text.lower() == name)
    )
    return st.one_of(folded(name), not_the_name) if "-" in name else not_the_name


def raw_name(text: str) -> bytes:
    """A name's bytes as a server passes them: latin-1, else UTF-8."""
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")


forged_header = st.sampled_from(NAMES).flatmap(
    lambda name: st.tuples(
        spelled(name).map(raw_name), st.sampled_from(FORGED_VALUES[name])
    )
)


def with_forged(headers: Raw, forged: list[tuple[bytes, bytes]], data: Any) -> Raw:
    """``headers`` with each ``forged`` one put anywhere, last included."""
    mixed = list(headers)
    for header in forged:
        mixed.insert(data.draw(st.integers(0, len(mixed))), header)
    return tuple(mixed)


def assert_unchanged(
    answer: Callable[..., object],
    request: Request,
    forged: list[tuple[bytes, bytes]],
    data: Any,
) -> None:
    """``answer`` gives ``request`` the same with the forged headers as without."""
    assert answer(request, with_forged(request.headers, forged, data)) == answer(
        request
    )


# ASGI: the adapter driven with the scope's raw headers.


class Viewer:
    """An ASGI app that answers 200 and keeps what it saw of the request."""

    def __init__(self) -> None:
        self.seen: tuple[Any, ...] | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        hosts = tuple(v for k, v in scope["headers"] if k.lower() == b"host")
        server = scope.get("server")
        self.seen = (scope["scheme"], server, scope["root_path"], scope["path"], hosts)
        start = {"type": "http.response.start", "status": 200}
        await send({**start, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"app"})


@cache
def asgi_site() -> tuple[AsgiSecureHeaders, Viewer]:
    viewer = Viewer()
    return AsgiSecureHeaders(viewer, CONFIG), viewer


def asgi_answer(request: Request, headers: Raw | None = None) -> tuple[Any, ...]:
    """Status, headers and body sent, and what the app saw (``None``: not called)."""
    middleware, viewer = asgi_site()
    viewer.seen = None
    scope = http_scope(
        request.path,
        request.headers if headers is None else headers,
        method=request.method,
        server=("backend", 8000),
    )
    sent = asgi_exchange(middleware, scope, request.body)
    start = sent[0]
    body = b"".join(m.get("body", b"") for m in sent[1:])
    return start["status"], start["headers"], body, viewer.seen


@settings(max_examples=400, deadline=None)
@given(
    name=st.sampled_from(list(REQUESTS)),
    forged=st.lists(forged_header, min_size=1, max_size=4),
    data=st.data(),
)
def test_asgi_no_forged_spelling_changes_the_answer_or_what_the_app_sees(
    name: str, forged: list[tuple[bytes, bytes]], data: Any
) -> None:
    assert_unchanged(asgi_answer, REQUESTS[name], forged, data)


# The table: each name in the spellings of the class, one at a time, last.
TABLE = [
    pytest.param(name, spelling, id=spelling.decode("latin-1").replace(" ", "␠"))
    for name in NAMES
    for spelling in sorted(
        {
            raw_name(name.replace("-", "_")),
            raw_name(name.title().replace("-", "_")),
            raw_name(name.upper().replace("-", "_")),
            raw_name(name + " "),
            raw_name(" " + name),
            raw_name(name + "\t"),
            raw_name(name.replace("-", "\u00ad")),
            raw_name(name.replace("-", "\u2010")),
            raw_name(name.replace("o", "\u043e").replace("s", "\u017f")),
        }
    )
    if spelling.lower() != name.encode()  # ASCII case aside, the header itself
]


@pytest.mark.parametrize(("name", "spelling"), TABLE)
def test_asgi_each_spelling_of_each_name_is_not_that_header(
    name: str, spelling: bytes
) -> None:
    for request in REQUESTS.values():
        for value in FORGED_VALUES[name]:
            forged = (*request.headers, (spelling, value))
            assert asgi_answer(request, forged) == asgi_answer(request), request


def _location(headers: list[tuple[bytes, bytes]]) -> list[bytes]:
    return [v for k, v in headers if k == b"location"]


def _hsts(headers: list[tuple[bytes, bytes]]) -> list[bytes]:
    return [v for k, v in headers if k == b"strict-transport-security"]


def test_asgi_the_issues_forged_scheme_is_still_redirected_without_hsts() -> None:
    forged = (HOST, HTTP, (b"x_forwarded_proto", b"https"))
    status, headers, _, seen = asgi_answer(REQUESTS["http page"], forged)
    assert status == 301 and seen is None
    assert _location(headers) == [b"https://good.example/a"]
    assert _hsts(headers) == []


def test_asgi_the_issues_forged_host_reaches_neither_location_nor_the_app() -> None:
    forged = (HOST, HTTP, (b"x_forwarded_host", b"evil.example"))
    status, headers, _, _ = asgi_answer(REQUESTS["http page"], forged)
    assert (status, _location(headers)) == (301, [b"https://good.example/a"])
    forged = (HOST, HTTPS, (b"x_forwarded_host", b"evil.example"))
    status, headers, _, seen = asgi_answer(REQUESTS["https page"], forged)
    assert status == 200 and _hsts(headers)
    assert seen == ("https", ("backend", 8000), "", "/a", (b"good.example",))


# The controls: spelt exactly, each name does change the answer, so the
# property above would see a forged spelling that were read.
CONTROLS = [
    pytest.param("x-forwarded-proto", b"https", "http page", id="proto"),
    pytest.param("x-forwarded-host", b"evil.example", "https page", id="host"),
    pytest.param("x-forwarded-port", b"6666", "https page", id="port"),
    pytest.param("x-forwarded-prefix", b"/evil", "https page", id="prefix"),
    pytest.param("host", b"evil.example", "http page", id="Host"),
    pytest.param("content-length", b"0", "report", id="length"),
    pytest.param("content-type", b"text/plain", "report", id="type"),
    pytest.param("origin", b"https://evil.example", "plain post", id="origin"),
    pytest.param("sec-fetch-site", b"cross-site", "plain post", id="site"),
    pytest.param("sec-fetch-mode", b"no-cors", "cross-site link", id="mode"),
    pytest.param("sec-fetch-dest", b"embed", "cross-site link", id="dest"),
]


@pytest.mark.parametrize(("name", "value", "request_name"), CONTROLS)
def test_asgi_each_name_spelt_exactly_changes_the_answer(
    name: str, value: bytes, request_name: str
) -> None:
    request = REQUESTS[request_name]
    for spelling in (name.encode(), name.title().encode(), name.upper().encode()):
        exact = (*request.headers, (spelling, value))
        assert asgi_answer(request, exact) != asgi_answer(request), spelling


def test_asgi_a_clients_own_forwarded_value_before_the_proxys_does_not_win() -> None:
    # A proxy appends its value: with one trusted hop the last one counts.
    forged = (HOST, HTTPS, HTTP)
    status, headers, _, seen = asgi_answer(REQUESTS["http page"], forged)
    assert (status, _hsts(headers), seen) == (301, [], None)
    forged = (HOST, (b"x-forwarded-host", b"evil.example"), HTTPS)
    forged += ((b"x-forwarded-host", b"good.example"),)
    assert asgi_answer(REQUESTS["https page"], forged)[3][4] == (b"good.example",)


# WSGI: only the environ key PEP 3333 names is the header. A server that folds
# X_Forwarded_Proto into that very key (wsgiref) cannot be told apart here:
# docs/deployment.md says never to run one behind a trusted proxy.


def environ_key(name: str) -> str:
    cgi = {"content-type": "CONTENT_TYPE", "content-length": "CONTENT_LENGTH"}
    return cgi.get(name) or "HTTP_" + name.upper().replace("-", "_")


def environ_of(request: Request, extra: dict[str, str] | None = None) -> dict[str, Any]:
    keys: dict[str, str] = {}
    for name, value in request.headers:
        key = environ_key(name.decode())
        text = value.decode("latin-1")
        keys[key] = f"{keys[key]},{text}" if key in keys else text
    keys.update(extra or {})
    return environ_for(
        request.path,
        method=request.method,
        body=request.body,
        SERVER_NAME="backend",
        SERVER_PORT="8000",
        **keys,
    )


@cache
def wsgi_site(adapter: Any) -> tuple[Any, RecordingApp]:
    app = RecordingApp(body=b"app")
    return adapter(app, CONFIG), app


def wsgi_answer(
    request: Request, extra: dict[str, str] | None = None
) -> tuple[Any, ...]:
    # One middleware per adapter: the contract runs this module's tests
    # through the ASGI one too, with SecureHeaders standing for it.
    middleware, app = wsgi_site(SecureHeaders)
    app.calls.clear()
    start_response = RecordingStartResponse()
    body = b"".join(middleware(environ_of(request, extra), start_response))
    seen = None
    if app.calls:
        keys = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT")
        seen = tuple(app.seen.get(k) for k in (*keys, "SCRIPT_NAME", "PATH_INFO"))
    return start_response.status, start_response.headers, body, seen


@st.composite
def forged_key(draw: st.DrawFn) -> tuple[str, str]:
    """An environ key that is not the header's, and a forged value."""
    name = draw(st.sampled_from(NAMES))
    text = draw(spelled(name))
    key = draw(
        st.sampled_from(
            [
                "HTTP_" + text,
                "HTTP_" + text.upper(),
                "HTTP_" + text.upper().replace("-", "_"),
                text.upper().replace("-", "_"),  # without HTTP_
                "HTTP_" + name.upper(),  # the dashes kept
                "HTTP_" + name.replace("-", "_"),  # lower case
            ]
        )
    )
    if key == environ_key(name):  # the server's own name: the header itself
        key += "_"
    value = draw(st.sampled_from(FORGED_VALUES[name])).decode("latin-1")
    return raw_name(key).decode("latin-1"), value


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(list(REQUESTS)),
    forged=st.lists(forged_key(), min_size=1, max_size=4),
)
def test_wsgi_no_other_environ_key_changes_the_answer_or_what_the_app_sees(
    name: str, forged: list[tuple[str, str]]
) -> None:
    request = REQUESTS[name]
    assert wsgi_answer(request, dict(forged)) == wsgi_answer(request)


@pytest.mark.parametrize(("name", "value", "request_name"), CONTROLS)
def test_wsgi_each_header_under_its_own_key_changes_the_answer(
    name: str, value: bytes, request_name: str
) -> None:
    request = REQUESTS[request_name]
    exact = Request(
        request.method,
        request.path,
        (*request.headers, (name.encode(), value)),
        request.body,
    )
    assert wsgi_answer(exact) != wsgi_answer(request)


def test_asgi_a_websocket_takes_its_scheme_from_the_exact_name_only() -> None:
    seen: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope["scheme"])

    middleware = AsgiSecureHeaders(app, {"trusted_proxies": 1})
    for name in (b"x_forwarded_proto", b"X_Forwarded_Proto", b"x-forwarded-proto "):
        headers = [HOST, HTTP, (name, b"https")]
        asgi_exchange(
            middleware, http_scope(headers=headers, type="websocket", scheme="ws")
        )
    headers = [HOST, HTTP, HTTPS]  # the control: the exact name, last
    asgi_exchange(
        middleware, http_scope(headers=headers, type="websocket", scheme="ws")
    )
    assert seen == ["ws", "ws", "ws", "wss"]
