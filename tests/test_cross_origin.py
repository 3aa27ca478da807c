"""cross_origin through the middleware: refused before the app, on both adapters.

The decision itself, every combination, is tests/test_cross_origin_check.py;
here, what a request meets: the 403 and its headers, the app not called,
report-only, exempt paths in every spelling, and the host behind proxies.
"""

from __future__ import annotations

import logging

import pytest

from tests.support import RecordingApp, served, values

CSRF = {"cross_origin": {"mode": "csrf"}}
CROSS_SITE = {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}
SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}


def test_a_cross_site_post_is_refused_before_the_app_with_our_headers() -> None:
    recorder = RecordingApp()
    response = served(CSRF, app=recorder).post("/order", headers=CROSS_SITE, status=403)
    assert recorder.calls == []
    assert response.text == (
        "Forbidden: cross-origin protection refused a state-changing request "
        "from another origin.\n"
    )
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    # A response of the site's: our headers too, once each.
    assert values(response, "X-Content-Type-Options") == ["nosniff"]
    assert len(values(response, "Content-Security-Policy")) == 1


def test_a_refused_head_has_no_body() -> None:
    isolation = {"cross_origin": {"mode": "isolation"}}
    headers = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors"}
    response = served(isolation).head("/x", headers=headers, status=403)
    assert response.body == b""


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(SAME_ORIGIN, id="same-origin"),
        pytest.param({"Sec-Fetch-Site": "none"}, id="typed-url"),
        pytest.param({}, id="no-browser"),
        pytest.param({"Origin": "http://localhost"}, id="old-browser-same-host"),
    ],
)
def test_what_csrf_mode_lets_through_reaches_the_app(headers: dict[str, str]) -> None:
    recorder = RecordingApp()
    served(CSRF, app=recorder).post("/order", headers=headers)
    assert len(recorder.calls) == 1


def test_report_only_refuses_nothing_and_logs_the_would_be_refusal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = RecordingApp()
    config = {"cross_origin": {"mode": "csrf", "report_only": True}}
    with caplog.at_level(logging.WARNING, logger="secheaders.cross_origin"):
        served(config, app=recorder).post("/order", headers=CROSS_SITE)
    assert len(recorder.calls) == 1
    [record] = [r for r in caplog.records if r.name == "secheaders.cross_origin"]
    assert '"disposition": "report"' in record.getMessage()
    assert '"path": "/order"' in record.getMessage()


RULES = {
    **CSRF,
    "paths": [
        {"prefix": "/saml/acs", "cross_origin": False},
        {"prefix": "/static/", "cross_origin": {"report_only": True}},
    ],
}


@pytest.mark.parametrize(
    "path", ["/saml/acs", "/saml/acs/", "//saml/acs", "/saml//acs", "/saml/acs/x"]
)
def test_a_rule_exempts_its_prefix_in_every_spelling(path: str) -> None:
    recorder = RecordingApp()
    served(RULES, app=recorder).post(path, headers=CROSS_SITE)
    assert len(recorder.calls) == 1


@pytest.mark.parametrize("path", ["/saml", "/samlx/acs", "/saml/ac", "/SAML/acs"])
def test_paths_outside_the_exempt_prefix_stay_protected(path: str) -> None:
    recorder = RecordingApp()
    served(RULES, app=recorder).post(path, headers=CROSS_SITE, status=403)
    assert recorder.calls == []


def test_a_rule_can_make_its_prefix_report_only() -> None:
    recorder = RecordingApp()
    served(RULES, app=recorder).post("/static/x", headers=CROSS_SITE)
    assert len(recorder.calls) == 1


@pytest.mark.parametrize(
    ("forwarded_host", "status"),
    [("shop.example", 200), ("other.example", 403)],
)
def test_behind_a_trusted_proxy_the_origin_is_compared_with_the_forwarded_host(
    forwarded_host: str, status: int
) -> None:
    config = {**CSRF, "trusted_proxies": 1}
    headers = {
        "Host": "backend:8000",
        "X-Forwarded-Host": forwarded_host,
        "X-Forwarded-Proto": "https",
        "Origin": "https://shop.example",
    }
    served(config).post("/order", headers=headers, status=status)


def test_isolation_refuses_a_cross_site_image_and_lets_a_link_through() -> None:
    recorder = RecordingApp()
    app = served({"cross_origin": {"mode": "isolation"}}, app=recorder)
    image = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors",
             "Sec-Fetch-Dest": "image"}  # fmt: skip
    app.get("/api/me", headers=image, status=403)
    link = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate",
            "Sec-Fetch-Dest": "document"}  # fmt: skip
    app.get("/api/me", headers=link)
    assert len(recorder.calls) == 1


def test_the_strict_preset_refuses_a_cross_site_post_and_standard_only_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    served({"preset": "strict"}).post("/order", headers=CROSS_SITE, status=403)
    recorder = RecordingApp()
    with caplog.at_level(logging.WARNING, logger="secheaders.cross_origin"):
        served({"preset": "standard"}, app=recorder).post("/order", headers=CROSS_SITE)
    assert len(recorder.calls) == 1
    assert any(r.name == "secheaders.cross_origin" for r in caplog.records)
