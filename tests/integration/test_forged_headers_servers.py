"""Forged header spellings as raw bytes on the wire, through real servers.

The same table for each server: uvicorn and hypercorn run the ASGI app,
gunicorn and waitress the WSGI one (tests/integration/seams_app.py: one trusted
proxy, ``force_https``, the receiver, the cross-origin check). Each row adds
one forged line to a request a proxy could have forwarded; the answer must be
the one the request gets without it, or the server's own refusal (a response
that never went through the middleware). Issue 19: through uvicorn,
``X_Forwarded_Proto: https`` after the proxy's ``X-Forwarded-Proto: http``
skipped the redirect and got HSTS, and ``X_Forwarded_Host: evil.example`` went
into ``Location`` and reached the app.

What each server does with a spelling differs (gunicorn and waitress drop
names with ``_``, uvicorn and hypercorn pass them on, every one refuses a
space before the colon): the rule for the middleware is the same.
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

import pytest

from tests.integration.seams_app import REPORT_BODY
from tests.support import HOST, free_port, http_scope, running

# waitress removes X-Forwarded-Proto/-Host/-Port it was not told to trust
# (clear_untrusted_proxy_headers): with trusted_proxies the middleware decides,
# so it is told to pass them on (docs/deployment.md says so). Django runs its
# middleware (SecureHeadersMiddleware) under gunicorn and, through its ASGI
# handler, under uvicorn.
DJANGO = {"DJANGO_SETTINGS_MODULE": "tests.integration.seams_django"}
SERVERS: dict[str, tuple[list[str], dict[str, str]]] = {
    "uvicorn": (["-m", "uvicorn", "--host", HOST, "--port", "{port}",
                 "--no-access-log", "tests.integration.seams_app:asgi"], {}),
    "hypercorn": (["-m", "hypercorn", "--bind", f"{HOST}:{{port}}",
                   "tests.integration.seams_app:asgi"], {}),
    "gunicorn": (["-m", "gunicorn", "--bind", f"{HOST}:{{port}}", "--workers", "1",
                  "tests.integration.seams_app:wsgi"], {}),
    "waitress": (["-m", "waitress", f"--listen={HOST}:{{port}}",
                  "--no-clear-untrusted-proxy-headers",
                  "tests.integration.seams_app:wsgi"], {}),
    "uvicorn-django": (["-m", "uvicorn", "--host", HOST, "--port", "{port}",
                        "--no-access-log", "--factory",
                        "tests.integration.seams_django:asgi"], DJANGO),
    "gunicorn-django": (["-m", "gunicorn", "--bind", f"{HOST}:{{port}}",
                         "--workers", "1", "tests.integration.seams_django:wsgi()"],
                        DJANGO),
}  # fmt: skip
#: The servers that pass names spelt with "_" on: the middleware must ignore them.
PASS_UNDERSCORES = ("uvicorn", "hypercorn", "uvicorn-django")


class Server(NamedTuple):
    name: str
    port: int


@pytest.fixture(scope="module", params=list(SERVERS))
def server(request: pytest.FixtureRequest) -> Iterator[Server]:
    port = free_port()
    command, env = SERVERS[request.param]
    with running([part.format(port=port) for part in command], port, env=env):
        yield Server(request.param, port)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def get(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k == name]

    @property
    def through(self) -> bool:
        """Whether the middleware answered (else the server refused it)."""
        return self.get("x-through") == ["1"]

    @property
    def seen(self) -> Any:
        """What the app saw; ``None``: it was not called."""
        return json.loads(self.body) if self.body.startswith(b'{"scheme"') else None

    def essence(self) -> tuple[Any, ...]:
        return (
            self.status,
            self.get("location"),
            self.get("strict-transport-security"),
            self.seen,
            self.body if self.seen is None else None,
        )


def exchange(port: int, raw: bytes) -> Answer:
    """Send ``raw`` as it is; the answer, read to the end."""
    with socket.create_connection((HOST, port), timeout=10) as sock:
        sock.sendall(raw)
        response = http.client.HTTPResponse(sock)
        response.begin()
        body = response.read()
    headers = [(k.lower(), v) for k, v in response.getheaders()]
    return Answer(response.status, headers, body)


@dataclass(frozen=True)
class Base:
    """A request as the proxy forwards it; ``at``: where a forged line goes."""

    method: str
    path: str
    lines: tuple[bytes, ...]
    body: bytes = b""
    at: int = -1

    def raw(self, forged: bytes | None = None) -> bytes:
        lines = list(self.lines)
        if forged is not None:
            lines.insert(self.at if self.at >= 0 else len(lines), forged)
        if self.body:
            lines.append(b"Content-Length: %d" % len(self.body))
        head = f"{self.method} {self.path} HTTP/1.1\r\n".encode()
        end = b"Connection: close\r\n\r\n"
        return head + b"".join(line + b"\r\n" for line in lines) + end + self.body


GOOD = b"Host: good.example"
# A harmless line before the forged one: a folded continuation joins it.
ACCEPT = b"Accept: */*"
BASES = {
    "http": Base("GET", "/a", (GOOD, b"X-Forwarded-Proto: http", ACCEPT)),
    "https": Base("GET", "/a", (GOOD, b"X-Forwarded-Proto: https", ACCEPT)),
    "cross-site post": Base(
        "POST",
        "/a",
        (GOOD, b"X-Forwarded-Proto: https", b"Sec-Fetch-Site: cross-site", ACCEPT),
    ),
    "foreign origin post": Base(
        "POST",
        "/a",
        (GOOD, b"X-Forwarded-Proto: https", b"Origin: https://evil.example", ACCEPT),
    ),
    "report": Base(
        "POST",
        "/_/csp-reports",
        (GOOD, b"Content-Type: application/csp-report", ACCEPT),
        REPORT_BODY,
    ),
}
#: Each name a forger spells, its value, and the requests it is tried on.
FORGED = {
    "X-Forwarded-Proto": (b"https", ["http"]),
    "X-Forwarded-Host": (b"evil.example", ["http", "https"]),
    "X-Forwarded-Port": (b"6666", ["http", "https"]),
    "X-Forwarded-Prefix": (b"/evil", ["http", "https"]),
    "Host": (b"evil.example", ["http", "https"]),
    "Content-Length": (b"0", ["report"]),
    "Sec-Fetch-Site": (b"same-origin", ["cross-site post", "foreign origin post"]),
    "Origin": (b"https://good.example", ["foreign origin post"]),
}
MARKERS = (b"evil", b"6666")


def spellings(name: str, value: bytes) -> dict[str, bytes]:
    """Forged lines for ``name``, by kind; none is the name itself."""
    texts = {
        "underscore": name.replace("-", "_"),
        "lower underscore": name.lower().replace("-", "_"),
        "dots": name.replace("-", "."),
        "space before colon": name + " ",
        "tab before colon": name + "\t",
        "U+2010 hyphen": name.replace("-", "\u2010"),
        "soft hyphen": name.replace("-", "\xad"),
        "Cyrillic o": name.replace("o", "\u043e"),
        "long s": name.replace("s", "\u017f"),
    }
    lines = {
        kind: text.encode("latin-1" if text.isascii() or "\xad" in text else "utf-8")
        + b": "
        + value
        for kind, text in texts.items()
        if text.lower() != name.lower()  # case aside, that is the header itself
    }
    lines["folded"] = b" " + name.encode() + b": " + value
    return lines


ROWS = [
    pytest.param(base, line, kind, id=f"{name}:{kind}:{base}")
    for name, (value, bases) in FORGED.items()
    for kind, line in spellings(name, value).items()
    for base in bases
]


@pytest.mark.parametrize(("base", "line", "kind"), ROWS)
def test_a_forged_line_changes_nothing_or_the_server_refuses_it(
    server: Server, base: str, line: bytes, kind: str
) -> None:
    request = BASES[base]
    answer = exchange(server.port, request.raw(line))
    if server.name in PASS_UNDERSCORES and "underscore" in kind:
        # They pass these names on: the middleware itself must ignore them.
        assert answer.through, answer
    if not answer.through:
        assert 400 <= answer.status < 500, answer
        return
    assert answer.essence() == exchange(server.port, request.raw()).essence()
    head = "\n".join(f"{k}: {v}" for k, v in answer.headers).encode("latin-1")
    assert not any(marker in head + answer.body for marker in MARKERS), answer


def test_the_issues_requests_are_redirected_to_the_real_host(server: Server) -> None:
    http = BASES["http"]
    for line in (b"X_Forwarded_Proto: https", b"X_Forwarded_Host: evil.example"):
        answer = exchange(server.port, http.raw(line))
        assert (answer.status, answer.through) == (301, True), answer
        assert answer.get("location") == ["https://good.example/a"]
        assert answer.get("strict-transport-security") == []
    answer = exchange(
        server.port, BASES["https"].raw(b"X_Forwarded_Host: evil.example")
    )
    assert answer.seen["hosts"] == ["good.example"], answer


def test_a_clients_own_forwarded_line_before_the_proxys_does_not_win(
    server: Server,
) -> None:
    before = Base("GET", "/a", BASES["http"].lines, at=1)  # before the proxy's
    answer = exchange(server.port, before.raw(b"X-Forwarded-Proto: https"))
    # gunicorn refuses two scheme headers that disagree; the others join them.
    assert answer.status in (301, 400), answer
    assert answer.get("strict-transport-security") == []
    assert answer.seen is None
    host = Base(
        "GET", "/a", (*BASES["https"].lines, b"X-Forwarded-Host: good.example"), at=2
    )
    answer = exchange(server.port, host.raw(b"X-Forwarded-Host: evil.example"))
    assert answer.seen["hosts"] in (["good.example"], ["good.example:443"]), answer


def test_a_second_host_never_reaches_location(server: Server) -> None:
    answer = exchange(server.port, BASES["http"].raw(b"Host: evil.example"))
    assert answer.status == 400, answer  # the server's, or the redirect's
    assert answer.get("location") == []


# Controls: the exact headers do reach the middleware on every server, so the
# rows above test it and not a server that drops everything.


def test_the_proxys_own_headers_are_used(server: Server) -> None:
    https = exchange(server.port, BASES["https"].raw())
    assert https.status == 200 and https.get("strict-transport-security"), https
    assert https.seen["scheme"] == "https"
    forwarded = BASES["https"].raw(b"X-Forwarded-Host: www.good.example")
    assert exchange(server.port, forwarded).seen["hosts"] == ["www.good.example"]
    prefixed = BASES["https"].raw(b"X-Forwarded-Prefix: /shop")
    assert exchange(server.port, prefixed).seen["prefix"] == "/shop"
    assert exchange(server.port, BASES["http"].raw()).status == 301
    assert exchange(server.port, BASES["cross-site post"].raw()).status == 403
    assert exchange(server.port, BASES["foreign origin post"].raw()).status == 403
    assert exchange(server.port, BASES["report"].raw()).status == 204


# What docs/deployment.md says of the servers it warns about.

_WSGIREF = """
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server
from tests.integration.seams_app import wsgi
WSGIRequestHandler.log_message = lambda *args: None
make_server("127.0.0.1", int(sys.argv[1]), wsgi).serve_forever()
"""


def test_wsgiref_files_an_underscore_name_under_the_proxys_key() -> None:
    # Why the docs say never to run it behind a proxy with trusted_proxies:
    # it joins X_Forwarded_Proto to X-Forwarded-Proto, and the client's comes
    # last. Should wsgiref stop doing so, this fails and the warning can go.
    port = free_port()
    with running(["-c", _WSGIREF, str(port)], port):
        answer = exchange(port, BASES["http"].raw(b"X_Forwarded_Proto: https"))
    assert answer.status == 200 and answer.get("strict-transport-security")


def test_waitress_by_default_removes_the_proxys_scheme() -> None:
    # Why the docs give waitress --no-clear-untrusted-proxy-headers: without it
    # an https request forwarded by the proxy is redirected to itself.
    port = free_port()
    command = ["-m", "waitress", f"--listen={HOST}:{port}"]
    with running([*command, "tests.integration.seams_app:wsgi"], port):
        answer = exchange(port, BASES["https"].raw())
    assert answer.status == 301
    assert answer.get("location") == ["https://good.example/a"]


def test_wsgi_to_asgi_files_an_underscore_name_under_the_proxys_key_too() -> None:
    # Why the docs say a WSGI app under an ASGI server is in wsgiref's case:
    # asgiref's WsgiToAsgi builds HTTP_X_FORWARDED_PROTO from x_forwarded_proto.
    from asgiref.wsgi import WsgiToAsgi

    from tests.asgi_bridge import run_async
    from tests.integration.seams_app import wsgi

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    headers = [(b"host", b"good.example"), (b"x-forwarded-proto", b"http")]
    scope = http_scope("/a", [*headers, (b"x_forwarded_proto", b"https")])
    run_async(WsgiToAsgi(wsgi)(scope, receive, send))
    assert sent[0]["status"] == 200
    assert any(k == b"strict-transport-security" for k, _ in sent[0]["headers"])
