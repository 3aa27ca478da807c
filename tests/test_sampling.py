"""csp_report_sample_rate: the share of responses whose policies carry report-uri
and report-to, picked per response from variants built at start-up.

The random source is replaced by a seeded one: each test's outcome is fixed.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from webtest import TestApp

from secheaders_wsgi import SecureHeaders, load_config, update_csp, use_override
from secheaders_wsgi import response as response_module
from secheaders_wsgi.policy import headers
from tests.support import RecordingApp, csp_of, served, values

CSP = "Content-Security-Policy"
CSP_RO = "Content-Security-Policy-Report-Only"
RECEIVER = {"csp_report_path": "/_/csp-reports"}
TRIAL = {"csp_report_only_header": {"default-src": "'none'"}}


def _reports(response: Any) -> bool:
    """Whether every policy of the response reports, or none does (else fail)."""
    policies = [csp_of(v) for v in values(response, CSP) + values(response, CSP_RO)]
    has = {("report-uri" in p, "report-to" in p) for p in policies}
    assert has in ({(True, True)}, {(False, False)}), has
    endpoints = "Reporting-Endpoints" in response.headers
    reporting = has == {(True, True)}
    assert endpoints is reporting
    return reporting


@pytest.fixture
def draws(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[float]]:
    """The middleware's random source, seeded; yields the numbers it drew."""
    seeded = random.Random(20261130)
    drawn: list[float] = []

    def draw() -> float:
        drawn.append(seeded.random())
        return drawn[-1]

    monkeypatch.setattr(response_module, "random", draw)
    yield drawn


def _stub(monkeypatch: pytest.MonkeyPatch, value: float) -> None:
    monkeypatch.setattr(response_module, "random", lambda: value)


def _once(monkeypatch: pytest.MonkeyPatch, value: float) -> None:
    """``value`` for the first draw; a second draw for the response fails."""
    draws = iter([value])

    def draw() -> float:
        drawn = next(draws, None)
        assert drawn is not None, "a second number drawn for one response"
        return drawn

    monkeypatch.setattr(response_module, "random", draw)


def test_the_default_reports_on_every_response_and_draws_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def never() -> float:
        raise AssertionError("no number is drawn at rate 1")

    monkeypatch.setattr(response_module, "random", never)
    app = served({**RECEIVER, **TRIAL})
    assert all(_reports(app.get("/")) for _ in range(20))


def test_rate_zero_never_reports_and_draws_nothing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def never() -> float:
        raise AssertionError("no number is drawn at rate 0")

    monkeypatch.setattr(response_module, "random", never)
    app = served({**RECEIVER, **TRIAL, "csp_report_sample_rate": 0})
    assert not any(_reports(app.get("/")) for _ in range(20))


@pytest.mark.parametrize(
    ("drawn", "reports"),
    [(0.0, True), (0.2499, True), (0.25, False), (0.9999, False)],
    ids=str,
)
def test_a_response_reports_when_the_draw_is_under_the_rate(
    monkeypatch: pytest.MonkeyPatch, drawn: float, reports: bool
) -> None:
    _stub(monkeypatch, drawn)
    app = served({**RECEIVER, **TRIAL, "csp_report_sample_rate": 0.25})
    assert _reports(app.get("/")) is reports


def test_the_share_of_reporting_responses_follows_the_draws(
    draws: list[float],
) -> None:
    app = served({**RECEIVER, "csp_report_sample_rate": 0.25})

    reported = sum(_reports(app.get("/")) for _ in range(2000))

    # One draw per response, and exactly those under the rate report.
    assert len(draws) == 2000
    assert reported == sum(d < 0.25 for d in draws)
    assert 400 <= reported <= 600  # about a quarter, for this seed


def test_the_unsampled_policy_is_the_sampled_one_without_reporting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = {**RECEIVER, **TRIAL, "csp_report_sample_rate": 0.5}
    _stub(monkeypatch, 0.1)
    sampled = served(config).get("/")
    _stub(monkeypatch, 0.9)
    quiet = served(config).get("/")
    for name in (CSP, CSP_RO):
        with_reports = csp_of(sampled.headers[name])
        del with_reports["report-uri"], with_reports["report-to"]
        assert csp_of(quiet.headers[name]) == with_reports
    # Everything else is the same.
    skip = {CSP, CSP_RO, "Reporting-Endpoints"}
    assert [h for h in sampled.headerlist if h[0] not in skip] == [
        h for h in quiet.headerlist if h[0] not in skip
    ]


def test_a_policy_that_reports_itself_is_sampled_too(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = {
        "csp_header": {"default-src": "'self'", "report-uri": "/r"},
        "csp_unsafe_inline": False,
        "csp_unsafe_eval": False,
        "csp_report_sample_rate": 0.5,
    }
    _stub(monkeypatch, 0.9)
    assert "report-uri" not in csp_of(served(config).get("/").headers[CSP])
    _stub(monkeypatch, 0.1)
    assert csp_of(served(config).get("/").headers[CSP])["report-uri"] == ["/r"]


@pytest.mark.parametrize("drawn", [0.1, 0.9], ids=["sampled", "unsampled"])
def test_the_nonce_goes_into_either_variant(
    monkeypatch: pytest.MonkeyPatch, drawn: float
) -> None:
    _stub(monkeypatch, drawn)
    config = {**RECEIVER, "preset": "strict", "csp_report_sample_rate": 0.5}
    response = served(config, nonce=True).get("/")
    policy = csp_of(response.headers[CSP])
    assert f"'nonce-{response.text}'" in policy["script-src"]
    assert ("report-uri" in policy) is (drawn < 0.5)
    assert response.headers["Cache-Control"] == "private"


def test_a_rule_samples_at_its_own_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    config = {
        **RECEIVER,
        "paths": [{"prefix": "/busy/", "csp_report_sample_rate": 0.01}],
    }
    _stub(monkeypatch, 0.5)
    app = TestApp(SecureHeaders(RecordingApp(), config))
    assert _reports(app.get("/"))
    assert not _reports(app.get("/busy/page"))


def test_the_integrity_policy_keeps_its_endpoint_on_unsampled_responses(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _stub(monkeypatch, 0.9)
    config = {
        **RECEIVER,
        "csp_report_sample_rate": 0.5,
        "integrity_policy": {
            "blocked-destinations": ["script"],
            "endpoints": ["csp-endpoint"],
        },
    }
    response = served(config).get("/")
    assert "report-uri" not in csp_of(response.headers[CSP])
    assert response.headers["Reporting-Endpoints"] == 'csp-endpoint="/_/csp-reports"'


def test_policy_headers_without_reporting() -> None:
    config = load_config({**RECEIVER, **TRIAL})
    sent: Callable[[bool], dict[str, str]] = lambda reporting: dict(  # noqa: E731
        headers(config, https=True, reporting=reporting)
    )
    assert "report-to csp-endpoint" in sent(True)[CSP]
    assert "report-uri" not in sent(False)[CSP]
    assert "report-uri" not in sent(False)[CSP_RO]
    assert "Reporting-Endpoints" not in sent(False)


def _with_override(config: dict[str, Any]) -> Any:
    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        use_override(environ, "busy")
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<p>hi</p>"]

    return TestApp(SecureHeaders(app, config)).get("/")


@pytest.mark.parametrize("drawn", [0.005, 0.5], ids=["sampled", "unsampled"])
def test_an_override_samples_at_its_own_rate(
    monkeypatch: pytest.MonkeyPatch, drawn: float
) -> None:
    # The top level reports always: the number is drawn once the override
    # is known, where the response's headers are put together.
    _once(monkeypatch, drawn)
    config = {**RECEIVER, "overrides": {"busy": {"csp_report_sample_rate": 0.01}}}
    assert _reports(_with_override(config)) is (drawn < 0.01)


@pytest.mark.parametrize("drawn", [0.1, 0.9], ids=["sampled", "unsampled"])
def test_one_draw_per_response_holds_through_an_override(
    monkeypatch: pytest.MonkeyPatch, drawn: float
) -> None:
    _once(monkeypatch, drawn)
    config = {
        **RECEIVER,
        "csp_report_sample_rate": 0.5,
        "overrides": {"busy": {"referrer_policy": "no-referrer"}},
    }
    response = _with_override(config)
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert _reports(response) is (drawn < 0.5)


@pytest.mark.parametrize("drawn", [0.1, 0.9], ids=["sampled", "unsampled"])
def test_csp_update_keeps_the_draw(
    monkeypatch: pytest.MonkeyPatch, drawn: float
) -> None:
    _stub(monkeypatch, drawn)

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        update_csp(environ, {"img-src": ["https://cdn.example"]})
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<p>hi</p>"]

    config = {**RECEIVER, "csp_report_sample_rate": 0.5}
    response = TestApp(SecureHeaders(app, config)).get("/")
    assert "https://cdn.example" in csp_of(response.headers[CSP])["img-src"]
    assert _reports(response) is (drawn < 0.5)
