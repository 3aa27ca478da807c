"""The cross-origin decision (:class:`CrossOriginGuard`), request by request.

Two tables. Every combination of method, Sec-Fetch-Site, Sec-Fetch-Mode,
Sec-Fetch-Dest and Origin (missing, this host's, another's, ``null``, a
trusted one) is checked, per mode, against the sources transcribed as they
are written: Go's ``CrossOriginProtection.Check`` (src/net/http/csrf.go) and
web.dev's ``allow_request`` ("Protect your resources from web attacks with
Fetch Metadata"). The cases those sources single out are also written by
hand, with the answer each gives.

Nothing here goes through the middleware: the guard is called by the request
core, which passes the headers as the request carried them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import replace
from itertools import product

import pytest

from secheaders_wsgi import load_config
from secheaders_wsgi.request.cross_origin import (
    REASONS,
    CrossOriginGuard,
    RefusalLog,
)

HOST = "app.example"
HERE = f"https://{HOST}"
OTHER = "https://evil.example"
TRUSTED = "https://sso.example"

METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE", "get", "post")
SITES = (None, "", "same-origin", "same-site", "cross-site", "none", "Cross-Site")
FETCH_MODES = (None, "navigate", "no-cors", "cors", "same-origin", "websocket")
DESTS = (None, "document", "iframe", "object", "embed", "image", "script", "empty")
ORIGINS = (None, "", HERE, OTHER, "null", TRUSTED)


# -- The sources, transcribed.


def go_check(
    method: str, site: str | None, origin: str | None, host: str, *, same_site: bool
) -> str | None:
    """Go 1.25 CrossOriginProtection.Check, with ``same_site_trusted``."""
    if method in ("GET", "HEAD", "OPTIONS"):
        return None
    site = site or ""  # Header.Get gives "" for a missing header
    if site == "":
        pass
    elif site in ("same-origin", "none") or (same_site and site == "same-site"):
        return None
    else:
        return None if origin == TRUSTED else "sec-fetch-site"
    if not origin:
        return None
    if "://" in origin and origin.split("://", 1)[1] == host:
        return None
    return None if origin == TRUSTED else "origin-mismatch"


def web_dev_allow(
    method: str, site: str | None, mode: str | None, dest: str | None
) -> bool:
    """web.dev's allow_request, without its optional path exemptions."""
    if not site:
        return True
    if site in ("same-origin", "same-site", "none"):
        return True
    if mode == "navigate" and method == "GET" and dest not in ("object", "embed"):
        return True
    return False


def expected(
    mode: str,
    method: str,
    site: str | None,
    fetch_mode: str | None,
    dest: str | None,
    origin: str | None,
    *,
    same_site: bool = False,
) -> str | None:
    """csrf: Go. isolation: Go for unsafe methods, web.dev for the safe ones."""
    if mode == "csrf" or method not in ("GET", "HEAD", "OPTIONS"):
        return go_check(method, site, origin, HOST, same_site=same_site)
    if web_dev_allow(method, site, fetch_mode, dest) or origin == TRUSTED:
        return None
    return "cross-site-subresource"


def _guard(mode: str, *, same_site: bool = False, **more: object) -> CrossOriginGuard:
    config = {
        "mode": mode,
        "trusted_origins": [TRUSTED],
        "same_site_trusted": same_site,
        **more,
    }
    guard = CrossOriginGuard.for_config(load_config({"cross_origin": config}))
    assert guard is not None
    return guard


@pytest.mark.parametrize("same_site", [False, True], ids=["", "same-site-trusted"])
@pytest.mark.parametrize("site", SITES, ids=repr)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("mode", ["csrf", "isolation"])
def test_every_combination_decides_as_the_sources_do(
    mode: str, method: str, site: str | None, same_site: bool
) -> None:
    guard = _guard(mode, same_site=same_site)
    wrong = [
        (fetch_mode, dest, origin, got, want)
        for fetch_mode, dest, origin in product(FETCH_MODES, DESTS, ORIGINS)
        if (got := guard.check(method, site, fetch_mode, dest, origin, "https", HOST))
        != (
            want := expected(
                mode, method, site, fetch_mode, dest, origin, same_site=same_site
            )
        )
    ]
    assert wrong == []


@pytest.mark.parametrize("site", SITES, ids=repr)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("mode", ["csrf", "isolation"])
def test_report_only_never_refuses_and_logs_each_would_be_refusal(
    mode: str, method: str, site: str | None
) -> None:
    records: list[str | None] = []
    guard = replace(_guard(mode, report_only=True), log=Recorded(records))
    for fetch_mode, dest, origin in product(FETCH_MODES, DESTS, ORIGINS):
        records.clear()
        reason = guard.check(method, site, fetch_mode, dest, origin, "https", HOST)
        answer = guard.answer(
            method, site, fetch_mode, dest, origin, "https", HOST, "/x"
        )
        assert answer is None
        assert records == ([] if reason is None else [reason])


class Recorded(RefusalLog):
    """A RefusalLog that keeps the reasons instead of writing lines."""

    def __init__(self, reasons: list[str | None]) -> None:
        super().__init__()
        self.reasons = reasons

    def __call__(self, reason: str, **fields: object) -> bool:  # type: ignore[override]
        assert fields["disposition"] in ("report", "enforce")
        self.reasons.append(reason)
        return True


def test_the_tables_cover_every_reason_and_both_answers() -> None:
    """The product above is no empty loop: it reaches every outcome."""
    seen = set()
    for mode, method, site, fetch_mode, dest, origin in product(
        ("csrf", "isolation"), METHODS, SITES, FETCH_MODES, DESTS, ORIGINS
    ):
        seen.add(
            _guard(mode).check(method, site, fetch_mode, dest, origin, "https", HOST)
        )
    assert seen == {None, *REASONS} - {"cross-origin-websocket"}


def _websocket_rule(site: str | None, origin: str | None, same_site: bool) -> bool:
    """A handshake is a state-changing request, as Go's rules see one."""
    return go_check("POST", site, origin, HOST, same_site=same_site) is None


@pytest.mark.parametrize("same_site", [False, True])
@pytest.mark.parametrize("origin", ORIGINS)
@pytest.mark.parametrize("site", SITES)
@pytest.mark.parametrize("mode", ["csrf", "isolation"])
def test_a_websocket_handshake_is_checked_as_a_state_changing_request(
    mode: str, site: str | None, origin: str | None, same_site: bool
) -> None:
    # Cross-site WebSocket hijacking: the GET opens a channel with cookies.
    got = _guard(mode, same_site=same_site).check_websocket(site, origin, "https", HOST)
    allowed = _websocket_rule(site, origin, same_site)
    assert (got is None) is allowed
    assert got in (None, "cross-origin-websocket")


def test_a_websocket_from_another_page_on_ws_compares_hosts_and_ports() -> None:
    guard = _guard("csrf")
    assert guard.check_websocket(None, "http://app.example", "http", HOST) is None
    assert guard.check_websocket(None, "http://app.example:8080", "http", HOST) == (
        "cross-origin-websocket"
    )
    assert (
        guard.check_websocket(None, "null", "https", HOST) == "cross-origin-websocket"
    )


# -- The cases the sources single out, by hand.

CASES = [
    # csrf mode: Go's rules
    pytest.param("csrf", "POST", "cross-site", "navigate", "document", OTHER,
                 "sec-fetch-site", id="cross-site-form-post"),
    pytest.param("csrf", "POST", "same-site", "cors", "empty", "https://b.app.example",
                 "sec-fetch-site", id="same-site-is-another-origin"),
    pytest.param("csrf", "POST", "same-origin", "cors", "empty", HERE,
                 None, id="same-origin-fetch"),
    pytest.param("csrf", "POST", "none", "navigate", "document", None,
                 None, id="none-user-initiated"),
    pytest.param("csrf", "DELETE", "cross-site", "cors", "empty", OTHER,
                 "sec-fetch-site", id="cross-site-delete"),
    pytest.param("csrf", "POST", "cross-site", "cors", "empty", TRUSTED,
                 None, id="trusted-origin"),
    pytest.param("csrf", "POST", "cross-site", "cors", "empty", TRUSTED + "/",
                 "sec-fetch-site", id="trusted-is-exact"),
    pytest.param("csrf", "POST", "cross-site", "cors", "empty", "HTTPS://SSO.EXAMPLE",
                 "sec-fetch-site", id="trusted-is-exact-case"),
    pytest.param("csrf", "POST", "same-origin, cross-site", "cors", "empty", HERE,
                 "sec-fetch-site", id="two-values-joined-is-no-browser-value"),
    pytest.param("csrf", "GET", "cross-site", "no-cors", "image", OTHER,
                 None, id="safe-method-passes"),
    pytest.param("csrf", "OPTIONS", "cross-site", "cors", "empty", OTHER,
                 None, id="preflight-passes"),
    pytest.param("csrf", "GET", "cross-site", "websocket", "empty", OTHER,
                 None, id="websocket-passes-in-csrf"),
    pytest.param("csrf", "get", "cross-site", "cors", "empty", OTHER,
                 "sec-fetch-site", id="methods-are-case-sensitive"),
    # csrf mode without Sec-Fetch-Site: Origin against Host
    pytest.param("csrf", "POST", None, None, None, None,
                 None, id="no-headers-not-a-browser"),
    pytest.param("csrf", "POST", None, None, None, HERE,
                 None, id="origin-matches-host"),
    pytest.param("csrf", "POST", None, None, None, "http://app.example",
                 None, id="scheme-not-compared-as-in-go"),
    pytest.param("csrf", "POST", None, None, None, OTHER,
                 "origin-mismatch", id="origin-mismatch"),
    pytest.param("csrf", "POST", None, None, None, "null",
                 "origin-mismatch", id="origin-null"),
    pytest.param("csrf", "POST", None, None, None, "https://app.example:8443",
                 "origin-mismatch", id="another-port"),
    pytest.param("csrf", "POST", None, None, None, "https://app.example.evil.example",
                 "origin-mismatch", id="host-as-prefix"),
    pytest.param("csrf", "POST", "", None, None, OTHER,
                 "origin-mismatch", id="empty-sec-fetch-site-is-missing"),
    pytest.param("csrf", "POST", None, None, None, TRUSTED,
                 None, id="trusted-without-sec-fetch-site"),
    # isolation mode: web.dev's resource isolation policy on top
    pytest.param("isolation", "GET", "cross-site", "no-cors", "image", None,
                 "cross-site-subresource", id="cross-site-img"),
    pytest.param("isolation", "GET", "cross-site", "no-cors", "script", None,
                 "cross-site-subresource", id="cross-site-script-inclusion"),
    pytest.param("isolation", "GET", "cross-site", "cors", "empty", OTHER,
                 "cross-site-subresource", id="cross-site-fetch"),
    pytest.param("isolation", "GET", "cross-site", "websocket", "empty", OTHER,
                 "cross-site-subresource", id="cross-site-websocket"),
    pytest.param("isolation", "GET", "cross-site", "navigate", "document", None,
                 None, id="top-level-navigation"),
    pytest.param("isolation", "GET", "cross-site", "navigate", "iframe", None,
                 None, id="framing-is-frame-ancestors-business"),
    pytest.param("isolation", "GET", "cross-site", "navigate", "object", None,
                 "cross-site-subresource", id="object-navigation"),
    pytest.param("isolation", "GET", "cross-site", "navigate", "embed", None,
                 "cross-site-subresource", id="embed-navigation"),
    pytest.param("isolation", "HEAD", "cross-site", "navigate", "document", None,
                 "cross-site-subresource", id="navigation-by-head"),
    pytest.param("isolation", "POST", "cross-site", "navigate", "document", OTHER,
                 "sec-fetch-site", id="navigation-by-post"),
    pytest.param("isolation", "GET", "same-site", "no-cors", "image", None,
                 None, id="same-site-subresource"),
    pytest.param("isolation", "GET", None, None, None, None,
                 None, id="no-fetch-metadata"),
    pytest.param("isolation", "GET", "cross-site", "cors", "empty", TRUSTED,
                 None, id="trusted-cors-fetch"),
    pytest.param("isolation", "OPTIONS", "cross-site", "cors", "empty", OTHER,
                 "cross-site-subresource", id="cross-site-preflight"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("mode", "method", "site", "fetch_mode", "dest", "origin", "reason"), CASES
)
def test_the_cases_the_sources_single_out(
    mode: str,
    method: str,
    site: str | None,
    fetch_mode: str | None,
    dest: str | None,
    origin: str | None,
    reason: str | None,
) -> None:
    assert (
        _guard(mode).check(method, site, fetch_mode, dest, origin, "https", HOST)
        == reason
    )


def test_same_site_trusted_lets_a_sibling_post() -> None:
    sibling = ("POST", "same-site", "cors", "empty", "https://b.app.example")
    assert _guard("csrf").check(*sibling, "https", HOST) == "sec-fetch-site"
    assert _guard("csrf", same_site=True).check(*sibling, "https", HOST) is None
    # Without Sec-Fetch-Site a sibling's Origin is another host: only
    # trusted_origins lets it in there (telling same-site takes a suffix list).
    old = ("POST", None, None, None, "https://b.app.example")
    assert _guard("csrf", same_site=True).check(*old, "https", HOST) == (
        "origin-mismatch"
    )


@pytest.mark.parametrize(
    ("origin", "scheme", "host", "reason"),
    [
        pytest.param(HERE, "https", "app.example:443", None, id="default-port-in-host"),
        pytest.param("http://app.example", "http", "app.example:80", None, id="http-80"),
        pytest.param(HERE, "https", "APP.Example", None, id="host-case"),
        pytest.param("https://app.example:8443", "https", "app.example:8443", None,
                     id="same-other-port"),
        pytest.param("http://app.example:443", "https", "app.example:443",
                     "origin-mismatch", id="http-on-443-is-not-https"),
        pytest.param(HERE, "https", "app.example:8443", "origin-mismatch",
                     id="origin-without-the-port"),
        pytest.param(HERE, "https", None, "origin-mismatch", id="no-host"),
        pytest.param(HERE, "https", "", "origin-mismatch", id="empty-host"),
        pytest.param("https://[::1]:8443", "https", "[::1]:8443", None, id="ipv6"),
        pytest.param("app.example", "https", "app.example", "origin-mismatch",
                     id="origin-without-scheme"),
    ],
)  # fmt: skip
def test_origin_against_host(
    origin: str, scheme: str, host: str | None, reason: str | None
) -> None:
    assert _guard("csrf").check("POST", None, None, None, origin, scheme, host) == (
        reason
    )


def test_behind_proxies_the_forwarded_host_is_what_counts() -> None:
    """The core passes the host after trusted proxies: the guard compares that."""
    guard = _guard("csrf")
    forwarded = ("POST", None, None, None, "https://www.example", "https")
    assert guard.check(*forwarded, "www.example") is None
    assert guard.check(*forwarded, "10.0.0.7:8000") == "origin-mismatch"


def test_off_by_default_and_in_a_rule_that_turns_it_off() -> None:
    config = load_config(
        {
            "cross_origin": {"mode": "csrf"},
            "paths": [{"prefix": "/hooks/", "cross_origin": False}],
        }
    )
    assert CrossOriginGuard.for_config(load_config({})) is None
    assert CrossOriginGuard.for_config(config) == CrossOriginGuard("csrf")
    assert CrossOriginGuard.for_config(config.paths[0][1]) is None


def test_the_preset_guards() -> None:
    standard = CrossOriginGuard.for_config(load_config({"preset": "standard"}))
    strict = CrossOriginGuard.for_config(load_config({"preset": "strict"}))
    assert standard == CrossOriginGuard("csrf", report_only=True)
    assert strict == CrossOriginGuard("csrf", report_only=False)


# -- The answer: a 403, and the log line.


@pytest.fixture
def lines() -> Iterator[list[logging.LogRecord]]:
    """The records written to ``secheaders.cross_origin``."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("secheaders.cross_origin")
    handler = Keep()
    logger.addHandler(handler)
    try:
        yield records
    finally:
        logger.removeHandler(handler)


FORM_POST = ("POST", "cross-site", "navigate", "document", OTHER, "https", HOST)


def test_an_enforced_refusal_is_a_403_and_a_log_line(
    lines: list[logging.LogRecord],
) -> None:
    guard = CrossOriginGuard("csrf", log=RefusalLog())
    refusal = guard.answer(*FORM_POST, "/transfer")
    assert refusal is not None
    assert refusal.status == "403 Forbidden"
    assert dict(refusal.headers) == {
        "Content-Type": "text/plain; charset=utf-8",
        "Content-Length": str(len(refusal.body)),
        "Cache-Control": "no-store",
    }
    assert refusal.body == (
        b"Forbidden: cross-origin protection refused a state-changing request "
        b"from another origin.\n"
    )
    [record] = lines
    assert record.levelno == logging.WARNING
    assert json.loads(record.getMessage()) == {
        "disposition": "enforce",
        "reason": "sec-fetch-site",
        "method": "POST",
        "path": "/transfer",
        "sec_fetch_site": "cross-site",
        "sec_fetch_mode": "navigate",
        "sec_fetch_dest": "document",
        "origin": OTHER,
        "dropped": 0,
    }
    assert record.cross_origin["reason"] == "sec-fetch-site"  # type: ignore[attr-defined]


def test_report_only_logs_the_same_line_and_lets_it_through(
    lines: list[logging.LogRecord],
) -> None:
    guard = CrossOriginGuard("csrf", report_only=True, log=RefusalLog())
    assert guard.answer(*FORM_POST, "/transfer") is None
    [record] = lines
    assert json.loads(record.getMessage())["disposition"] == "report"


def test_a_request_that_passes_writes_nothing(lines: list[logging.LogRecord]) -> None:
    guard = CrossOriginGuard("csrf", log=RefusalLog())
    same = ("POST", "same-origin", "cors", "empty", HERE, "https", HOST, "/")
    assert guard.answer(*same) is None
    assert lines == []


@pytest.mark.parametrize("reason", sorted(REASONS))
def test_a_head_request_gets_the_length_and_no_body(reason: str) -> None:
    full, head = (
        CrossOriginGuard.refusal(reason),
        CrossOriginGuard.refusal(reason, True),
    )
    assert head.status == full.status == "403 Forbidden"
    assert head.headers == full.headers
    assert head.body == b"" and full.body.startswith(b"Forbidden: cross-origin ")
    assert dict(full.headers)["Content-Length"] == str(len(full.body))


def test_answer_picks_the_head_variant() -> None:
    guard = CrossOriginGuard("isolation", log=RefusalLog())
    img = ("cross-site", "no-cors", "image", None, "https", HOST, "/")
    assert guard.answer("HEAD", *img) == CrossOriginGuard.refusal(
        "cross-site-subresource", True
    )
    assert guard.answer("GET", *img) == CrossOriginGuard.refusal(
        "cross-site-subresource"
    )


def test_each_reason_has_its_own_refusal_built_once() -> None:
    bodies = {CrossOriginGuard.refusal(reason).body for reason in REASONS}
    assert len(bodies) == len(REASONS)
    assert CrossOriginGuard.refusal("sec-fetch-site") is CrossOriginGuard.refusal(
        "sec-fetch-site"
    )


# -- The log's bounds.


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _write(log: RefusalLog, **changes: str) -> bool:
    fields = {
        "disposition": "report",
        "method": "POST",
        "path": "/x",
        "sec_fetch_site": "cross-site",
        "sec_fetch_mode": "navigate",
        "sec_fetch_dest": "document",
        "origin": OTHER,
        **changes,
    }
    return log("sec-fetch-site", **fields)  # type: ignore[arg-type]


def test_a_flood_writes_the_burst_then_one_line_per_period(
    lines: list[logging.LogRecord],
) -> None:
    clock = Clock()
    log = RefusalLog(burst=5, per_second=2.0, clock=clock)
    written = [_write(log) for _ in range(1000)]
    assert written.count(True) == 5 and written[:5] == [True] * 5
    clock.now += 1.0  # two more lines' worth
    assert [_write(log) for _ in range(10)].count(True) == 2
    clock.now += 3600  # refilled to the burst, not to 7200 lines
    assert [_write(log) for _ in range(100)].count(True) == 5
    assert len(lines) == 12


def test_the_next_line_says_how_many_were_dropped(
    lines: list[logging.LogRecord],
) -> None:
    clock = Clock()
    log = RefusalLog(burst=1, per_second=1.0, clock=clock)
    _write(log)
    for _ in range(41):
        _write(log)
    clock.now += 1
    _write(log)
    _write(log)
    clock.now += 1
    _write(log)
    dropped = [json.loads(r.getMessage())["dropped"] for r in lines]
    assert dropped == [0, 41, 1]


def test_a_clock_that_goes_back_adds_nothing(lines: list[logging.LogRecord]) -> None:
    clock = Clock()
    log = RefusalLog(burst=1, per_second=1.0, clock=clock)
    _write(log)
    clock.now -= 100
    assert not _write(log)


def test_request_values_are_cut_and_escaped(lines: list[logging.LogRecord]) -> None:
    log = RefusalLog()
    _write(log, path="/" + "a" * 10_000, origin="https://e.example\r\nForged: 1")
    [record] = lines
    line = record.getMessage()
    assert "\n" not in line and "\r" not in line
    fields = json.loads(line)
    assert fields["path"] == "/" + "a" * (RefusalLog.MAX_FIELD - 1)
    assert fields["origin"] == "https://e.example\r\nForged: 1"
    assert len(line) < 2000
