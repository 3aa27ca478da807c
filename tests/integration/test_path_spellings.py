"""A rule applies to every request its view is served for, whatever the spelling.

werkzeug (Flask) and Falcon strip leading slashes and werkzeug merges repeated
ones; gunicorn and waitress pass such paths to the app as the client wrote them.
For each spelling, whenever the framework serves the same view as for the
canonical path, the headers we add must be those of the canonical path.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import falcon
import flask
import pytest
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from secheaders_wsgi import SecureHeaders
from tests.integration.spellings_app import RULES, flask_app
from tests.support import (
    RecordingStartResponse,
    environ_for,
    free_port,
    request,
    running,
)

# Headers that depend on the response, not on the rule.
_VOLATILE = {"content-length", "content-type", "date", "server", "location"}

# (spelling, the canonical path a router may serve it as)
SPELLINGS = [
    ("//admin", "/admin"),
    ("///admin", "/admin"),
    ("///admin/x", "/admin/x"),
    ("/admin//x", "/admin/x"),
    ("//admin//x//", "/admin/x/"),
    ("//embed/x", "/embed/x"),
    ("//embed//x", "/embed/x"),
    ("/./admin", "/admin"),
    ("/admin/../embed/x", "/admin/../embed/x"),
    ("/embed/../admin", "/embed/../admin"),
    ("/ADMIN/x", "/ADMIN/x"),
    ("/admin/", "/admin/"),
]


def ours(headers: list[tuple[str, str]]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers if k.lower() not in _VOLATILE}


def call(app: Any, path: str, **extra: Any) -> tuple[str, bytes, dict[str, str]]:
    start_response = RecordingStartResponse()
    body = b"".join(app(environ_for(path, **extra), start_response))
    return str(start_response.status), body, ours(start_response.headers)


def falcon_app() -> Any:
    class View:
        def __init__(self, name: str) -> None:
            self.name = name

        def on_get(self, req: Any, resp: Any, **params: Any) -> None:
            resp.text = f"{self.name}:{sorted(params.items())}"

    inner = falcon.App()
    inner.add_route("/admin", View("admin"))
    inner.add_route("/admin/{rest}", View("admin"))
    inner.add_route("/embed/{rest}", View("embed"))
    return SecureHeaders(inner, RULES)


FRAMEWORKS = {"flask": lambda: flask_app, "falcon": falcon_app}


@pytest.mark.parametrize("framework", FRAMEWORKS)
@pytest.mark.parametrize(("spelling", "canonical"), SPELLINGS)
def test_a_spelling_served_as_the_canonical_view_gets_its_headers(
    framework: str, spelling: str, canonical: str
) -> None:
    app = FRAMEWORKS[framework]()
    status, body, headers = call(app, spelling)
    canonical_status, canonical_body, canonical_headers = call(app, canonical)
    if status.startswith("200") and (status, body) == (
        canonical_status,
        canonical_body,
    ):
        assert headers == canonical_headers


def test_the_spellings_flask_serves_as_admin_are_not_rare() -> None:
    """The table above is no vacuous pass: Flask serves these as /admin views."""
    served = [
        s for s, c in SPELLINGS if call(flask_app, s)[:2] == call(flask_app, c)[:2]
    ]
    assert {"//admin", "///admin/x", "//embed/x"} <= set(served)
    assert call(flask_app, "//admin")[2]["referrer-policy"] == "no-referrer"
    assert (
        "frame-ancestors https://partner.example"
        in (call(flask_app, "//embed//x")[2]["content-security-policy"])
    )


def test_dot_segments_stay_literal_as_the_router_keeps_them() -> None:
    # Flask serves /admin/../embed/x with the admin view: it keeps admin's rule,
    # never the frameable /embed/ one (resolving ".." here would give it that).
    status, body, headers = call(flask_app, "/admin/../embed/x")
    assert body == b"admin:../embed/x"
    assert headers["x-frame-options"] == "DENY"
    assert "partner.example" not in headers["content-security-policy"]


def test_inside_a_script_name_mount_too() -> None:
    mounted = DispatcherMiddleware(falcon.App(), {"/site": flask_app})
    for spelling, canonical in SPELLINGS:
        status, body, headers = call(mounted, "/site" + spelling)
        c_status, c_body, c_headers = call(mounted, "/site" + canonical)
        if status.startswith("200") and (status, body) == (c_status, c_body):
            assert headers == c_headers, spelling
    status, body, headers = call(flask_app, "///admin/x", SCRIPT_NAME="/mounted")
    assert body == b"admin:x" and headers["referrer-policy"] == "no-referrer"


# Real servers: the raw spelling on the wire, a UTF-8 prefix as PEP 3333 delivers it.


def _command(server: str, port: int) -> list[str]:
    listen = f"127.0.0.1:{port}"
    target = "tests.integration.spellings_app:app"
    if server == "gunicorn":
        return ["-m", "gunicorn", "--bind", listen, "--workers", "1", target]
    return ["-m", "waitress", f"--listen={listen}", target]


@pytest.fixture(scope="module", params=["gunicorn", "waitress"])
def port(request: pytest.FixtureRequest) -> Iterator[int]:
    port = free_port()
    with running(_command(request.param, port), port):
        yield port


@pytest.mark.parametrize(
    ("spelling", "expected"),
    [
        ("//admin", "admin"),
        ("///admin/x", "admin:x"),
        ("//embed/x", "embed:x"),
    ],
)
def test_real_servers_pass_the_spelling_and_the_rule_still_holds(
    port: int, spelling: str, expected: str
) -> None:
    status, headers, body = request(port, spelling)
    canonical = "/" + "/".join(part for part in spelling.split("/") if part)
    c_status, c_headers, c_body = request(port, canonical)
    assert (status, body.decode()) == (200, expected) == (c_status, c_body.decode())
    assert ours(list(headers.items())) == ours(list(c_headers.items()))


def test_a_non_ascii_prefix_matches_the_utf8_path_on_a_real_server(port: int) -> None:
    # What a browser sends for /café/menu: the UTF-8 bytes, percent-encoded.
    status, headers, body = request(port, "/caf%C3%A9/menu")
    assert (status, body) == (200, b"cafe:menu")
    assert headers["Referrer-Policy"] == "same-origin"
    status, headers, body = request(port, "//caf%C3%A9//menu")
    assert headers["Referrer-Policy"] == "same-origin"


# force_https_exempt is keyed by path too: a health check answered over http
# under every spelling Flask serves it for, and nothing else exempted by one.


def health_app() -> Any:
    app = flask.Flask(__name__)

    @app.route("/healthz")
    def healthz() -> str:
        return "ok"

    @app.route("/healthz/<path:rest>")
    def below(rest: str) -> str:
        return f"ok:{rest}"

    @app.route("/<path:rest>")
    def page(rest: str) -> str:
        return f"page:{rest}"

    config = {"force_https": True, "force_https_exempt": ["/healthz"]}
    return SecureHeaders(app.wsgi_app, config)


@pytest.mark.parametrize("spelling", ["/healthz", "//healthz", "///healthz/x"])
def test_an_exempt_path_is_exempt_under_each_spelling(spelling: str) -> None:
    status, body, _ = call(health_app(), spelling, HTTP_HOST="site.example")
    assert status.startswith("200") and body.startswith(b"ok"), (status, body)


@pytest.mark.parametrize("spelling", ["/x", "//x", "/healthzx", "/x/healthz"])
def test_a_spelling_never_exempts_another_path(spelling: str) -> None:
    status, body, _ = call(health_app(), spelling, HTTP_HOST="site.example")
    assert status.startswith("30") and b"ok" not in body, (status, body)
