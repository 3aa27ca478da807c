"""What ``SecureHeaders`` costs per request, in process, against the limit and peers.

Run it from the repository root::

    python benchmarks/overhead.py            # full run, about a minute
    python benchmarks/overhead.py --quick    # smoke run, a few seconds
    python benchmarks/overhead.py --json     # machine-readable
    python benchmarks/overhead.py -k nonce   # some rows (and what they divide by)

The *limit* of a row is :func:`limits.keeps_promises`, the cheapest hand-written
middleware that keeps SecureHeaders' promises for the same config; *x limit*
divides a row's overhead by its limit's. :func:`limits.append_only` is a
reference row: what sending the bytes costs when no promise is kept. The
timing is :mod:`harness`'s; the peers are in :mod:`peers`. To add a row,
append a :class:`harness.Variant` in :func:`variants`.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import harness
import peers
from harness import (
    APP_HEADERS,
    BODY,
    Header,
    Row,
    Variant,
    WSGIApp,
    cookie_app,
    nonce_app,
    trivial_app,
)
from limits import WithClosures, append_only, keeps_promises, record
from promises import broken_promises, pass_through

import secheaders_wsgi
from secheaders_wsgi import SecureHeaders, update_csp, use_override

# The one import of package internals in benchmarks/: the directive names a
# 40-directive policy is made of.
from secheaders_wsgi.config.csp_grammar import BARE_DIRECTIVES, SOURCE_LIST_DIRECTIVES

RULES = 1000
CSP = "Content-Security-Policy"
NONCE = {"csp_unsafe_inline": False}  # a nonce goes in only without 'unsafe-inline'
SECURED = {"server_secured": True}
LIMIT = "limit: keeps the promises"
CLOSURES_LIMIT = "limit as it was: closures"
APPEND = "append only (breaks the promises)"
NONCE_LIMIT = "limit: nonce used"
SECURED_LIMIT = "limit: secured + 2 cookies"
# Per-response control.
CDN = "https://cdn.example.com"
PARTNER = "https://partner.example.com"
OVERRIDES = {"overrides": {"embed": {"csp_frame_ancestors": ["'self'", PARTNER]}}}
PLAIN_OVERRIDES = "SecureHeaders plain response, overrides configured"
EMBED = {"PATH_INFO": "/embed"}
# cross_origin: a request that passes the check, as a browser sends it.
CROSS_ORIGIN = {"cross_origin": {"mode": "csrf"}}
CROSS_ORIGIN_PASSES = "SecureHeaders cross_origin, a same-origin page passes"
BROWSER_BARE = "bare, a browser's page request (Sec-Fetch-*)"
BROWSER_DEFAULTS = "SecureHeaders defaults, the same browser request"
SAME_ORIGIN_PAGE = {
    "HTTP_SEC_FETCH_SITE": "same-origin",
    "HTTP_SEC_FETCH_MODE": "navigate",
    "HTTP_SEC_FETCH_DEST": "document",
}


@functools.cache
def _limit_checked() -> None:
    broken = broken_promises(lambda app, c: keeps_promises(app, record(c)))
    broken += pass_through(lambda app, c: keeps_promises(app, record(c)))
    if broken:
        raise AssertionError(f"the limit breaks promises: {broken}")


def limit_for(config: Any = None) -> Callable[[WSGIApp], WSGIApp]:
    """The promise-keeping limit for ``config``, its promises checked first."""
    _limit_checked()
    ours = record(config)
    return lambda app: keeps_promises(app, ours)


def forty_directives() -> dict[str, list[str]]:
    """A custom policy of 40 directives, several sources each."""
    policy: dict[str, list[str]] = {
        name: ["'self'", f"https://cdn{i}.example.com", "*.gstatic.com"]
        for i, name in enumerate(SOURCE_LIST_DIRECTIVES)
        if name != "frame-ancestors"
    }
    policy["frame-ancestors"] = ["'self'", "https://partner.example.com"]
    policy.update({name: [] for name in BARE_DIRECTIVES})
    i = 0
    while len(policy) < 40:  # directives this version does not know: sent as written
        policy[f"x-bench-{i:02d}"] = ["https://bench.example.com"]
        i += 1
    return policy


def _build_forty() -> WSGIApp:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the unknown-directive warning
        return SecureHeaders(
            trivial_app,
            {
                "csp_header": forty_directives(),
                "csp_unsafe_inline": True,
                "csp_unsafe_eval": True,
            },
        )


def paths_config(rules: int) -> dict[str, Any]:
    return {
        "paths": [
            {"prefix": f"/p{i:04d}/", "referrer_policy": "no-referrer"}
            for i in range(RULES - rules, RULES)
        ]
    }


NEW_PATHS_BARE = "bare, a new path each request"
NEW_PATHS = "SecureHeaders 1 per-path rule, a new path each request"


def new_paths(app: WSGIApp) -> WSGIApp:
    """``app``, each call under another path (of 10,000, one in ten a rule's)."""
    paths = itertools.cycle(
        f"/p{RULES - 1:04d}/{i}" if i % 10 == 0 else f"/other/{i}"
        for i in range(10_000)
    )

    def call(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        environ["PATH_INFO"] = next(paths)
        return app(environ, start_response)

    return call


TURN_BARE = "bare, http and https in turn"
TURN_LIMIT = "limit, http and https in turn"


def schemes_in_turn(app: WSGIApp) -> WSGIApp:
    """``app``, its calls over http and https in turn, as a site without
    ``force_https`` sees them."""
    schemes = itertools.cycle(("http", "https"))

    def call(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        environ["wsgi.url_scheme"] = next(schemes)
        return app(environ, start_response)

    return call


def _has(*names: str) -> Callable[[list[Header]], None]:
    def check(response_headers: list[Header]) -> None:
        got = {n.lower() for n, _ in response_headers}
        missing = [n for n in names if n.lower() not in got]
        if missing:
            raise AssertionError(f"missing {missing} in {response_headers}")

    return check


def _check_nonce(response_headers: list[Header]) -> None:
    csp = dict(response_headers).get(CSP, "")
    if csp.count("'nonce-") != 2:
        raise AssertionError(f"no nonce in script-src and style-src: {csp!r}")


def _check_secure_cookies(response_headers: list[Header]) -> None:
    cookies = [v for n, v in response_headers if n.lower() == "set-cookie"]
    if len(cookies) != 2 or not all("secure" in v.lower() for v in cookies):
        raise AssertionError(f"cookies not kept and secured: {cookies}")
    _has("Strict-Transport-Security")(response_headers)


def csp_update_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """A view that loads one image from a CDN."""
    update_csp(environ, {"img-src": [CDN]})
    start_response("200 OK", list(APP_HEADERS))
    return [BODY]


def override_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """An embeddable view: a named override from the config."""
    use_override(environ, "embed")
    start_response("200 OK", list(APP_HEADERS))
    return [BODY]


def some_pages(view: WSGIApp, config: dict[str, Any]) -> WSGIApp:
    """``view`` on ``/embed``, a plain response elsewhere, as a site has it; the
    middleware has answered plain pages first, as it will have in production."""

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        if environ["PATH_INFO"] == "/embed":
            return view(environ, start_response)
        return trivial_app(environ, start_response)

    wrapped = SecureHeaders(app, config)
    for _ in range(1000):
        for _chunk in wrapped(harness.base_environ(), lambda *a: None):
            pass
    return wrapped


def _check_update(response_headers: list[Header]) -> None:
    csp = dict(response_headers).get(CSP, "")
    if f"blob: {CDN};" not in csp or "'nonce-" in csp:
        raise AssertionError(f"the update_csp was not applied: {csp!r}")


def _check_override(response_headers: list[Header]) -> None:
    csp = dict(response_headers).get(CSP, "")
    if f"frame-ancestors 'self' {PARTNER}" not in csp:
        raise AssertionError(f"the override was not applied: {csp!r}")


def _check_paths(response_headers: list[Header]) -> None:
    if dict(response_headers).get("Referrer-Policy") != "no-referrer":
        raise AssertionError(f"the per-path rule was not applied: {response_headers}")


def variants() -> list[Variant]:
    defaults = list(record().http.headers)
    path = {"PATH_INFO": f"/p{RULES - 1:04d}/page"}
    return [
        # The trivial app.
        Variant("bare", lambda: trivial_app),
        Variant(
            APPEND,
            lambda: append_only(trivial_app, defaults),
            limit=LIMIT,
            check=_has(CSP),
            note="reference: the cost of the bytes alone",
        ),
        Variant(LIMIT, lambda: limit_for()(trivial_app), limit=LIMIT, check=_has(CSP)),
        Variant(
            CLOSURES_LIMIT,
            lambda: WithClosures(trivial_app, record()),
            limit=LIMIT,
            check=_has(CSP),
            note="reference: the limit until 2026-12-08, two closures a request",
        ),
        Variant(
            "SecureHeaders defaults",
            lambda: SecureHeaders(trivial_app),
            limit=LIMIT,
            check=_has(CSP),
        ),
        Variant(TURN_BARE, lambda: schemes_in_turn(trivial_app), group=TURN_BARE),
        Variant(
            TURN_LIMIT,
            lambda: schemes_in_turn(limit_for()(trivial_app)),
            group=TURN_BARE,
            limit=TURN_LIMIT,
            check=_has(CSP),
        ),
        Variant(
            "SecureHeaders defaults, http and https in turn",
            lambda: schemes_in_turn(SecureHeaders(trivial_app)),
            group=TURN_BARE,
            limit=TURN_LIMIT,
            check=_has(CSP),
            note="no target: states of two kinds in turn (one state class: "
            "CPython 3.11 keeps attribute access fast where it meets one)",
        ),
        Variant(
            "SecureHeaders 40-directive policy",
            _build_forty,
            limit=LIMIT,
            check=_has(CSP),
        ),
        Variant(
            PLAIN_OVERRIDES,
            lambda: SecureHeaders(trivial_app, OVERRIDES),
            limit=LIMIT,
            check=_has(CSP),
            note="no call: what every other response pays",
        ),
        Variant(
            "SecureHeaders named override used",
            lambda: SecureHeaders(override_app, OVERRIDES),
            limit=LIMIT,
            check=_check_override,
        ),
        Variant(
            "SecureHeaders named override used, after plain pages",
            lambda: some_pages(override_app, OVERRIDES),
            limit=LIMIT,
            environ=EMBED,
            check=_check_override,
            note="no target: a page that asks, where most do not",
        ),
        # The same browser request with and without the key: its three more
        # headers make the environ outgrow its table when the middleware adds
        # its keys, a cost of the request's size that the defaults pay too.
        Variant(
            BROWSER_BARE,
            lambda: trivial_app,
            environ=SAME_ORIGIN_PAGE,
            group=BROWSER_BARE,
        ),
        Variant(
            BROWSER_DEFAULTS,
            lambda: SecureHeaders(trivial_app),
            group=BROWSER_BARE,
            limit=LIMIT,
            environ=SAME_ORIGIN_PAGE,
            check=_has(CSP),
        ),
        Variant(
            CROSS_ORIGIN_PASSES,
            lambda: SecureHeaders(trivial_app, CROSS_ORIGIN),
            group=BROWSER_BARE,
            limit=LIMIT,
            environ=SAME_ORIGIN_PAGE,
            check=_has(CSP),
            note="the target divides by the defaults on the same request",
        ),
        Variant(
            "SecureHeaders 1 per-path rule",
            lambda: SecureHeaders(trivial_app, paths_config(1)),
            limit=LIMIT,
            environ=path,
            check=_check_paths,
        ),
        Variant(
            f"SecureHeaders {RULES:,} per-path rules",
            lambda: SecureHeaders(trivial_app, paths_config(RULES)),
            limit=LIMIT,
            environ=path,
            check=_check_paths,
        ),
        # The plan of a path seen lately is kept: the rows above ask for one
        # path again and again, as pages are. These ask for a new one each
        # time (more paths than are kept), the lookup walked every time.
        Variant(NEW_PATHS_BARE, lambda: new_paths(trivial_app), group=NEW_PATHS_BARE),
        Variant(
            NEW_PATHS,
            lambda: new_paths(SecureHeaders(trivial_app, paths_config(1))),
            group=NEW_PATHS_BARE,
            limit=LIMIT,
            note="no target: shows what a path not seen lately costs",
        ),
        Variant(
            NONCE_LIMIT,
            lambda: limit_for(NONCE)(nonce_app),
            limit=NONCE_LIMIT,
            check=_check_nonce,
        ),
        Variant(
            "SecureHeaders nonce used",
            lambda: SecureHeaders(nonce_app, NONCE),
            limit=NONCE_LIMIT,
            check=_check_nonce,
        ),
        Variant(
            "SecureHeaders nonce used, after plain pages",
            lambda: some_pages(nonce_app, NONCE),
            limit=NONCE_LIMIT,
            environ=EMBED,
            check=_check_nonce,
            note="no target: a page that asks, where most do not",
        ),
        Variant(
            "SecureHeaders one update_csp",
            lambda: SecureHeaders(csp_update_app, NONCE),
            limit=NONCE_LIMIT,
            check=_check_update,
            note="no nonce; the target divides by 'nonce used'",
        ),
        Variant(
            "secure.py SecureWSGIMiddleware",
            peers.secure_py,
            limit=LIMIT,
            check=_has(CSP),
            note="peer, same four headers",
        ),
        # server_secured with two cookies: its own bare app and limit.
        Variant("bare + 2 cookies", lambda: cookie_app, group="bare + 2 cookies"),
        Variant(
            SECURED_LIMIT,
            lambda: limit_for(SECURED)(cookie_app),
            group="bare + 2 cookies",
            limit=SECURED_LIMIT,
            check=_check_secure_cookies,
        ),
        Variant(
            "SecureHeaders secured + 2 cookies",
            lambda: SecureHeaders(cookie_app, SECURED),
            group="bare + 2 cookies",
            limit=SECURED_LIMIT,
            check=_check_secure_cookies,
        ),
        *_framework("Flask", peers.flask_app, peers.flask_talisman, "Flask-Talisman"),
        *_framework(
            "Django",
            lambda: peers.django_handler([]),
            lambda: peers.django_handler([peers.SECURITY_MIDDLEWARE]),
            "SecurityMiddleware",
            "peer, 3 headers, no CSP",
        ),
    ]


def _framework(
    name: str,
    app: Callable[[], WSGIApp],
    peer: Callable[[], WSGIApp],
    peer_name: str,
    peer_note: str = "peer",
) -> list[Variant]:
    """Bare, limit, ours and the peer on one framework app, environ copied."""
    bare, limit = f"{name} bare", f"{name} + limit"
    check_peer = _has(CSP if peer_note == "peer" else "X-Content-Type-Options")
    return [
        Variant(bare, app, group=bare, framework=True),
        Variant(
            limit,
            lambda: limit_for()(app()),
            group=bare,
            limit=limit,
            framework=True,
            check=_has(CSP),
            note="the limit, measured after the framework's work",
        ),
        Variant(
            f"{name} + SecureHeaders",
            lambda: SecureHeaders(app()),
            group=bare,
            limit=limit,
            framework=True,
            check=_has(CSP),
        ),
        Variant(
            f"{name} + {peer_name}",
            peer,
            group=bare,
            limit=limit,
            framework=True,
            check=check_peer,
            note=peer_note,
        ),
    ]


def targets(rows: dict[str, Row]) -> list[dict[str, Any]]:
    """The goals this run can judge: (what, value, goal, met).

    Each divides by a promise-keeping limit or by SecureHeaders itself; a goal
    against the append-only reference is one no middleware that keeps the
    promises can reach, so there is none.
    """
    ratio = functools.partial(harness.overhead_ratio, rows)
    at_most = [
        ("defaults overhead / limit overhead", "SecureHeaders defaults", LIMIT, 1.1),
        (
            "secured + 2 cookies overhead / its limit",
            "SecureHeaders secured + 2 cookies",
            SECURED_LIMIT,
            1.25,
        ),
        (
            "nonce used overhead / its limit",
            "SecureHeaders nonce used",
            NONCE_LIMIT,
            1.15,
        ),
    ]
    found = [
        harness.target(what, ratio(a, b), f"<= {goal}", goal.__ge__)
        for what, a, b, goal in at_most
    ]
    # A response that uses no per-response control costs what it cost; one
    # update_csp costs no more than a nonce.
    for what, a, b, goal in (
        (
            "plain response, overrides configured / defaults",
            PLAIN_OVERRIDES,
            "SecureHeaders defaults",
            1.1,
        ),
        (
            "one update_csp overhead / nonce used overhead",
            "SecureHeaders one update_csp",
            "SecureHeaders nonce used",
            1.0,
        ),
        (
            # A rule is a lookup by path before the app runs, not a second
            # pass over the request.
            "1 per-path rule overhead / defaults overhead",
            "SecureHeaders 1 per-path rule",
            "SecureHeaders defaults",
            1.2,
        ),
        (
            # The check is a few string comparisons: a request it lets
            # through costs about what it cost without the key.
            "cross_origin, a request that passes / defaults, same request",
            CROSS_ORIGIN_PASSES,
            BROWSER_DEFAULTS,
            1.15,
        ),
        (
            # Both pick a plan built before the request: an override costs
            # no more than a path rule does.
            "named override used / 1 per-path rule",
            "SecureHeaders named override used",
            "SecureHeaders 1 per-path rule",
            1.0,
        ),
    ):
        found.append(harness.target(what, ratio(a, b), f"<= {goal}", goal.__ge__))
    talisman = "Flask + Flask-Talisman"
    for what, b in (
        (
            "Flask-Talisman overhead / SecureHeaders defaults overhead",
            "SecureHeaders defaults",
        ),
        (
            "Flask-Talisman overhead / Flask + SecureHeaders overhead",
            "Flask + SecureHeaders",
        ),
    ):
        found.append(
            harness.target(what, ratio(talisman, b), ">= 10", lambda v: v >= 10)
        )
    flat = "flat (0.9 - 1.1)"
    for what, a, b in (
        (
            "40 directives overhead / defaults overhead",
            "SecureHeaders 40-directive policy",
            "SecureHeaders defaults",
        ),
        (
            f"{RULES:,} per-path rules overhead / 1 rule overhead",
            f"SecureHeaders {RULES:,} per-path rules",
            "SecureHeaders 1 per-path rule",
        ),
    ):
        found.append(harness.target(what, ratio(a, b), flat, lambda v: 0.9 <= v <= 1.1))
    return found


def run(
    quick: bool = False,
    samples: int | None = None,
    number: int | None = None,
    only: Callable[[Variant], bool] | None = None,
) -> dict[str, Any]:
    """Build, check and time every variant; return the results as a dict."""
    chosen = [v for v in variants() if only is None or only(v)]
    result, rows = harness.run(chosen, quick=quick, samples=samples, number=number)
    result["secheaders_wsgi"] = str(Path(secheaders_wsgi.__file__).parent)
    result["targets"] = targets(rows)
    return result


def _matching(match: str) -> Callable[[Variant], bool]:
    """Variants whose name contains ``match``, and what they are measured against."""
    known = {v.name: v for v in variants()}
    keep = {name for name in known if match.lower() in name.lower()}
    while True:
        chosen = [known[name] for name in keep]
        more = {v.group for v in chosen} | {v.limit for v in chosen if v.limit}
        if more <= keep:
            return lambda v: v.name in keep
        keep |= more


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="a few seconds, for smoke tests"
    )
    parser.add_argument(
        "--json", action="store_true", help="print JSON instead of a table"
    )
    parser.add_argument("--samples", type=int, help="rounds per variant (default 30)")
    parser.add_argument("--number", type=int, help="calls per sample (default 2000)")
    parser.add_argument(
        "-k", dest="match", help="only variants whose name contains this"
    )
    args = parser.parse_args(argv)
    only = _matching(args.match) if args.match else None
    result = run(quick=args.quick, samples=args.samples, number=args.number, only=only)
    harness.print_result(result, args.json, calls_note=" (frameworks / 5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
