"""What the ASGI ``SecureHeaders`` costs per request, in process, in one run
against the hand-written ASGI limit and secure.py's ASGI middleware.

Run it from the repository root::

    python benchmarks/asgi_overhead.py            # full run, about half a minute
    python benchmarks/asgi_overhead.py --quick    # smoke run, a few seconds
    python benchmarks/asgi_overhead.py --json

Each ASGI app is driven without an event loop: its coroutine is stepped once
and must finish (nothing in these apps waits on I/O), so what is timed is the
middleware's own work, not the loop's. The timing, the interleaved rounds and
the table are :mod:`harness`'s, each ASGI app seen through a thin caller that
is the same for every row (the bare app included), so it cancels out of the
overheads. The limit is :func:`asgi_limits.keeps_promises`.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import harness
from asgi_limits import ASGIApp, bare, cookies, keeps_promises, nonce
from harness import Skip, Variant, WSGIApp
from limits import record

import secheaders_wsgi
from secheaders_wsgi.asgi import SecureHeaders

NONCE = {"csp_unsafe_inline": False}
SECURED = {"server_secured": True}
LIMIT = "ASGI limit: keeps the promises"
NONCE_LIMIT = "ASGI limit: nonce used"
SECURED_LIMIT = "ASGI limit: secured + 2 cookies"
OURS = "ASGI SecureHeaders defaults"
PEER = "secure.py SecureASGIMiddleware"

SCOPE: dict[str, Any] = {
    "type": "http",
    "asgi": {"version": "3.0", "spec_version": "2.3"},
    "http_version": "1.1",
    "method": "GET",
    "scheme": "http",
    "path": "/",
    "raw_path": b"/",
    "root_path": "",
    "query_string": b"",
    "headers": [
        (b"host", b"localhost"),
        (b"user-agent", b"bench"),
        (b"accept", b"text/html"),
    ],
    "server": ("127.0.0.1", 8000),
    "client": ("127.0.0.1", 50000),
}


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


def called(app: ASGIApp) -> WSGIApp:
    """``app`` as the harness calls apps: the start's raw headers go to
    ``start_response``, so a row's check can read them."""

    def call(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start_response("200 OK", message["headers"])

        coroutine = app(SCOPE, _receive, send)
        try:
            coroutine.send(None)
        except StopIteration:
            return ()
        raise RuntimeError("the app waited on something: it cannot be timed here")

    return call


def secure_py() -> ASGIApp:
    """secure.py's ASGI middleware with the same four headers as our defaults."""
    try:
        import secure
        from secure.middleware import SecureASGIMiddleware
    except ImportError:
        raise Skip("secure not installed (pip install -e '.[bench]')") from None
    ours = dict(record().http.headers)
    config = secure.Secure(
        csp=secure.ContentSecurityPolicy().set(ours["Content-Security-Policy"]),
        xcto=secure.XContentTypeOptions().nosniff(),
        referrer=secure.ReferrerPolicy().strict_origin_when_cross_origin(),
        custom=[secure.CustomHeader("X-XSS-Protection", ours["X-XSS-Protection"])],
    )
    return SecureASGIMiddleware(bare, secure=config)  # type: ignore[return-value]


def _has(name: bytes) -> Callable[[list[Any]], None]:
    def check(headers: list[Any]) -> None:
        if name not in {bytes(n).lower() for n, _ in headers}:
            raise AssertionError(f"missing {name!r} in {headers}")

    return check


def _check_nonce(headers: list[Any]) -> None:
    csp = dict(headers).get(b"content-security-policy", b"")
    if csp.count(b"'nonce-") != 2:
        raise AssertionError(f"no nonce in script-src and style-src: {csp!r}")


def _check_secure_cookies(headers: list[Any]) -> None:
    found = [v for n, v in headers if n.lower() == b"set-cookie"]
    if len(found) != 2 or not all(b"secure" in v.lower() for v in found):
        raise AssertionError(f"cookies not kept and secured: {found}")
    _has(b"strict-transport-security")(headers)


def variants() -> list[Variant]:
    csp = _has(b"content-security-policy")
    return [
        Variant("ASGI bare", lambda: called(bare), group="ASGI bare"),
        Variant(
            LIMIT,
            lambda: called(keeps_promises(bare, record())),
            group="ASGI bare",
            limit=LIMIT,
            check=csp,
        ),
        Variant(
            OURS,
            lambda: called(SecureHeaders(bare)),
            group="ASGI bare",
            limit=LIMIT,
            check=csp,
        ),
        Variant(
            PEER,
            lambda: called(secure_py()),
            group="ASGI bare",
            limit=LIMIT,
            check=csp,
            note="peer, same four headers",
        ),
        Variant(
            NONCE_LIMIT,
            lambda: called(keeps_promises(nonce, record(NONCE))),
            group="ASGI bare",
            limit=NONCE_LIMIT,
            check=_check_nonce,
        ),
        Variant(
            "ASGI SecureHeaders nonce used",
            lambda: called(SecureHeaders(nonce, NONCE)),
            group="ASGI bare",
            limit=NONCE_LIMIT,
            check=_check_nonce,
        ),
        Variant(
            "ASGI bare + 2 cookies",
            lambda: called(cookies),
            group="ASGI bare + 2 cookies",
        ),
        Variant(
            SECURED_LIMIT,
            lambda: called(keeps_promises(cookies, record(SECURED))),
            group="ASGI bare + 2 cookies",
            limit=SECURED_LIMIT,
            check=_check_secure_cookies,
        ),
        Variant(
            "ASGI SecureHeaders secured + 2 cookies",
            lambda: called(SecureHeaders(cookies, SECURED)),
            group="ASGI bare + 2 cookies",
            limit=SECURED_LIMIT,
            check=_check_secure_cookies,
        ),
    ]


def targets(rows: dict[str, harness.Row]) -> list[dict[str, Any]]:
    """Ours against the limit (at most 1.1x, 1.15x with cookies), secure.py
    against ours (5x)."""
    ratio = functools.partial(harness.overhead_ratio, rows)
    found = []
    for what, a, b, goal in (
        ("ASGI defaults overhead / ASGI limit overhead", OURS, LIMIT, 1.1),
        (
            "ASGI nonce used overhead / its limit",
            "ASGI SecureHeaders nonce used",
            NONCE_LIMIT,
            1.1,
        ),
        (
            "ASGI secured + 2 cookies overhead / its limit",
            "ASGI SecureHeaders secured + 2 cookies",
            SECURED_LIMIT,
            1.15,
        ),
    ):
        found.append(harness.target(what, ratio(a, b), f"<= {goal}", goal.__ge__))
    found.append(
        harness.target(
            "secure.py ASGI overhead / ASGI SecureHeaders defaults overhead",
            ratio(PEER, OURS),
            ">= 5",
            lambda v: v >= 5,
        )
    )
    return found


def run(
    quick: bool = False, samples: int | None = None, number: int | None = None
) -> dict[str, Any]:
    """Build, check and time every variant; return the results as a dict."""
    result, rows = harness.run(variants(), quick=quick, samples=samples, number=number)
    result["secheaders_wsgi"] = str(Path(secheaders_wsgi.__file__).parent)
    result["targets"] = targets(rows)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.add_argument("--samples", type=int, help="rounds per variant (default 30)")
    parser.add_argument("--number", type=int, help="calls per sample (default 2000)")
    args = parser.parse_args(argv)
    result = run(quick=args.quick, samples=args.samples, number=args.number)
    harness.print_result(result, args.json, show_load=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
