"""WSGI and ASGI give the same responses: a differential property test (issue 20).

Hypothesis draws a config (presets, ``paths`` rules, ``overrides``, a report
sample rate, proxies, ``remove_headers``, cookie keys, ``force_https``,
``cross_origin``), a few requests (odd path spellings, schemes, forwarded and
Fetch Metadata headers, methods, a report to the receiver) and what the app
does for each (``use_override``, ``update_csp``, ``replace_csp``,
``drop_headers``, the nonce, headers of its own that clash with ours,
cookies). The same app runs behind the WSGI adapter, called as a WSGI server
calls it, and behind the ASGI adapter, called as an ASGI server calls it, each
from the same seed of the ``random`` module (the sample is drawn from it).
Both must give the same status code, body and headers (names compared without
case; the nonce, random per response, replaced by ``NONCE``), the same
exception where one is raised, the same warnings; and the app must see the
same request (scheme, host, server, mount prefix, path, forwarded headers).

What differs by nature is left out: ASGI has no reason phrase, and a WSGI
server drops a header whose name has ``_`` (``X_Forwarded_Proto``) where an
ASGI server passes it on, so neither adapter must read it.
"""

from __future__ import annotations

import io
import json
import logging
import random
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, unquote_to_bytes

import pytest
from hypothesis import (
    HealthCheck,
    currently_in_test_context,
    event,
    example,
    given,
    settings,
)
from hypothesis import strategies as st

from secheaders_wsgi import (
    SecureHeaders,
    csp_nonce,
    drop_headers,
    replace_csp,
    update_csp,
    use_override,
)
from secheaders_wsgi.asgi import SecureHeaders as AsgiSecureHeaders
from secheaders_wsgi.request import cross_origin
from tests.asgi_bridge import on_loop


@pytest.fixture(autouse=True)
def isolated() -> Iterator[None]:
    """The receiver's and the cross-origin check's log lines go nowhere (a
    failing example would print thousands); the process's bounded refusal
    log and the random module are left as they were found, for the tests
    that follow."""
    logger = logging.getLogger("secheaders")
    saved = logger.handlers, logger.propagate
    budget, state = dict(vars(cross_origin.LOG)), random.getstate()
    logger.handlers, logger.propagate = [logging.NullHandler()], False
    yield
    logger.handlers, logger.propagate = saved
    vars(cross_origin.LOG).update(budget)
    random.setstate(state)


REPORT_PATH = "/_/csp"
SERVER = ("app.internal", 8000)
CLIENT = ("203.0.113.9", 50000)

# -- configs

RULES = [
    {
        "prefix": "/embed/",
        "csp_frame_ancestors": ["https://partner.example"],
        "x_frame_options": False,
    },
    {"prefix": "/api", "csp_header": False, "cookie_samesite": "Strict"},
    {"prefix": "/admin/", "preset": "strict"},
    {"prefix": "/caf\u00e9/", "referrer_policy": "no-referrer"},
    {"prefix": "/healthz", "force_https": False},
    {"prefix": "/a/", "csp_report_sample_rate": 0.5, "csp_unsafe_inline": False},
    {"prefix": "/b", "cross_origin": {"mode": "isolation"}},
    {"prefix": "/x/", "remove_headers": ["Server"], "cache_control": "no-store"},
]
OVERRIDES = {
    "embed": {
        "csp_frame_ancestors": ["https://partner.example"],
        "x_frame_options": False,
    },
    "loose": {"csp_unsafe_inline": True, "csp_unsafe_eval": True},
    "tight": {"csp_unsafe_inline": False, "csp_unsafe_eval": False},
    "sampled": {"csp_report_sample_rate": 0.5},
    "own": {"replace": True, "csp_header": {"default-src": "'self'"}},
    "trial": {"csp_report_only": True},
}
TOP = {
    "preset": st.sampled_from(["standard", "strict"]),
    "allowed_hosts": st.just(["example.com", "*.example.com"]),
    "trusted_proxies": st.integers(0, 2),
    "csp_unsafe_inline": st.booleans(),
    "csp_unsafe_eval": st.booleans(),
    "csp_report_path": st.just(REPORT_PATH),
    "csp_report_only_header": st.just({"default-src": "'self'"}),
    "remove_headers": st.sampled_from(
        [["X-Powered-By"], ["owasp"], ["X-Powered-By", "Server"], []]
    ),
    "cookie_samesite": st.sampled_from(["Lax", "Strict", "None", False]),
    "cookie_httponly": st.sampled_from([True, False, ["sid"]]),
    "cross_origin": st.sampled_from(
        [
            {"mode": "csrf"},
            {"mode": "isolation", "trusted_origins": ["https://sso.example"]},
            {"mode": "isolation", "report_only": True},
            {"mode": "csrf", "same_site_trusted": True},
        ]
    ),
    "permissions_policy": st.just({"camera": []}),
    "cross_origin_opener_policy": st.just("same-origin"),
}


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    config = draw(st.fixed_dictionaries({}, optional=TOP))
    # Mostly reporting, at a rate that samples: the draw must be the same.
    config.update(
        draw(
            st.sampled_from(
                [
                    {},
                    {"csp_report_uri": "/csp"},
                    {"csp_report_uri": "/csp", "csp_report_sample_rate": 0.5},
                    {
                        "csp_report_uri": "https://reports.example/csp",
                        "csp_report_sample_rate": 0.1,
                    },
                    {"csp_report_uri": "/csp", "csp_report_sample_rate": 0.9},
                    {"csp_report_uri": "/csp", "csp_report_sample_rate": 0.0},
                ]
            )
        )
    )
    # One or the other: force_https beside server_secured is refused.
    config.update(
        draw(
            st.sampled_from(
                [
                    {},
                    {"server_secured": True},
                    {"force_https": True, "force_https_exempt": ["/healthz"]},
                    {"force_https": True, "force_https_permanent": False},
                ]
            )
        )
    )
    rules = draw(st.lists(st.sampled_from(RULES), max_size=3, unique_by=str))
    if rules:
        config["paths"] = rules
    # Every override but now and then one, so that most use_override calls
    # name one the config has; "trial" (refused beside some keys) a quarter
    # of the time.
    left_out = {draw(st.sampled_from([*sorted(OVERRIDES), None]))}
    if draw(st.integers(0, 3)):
        left_out.add("trial")
    config["overrides"] = {
        name: rule for name, rule in OVERRIDES.items() if name not in left_out
    }
    return config


# -- requests

SEGMENTS = [
    "",
    "a",
    "b",
    "x",
    "admin",
    "embed",
    "api",
    "healthz",
    "..",
    ".",
    "%2e%2e",
    "%2E",
    "caf%C3%A9",
    "%E2%98%83",
    "x%2Fy",
    "%20",
    "_",
    "csp",
]
FORWARDED = [
    ("X-Forwarded-Proto", "https"),
    ("X-Forwarded-Proto", "http"),
    ("X-Forwarded-Proto", "https, http"),
    ("x-forwarded-proto", "https"),
    ("X_Forwarded_Proto", "https"),
    ("X-Forwarded-Host", "example.com"),
    ("X-Forwarded-Host", "evil.example"),
    ("X-Forwarded-Port", "443"),
    ("X-Forwarded-Port", "8443"),
    ("X-Forwarded-Prefix", "/app"),
    ("X-Forwarded-For", "198.51.100.7"),
    ("User-Agent", "parity/1"),
]
# What a browser sends together: Sec-Fetch-Site, -Mode, -Dest and Origin.
FETCH = st.tuples(
    st.sampled_from(["same-origin", "same-site", "cross-site", "none", None]),
    st.sampled_from(["navigate", "cors", "no-cors", None]),
    st.sampled_from(["document", "image", "iframe", "empty", None]),
    st.sampled_from(
        [
            "https://example.com",
            "https://evil.example",
            "https://sso.example",
            "null",
            None,
        ]
    ),
).map(
    lambda values: tuple(
        (name, value)
        for name, value in zip(
            ("Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest", "Origin"),
            values,
            strict=True,
        )
        if value is not None
    )
)
REPORT = json.dumps(
    {"csp-report": {"document-uri": "https://example.com/", "violated-directive": "x"}}
).encode()


@dataclass(frozen=True)
class Request:
    """One request as it arrives: the target as sent (percent-encoded), the
    headers by the names the client spelt; :meth:`environ` and :meth:`scope`
    are what a WSGI server (gunicorn) and an ASGI server (uvicorn) make of it."""

    method: str
    scheme: str
    root: str
    target: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""

    def environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = {
            "REQUEST_METHOD": self.method,
            "SCRIPT_NAME": _latin(self.root),
            # PEP 3333: the path's bytes, unquoted, as latin-1.
            "PATH_INFO": unquote_to_bytes(self.target).decode("latin-1"),
            "QUERY_STRING": self.query,
            "SERVER_NAME": SERVER[0],
            "SERVER_PORT": str(SERVER[1]),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": CLIENT[0],
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": self.scheme,
            "wsgi.input": io.BytesIO(self.body),
            "wsgi.errors": io.StringIO(),
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        for name, value in self.headers:
            if "_" in name:
                continue  # gunicorn, waitress and werkzeug drop these
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        return environ

    def scope(self) -> dict[str, Any]:
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": self.method,
            "scheme": self.scheme,
            "path": self.root + unquote(self.target),
            "raw_path": (_quoted(self.root) + self.target).encode("ascii"),
            "root_path": self.root,
            "query_string": self.query.encode("ascii"),
            "headers": [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in self.headers
            ],
            "server": SERVER,
            "client": CLIENT,
            "state": {},
        }


def _latin(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def _quoted(text: str) -> str:
    return "".join(c if c.isascii() else "%" + c.encode().hex("%") for c in text)


@st.composite
def requests(draw: st.DrawFn) -> Request:
    if draw(st.integers(0, 5)) == 0:  # a report, now and then
        return Request(
            "POST",
            draw(st.sampled_from(["http", "https"])),
            "",
            REPORT_PATH,
            "",
            (
                ("Host", "example.com"),
                ("Content-Type", "application/csp-report"),
                ("Content-Length", str(len(REPORT))),
            ),
            REPORT,
        )
    segments = draw(st.lists(st.sampled_from(SEGMENTS), max_size=4))
    lead = draw(st.sampled_from(["/", "/", "//"]))
    host = draw(
        st.sampled_from(
            [
                "example.com",
                "www.example.com",
                "evil.example",
                "example.com:8443",
                "caf\u00e9.example.com",
                None,
            ]
        )
    )
    extra = draw(st.lists(st.sampled_from(FORWARDED), max_size=4)) + list(draw(FETCH))
    return Request(
        method=draw(
            st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"])
        ),
        scheme=draw(st.sampled_from(["http", "https"])),
        root=draw(st.sampled_from(["", "", "/mount", "/m\u00fcnze"])),
        target=lead + "/".join(segments),
        query=draw(st.sampled_from(["", "a=1", "next=%2F%2Fevil.example", "q=%C3%A9"])),
        headers=(*((("Host", host),) if host else ()), *extra),
    )


# -- what the app does


@dataclass(frozen=True)
class Response:
    """What the app does for one request: calls before it starts the
    response, its status and headers, and whether it asks for the nonce
    after the start (an error unless it had it before)."""

    calls: tuple[tuple[str, Any], ...]
    status: int
    headers: tuple[tuple[str, str], ...]
    late_nonce: bool


CALLS = st.one_of(
    st.tuples(st.just("nonce"), st.none()),
    # An unknown name ("nope") is a ConfigError, the same on both.
    st.tuples(st.just("override"), st.sampled_from([*sorted(OVERRIDES), "nope"])),
    st.tuples(
        st.just("update"),
        st.tuples(
            st.booleans(),
            st.sampled_from(
                [
                    {"img-src": ["https://cdn.example"]},
                    {"script-src": ["'self'", "https://js.example"]},
                    {"frame-ancestors": ["https://partner.example"]},
                    {"connect-src": ["wss://ws.example"]},
                    {"report-uri": ["/elsewhere"]},
                ]
            ),
        ),
    ),
    st.tuples(
        st.just("replace"),
        st.tuples(
            st.booleans(),
            st.sampled_from(
                [
                    {"frame-ancestors": ["'none'"]},
                    {"upgrade-insecure-requests": None},
                    {"img-src": ["'self'", "data:"], "object-src": None},
                    {"default-src": ["'self'"]},
                ]
            ),
        ),
    ),
    st.tuples(
        st.just("drop"),
        st.lists(
            st.sampled_from(
                [
                    "X-Frame-Options",
                    "Content-Security-Policy",
                    "referrer-policy",
                    "Strict-Transport-Security",
                    "Reporting-Endpoints",
                ]
            ),
            min_size=1,
            max_size=2,
        ),
    ),
)
APP_HEADERS = [
    ("Content-Type", "text/html; charset=utf-8"),
    ("content-security-policy", "default-src 'none'"),
    ("X-FRAME-OPTIONS", "SAMEORIGIN"),
    ("Set-Cookie", "sid=1; Path=/"),
    ("Set-Cookie", "pref=a; Secure; SameSite=Strict"),
    ("set-cookie", "theme=dark; HttpOnly"),
    ("X-Powered-By", "app/1"),
    ("Server", "app/1"),
    ("Cache-Control", "no-store"),
    ("Referrer-Policy", "no-referrer"),
    ("Strict-Transport-Security", "max-age=1"),
]
responses = st.builds(
    Response,
    calls=st.lists(CALLS, max_size=4).map(tuple),
    status=st.sampled_from([200, 201, 302, 404, 500]),
    headers=st.lists(st.sampled_from(APP_HEADERS), max_size=4).map(tuple),
    late_nonce=st.sampled_from([False] * 7 + [True]),
)


def perform(carrier: Any, response: Response) -> str | None:
    """The per-response calls, on the environ or the scope; the nonce if made."""
    nonce = None
    for kind, argument in response.calls:
        if kind == "nonce":
            nonce = csp_nonce(carrier)
        elif kind == "override":
            use_override(carrier, argument)
        elif kind == "drop":
            drop_headers(carrier, *argument)
        else:
            change = update_csp if kind == "update" else replace_csp
            change(carrier, argument[1], report_only=argument[0])
    return nonce


def body(view: dict[str, Any], nonce: str | None) -> bytes:
    return json.dumps({"view": view, "nonce": nonce}, sort_keys=True).encode()


def wsgi_view(environ: dict[str, Any]) -> dict[str, Any]:
    """What the app sees of the request, under WSGI."""
    return {
        "scheme": environ["wsgi.url_scheme"],
        "host": environ.get("HTTP_HOST"),
        "server": [environ["SERVER_NAME"], str(environ["SERVER_PORT"])],
        "root": environ["SCRIPT_NAME"],
        "path": environ["PATH_INFO"],
        "forwarded": sorted(
            (key[5:].lower().replace("_", "-"), value)
            for key, value in environ.items()
            if key.startswith("HTTP_X_FORWARDED_")
        ),
        "unsafe_eval": environ.get("secheaders.csp_unsafe_eval"),
    }


def asgi_view(scope: dict[str, Any]) -> dict[str, Any]:
    """The same under ASGI, spelt as WSGI spells it (the path's bytes as latin-1)."""
    headers: dict[str, str] = {}
    for raw, raw_value in scope["headers"]:
        name, value = raw.decode("latin-1").lower(), raw_value.decode("latin-1")
        headers[name] = f"{headers[name]},{value}" if name in headers else value
    root, path = scope["root_path"], scope["path"]
    return {
        "scheme": scope["scheme"],
        "host": headers.get("host"),
        "server": [scope["server"][0], str(scope["server"][1])],
        "root": _latin(root),
        "path": _latin(path[len(root) :] if path.startswith(root) else path),
        "forwarded": sorted(
            (name, value)
            for name, value in headers.items()
            if name.startswith("x-forwarded-")
        ),
        "unsafe_eval": scope.get("secheaders.csp_unsafe_eval"),
    }


# -- both adapters


@dataclass
class Outcome:
    """One response (status, headers, body) or the error that replaced it."""

    status: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    error: str | None = None
    nonce: str | None = None

    def normalised(self) -> tuple[Any, ...]:
        def plain(text: str) -> str:
            return text.replace(self.nonce, "NONCE") if self.nonce else text

        return (
            self.status,
            [(name.lower(), plain(value)) for name, value in self.headers],
            plain(self.body.decode("latin-1")),
            self.error,
        )


def _error(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


class WsgiRun:
    def __init__(self, config: dict[str, Any]) -> None:
        self.middleware = SecureHeaders(self.app, config)
        self.response: Response | None = None
        self.outcome = Outcome()

    def app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        response, outcome = self.response, self.outcome
        assert response is not None
        outcome.nonce = nonce = perform(environ, response)
        start_response(f"{response.status} X", list(response.headers))
        if response.late_nonce:
            outcome.nonce = nonce = csp_nonce(environ)
        return [body(wsgi_view(environ), nonce)]

    def serve(self, request: Request, response: Response) -> Outcome:
        self.response, self.outcome = response, Outcome()
        outcome = self.outcome

        def start_response(status: str, headers: Any, exc_info: Any = None) -> Any:
            outcome.status = int(status.split()[0])
            outcome.headers = list(headers)
            return None

        try:
            outcome.body = b"".join(self.middleware(request.environ(), start_response))
        except Exception as exc:
            outcome.error = _error(exc)
        return outcome


class AsgiRun:
    def __init__(self, config: dict[str, Any]) -> None:
        self.middleware = AsgiSecureHeaders(self.app, config)
        self.response: Response | None = None
        self.outcome = Outcome()

    async def app(self, scope: Any, receive: Any, send: Any) -> None:
        response, outcome = self.response, self.outcome
        assert response is not None
        outcome.nonce = nonce = perform(scope, response)
        headers = [
            (n.encode("latin-1"), v.encode("latin-1")) for n, v in response.headers
        ]
        await send(
            {
                "type": "http.response.start",
                "status": response.status,
                "headers": headers,
            }
        )
        if response.late_nonce:
            outcome.nonce = nonce = csp_nonce(scope)
        await send(
            {"type": "http.response.body", "body": body(asgi_view(scope), nonce)}
        )

    async def serve(self, request: Request, response: Response) -> Outcome:
        self.response, self.outcome = response, Outcome()
        outcome = self.outcome
        messages = iter([{"type": "http.request", "body": request.body}])

        async def receive() -> dict[str, Any]:
            return next(messages, {"type": "http.disconnect"})

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                outcome.status = message["status"]
                outcome.headers = [
                    (name.decode("latin-1"), value.decode("latin-1"))
                    for name, value in message["headers"]
                ]
            else:
                outcome.body += message.get("body", b"")

        try:
            await self.middleware(request.scope(), receive, send)
        except Exception as exc:
            outcome.error = _error(exc)
        return outcome


Exchange = tuple[Request, Response]


def through_wsgi(config: dict[str, Any], exchanges: list[Exchange]) -> list[Any]:
    try:
        run = WsgiRun(config)
    except Exception as exc:
        return [_error(exc)]
    return [run.serve(*exchange).normalised() for exchange in exchanges]


def through_asgi(config: dict[str, Any], exchanges: list[Exchange]) -> list[Any]:
    async def serve_all() -> list[Any]:
        try:
            run = AsgiRun(config)
        except Exception as exc:
            return [_error(exc)]
        return [(await run.serve(*exchange)).normalised() for exchange in exchanges]

    return on_loop(serve_all())


def seeded(
    through: Callable[[dict[str, Any], list[Exchange]], list[Any]],
    config: dict[str, Any],
    exchanges: list[Exchange],
    seed: int,
) -> tuple[list[Any], list[str]]:
    """``through``'s outcomes and warnings, the ``random`` module seeded first."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        random.seed(seed)
        outcomes = through(config, exchanges)
    return outcomes, [f"{w.category.__name__}: {w.message}" for w in caught]


def assert_same(
    config: dict[str, Any], exchanges: list[Exchange], seed: int
) -> list[Any]:
    wsgi = seeded(through_wsgi, config, exchanges, seed)
    asgi = seeded(through_asgi, config, exchanges, seed)
    assert asgi == wsgi
    if not currently_in_test_context():
        return wsgi[0]
    for outcome in wsgi[0]:  # what the examples reached (--hypothesis-show-statistics)
        if isinstance(outcome, str):
            event("config refused")
        else:
            event(f"status {outcome[0]}")
            event(f"error {str(outcome[3]).split(':')[0]}")
    return wsgi[0]


EXCHANGES = st.lists(st.tuples(requests(), responses), min_size=1, max_size=4)
SEEDS = st.integers(0, 2**32 - 1)
PROPERTY = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
PLAIN = Response((), 200, (), False)
HOME = Request("GET", "https", "", "/", "", (("Host", "example.com"),))
# The two drifts of 64945de, pinned as examples (the search finds them too,
# in most runs): the ASGI side never drew the sample (rate 0.5, seed 0 draws
# "no report"), and it read X_Forwarded_Proto as X-Forwarded-Proto.
SAMPLED = {"csp_report_uri": "/csp", "csp_report_sample_rate": 0.5}
UNDERSCORE = Request(
    "GET",
    "http",
    "/m\u00fcnze",
    "//caf%C3%A9/%2e%2e/x%2Fy",
    "",
    (
        ("Host", "example.com"),
        ("X-Forwarded-Proto", "https"),
        ("X-Forwarded-Host", "www.example.com"),
        ("X_Forwarded_Proto", "http"),
    ),
)


@settings(PROPERTY, max_examples=150)
@given(configs(), EXCHANGES, SEEDS)
@example(SAMPLED, [(HOME, PLAIN)], 0)
@example({"trusted_proxies": 1}, [(UNDERSCORE, PLAIN)], 0)
def test_wsgi_and_asgi_give_the_same_responses(
    config: dict[str, Any], exchanges: list[Exchange], seed: int
) -> None:
    assert_same(config, exchanges, seed)


@pytest.mark.slow
@settings(PROPERTY, max_examples=3000)
@given(configs(), EXCHANGES, SEEDS)
def test_wsgi_and_asgi_give_the_same_responses_at_length(
    config: dict[str, Any], exchanges: list[Exchange], seed: int
) -> None:
    assert_same(config, exchanges, seed)


# -- what the comparison holds, and that it can fail


def test_the_sample_is_drawn_from_the_seeded_random_module() -> None:
    # Eight responses at rate 0.5: some report and some do not, and the same
    # seed makes the same choices again.
    eight = [(HOME, PLAIN)] * 8
    outcomes = assert_same(SAMPLED, eight, 7)
    reporting = [
        "report-uri /csp" in dict(headers)["content-security-policy"]
        for _, headers, _, _ in outcomes
    ]
    assert True in reporting and False in reporting
    assert assert_same(SAMPLED, eight, 7) == outcomes


def test_a_difference_is_caught() -> None:
    # Not vacuous: another seed draws another sample, and that shows.
    eight = [(HOME, PLAIN)] * 8
    assert seeded(through_wsgi, SAMPLED, eight, 7) != seeded(
        through_asgi, SAMPLED, eight, 8
    )


def test_the_requests_reach_both_apps_alike() -> None:
    # The view the body carries: the odd path as PEP 3333 spells it, the
    # mount prefix, and the scheme and host a trusted proxy forwarded.
    [outcome] = assert_same({"trusted_proxies": 1}, [(UNDERSCORE, PLAIN)], 0)
    view = json.loads(outcome[2])["view"]
    assert view["scheme"] == "https"
    assert view["host"] == "www.example.com"
    assert view["root"] == "/m\u00c3\u00bcnze"
    assert view["path"] == "//caf\u00c3\u00a9/../x/y"
    # The proxy's headers stay; X_Forwarded_Proto reaches neither app.
    assert view["forwarded"] == [
        ["x-forwarded-host", "www.example.com"],
        ["x-forwarded-proto", "https"],
    ]


def test_the_nonce_is_normalised_and_nothing_else() -> None:
    [outcome] = assert_same(
        {"csp_unsafe_inline": False},
        [(HOME, Response((("nonce", None),), 200, (), False))],
        0,
    )
    assert "'nonce-NONCE'" in dict(outcome[1])["content-security-policy"]
    assert json.loads(outcome[2])["nonce"] == "NONCE"
    assert not re.search(r"nonce-(?!NONCE')", outcome[2] + str(outcome[1]))
