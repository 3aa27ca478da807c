"""One record for every report type: what each Reporting API body and the legacy
report-uri body become (reports/record.py). The Reporting API bodies are the
shapes Chromium sends (tests/integration/test_reports_browser.py captures them
live into tests/fixtures/reports/types.jsonl)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from secheaders_wsgi.reports.record import (
    Report,
    from_report_uri,
    from_reporting_api,
    noise_scheme,
    user_agent_family,
)
from tests.integration.rollout_capture import FIXTURES

CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/156.0.0.0 Safari/537.36"
)


def entry(kind: str, body: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "age": 1200,
        "url": "https://site.example/page?session=1",
        "user_agent": CHROME,
        "body": body,
        **more,
    }


def fields(report: Report | None, *names: str) -> tuple[Any, ...]:
    assert report is not None
    return tuple(getattr(report, name) for name in names)


NAMES = ("type", "directive", "blocked", "page", "disposition", "destination")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param(
            entry(
                "coep",
                {
                    "type": "corp",
                    "blockedURL": "https://cdn.example/a.png",
                    "destination": "image",
                    "disposition": "reporting",
                },
            ),
            ("coep", "corp", "https://cdn.example", "https://site.example/page",
             "report", "image"),
            id="coep-report-only",
        ),
        pytest.param(
            entry(
                "coop",
                {
                    "type": "navigation-to-response",
                    "disposition": "enforce",
                    "effectivePolicy": "same-origin",
                    "previousResponseURL": "https://other.example/x",
                },
            ),
            ("coop", "navigation-to-response", "https://other.example",
             "https://site.example/page", "enforce", None),
            id="coop",
        ),
        pytest.param(
            entry(
                "integrity-violation",
                {
                    "documentURL": "https://site.example/doc",
                    "blockedURL": "https://cdn.example/lib.js",
                    "destination": "script",
                    "reportOnly": True,
                },
            ),
            ("integrity-violation", "script", "https://cdn.example",
             "https://site.example/doc", "report", "script"),
            id="integrity-policy-report-only",
        ),
        pytest.param(
            entry(
                "permissions-policy-violation",
                {
                    "featureId": "geolocation",
                    "sourceFile": "https://site.example/app.js",
                    "lineNumber": 3,
                    "columnNumber": 9,
                    "disposition": "enforce",
                },
            ),
            ("permissions-policy-violation", "geolocation", None,
             "https://site.example/page", "enforce", None),
            id="permissions-policy",
        ),
        pytest.param(
            entry(
                "csp-violation",
                {
                    "documentURL": "https://site.example/tt",
                    "effectiveDirective": "require-trusted-types-for",
                    "blockedURL": "trusted-types-sink",
                    "sample": "Element innerHTML|<img src=x onerror=alert(1)>",
                    "disposition": "report",
                },
            ),
            ("csp-violation", "require-trusted-types-for", "Element innerHTML",
             "https://site.example/tt", "report", None),
            id="trusted-types-sink",
        ),
        pytest.param(
            entry(
                "csp-violation",
                {
                    "documentURL": "https://site.example/tt",
                    "effectiveDirective": "trusted-types",
                    "blockedURL": "trusted-types-policy",
                    "sample": "dompurify",
                },
            ),
            ("csp-violation", "trusted-types", "trusted-types-policy",
             "https://site.example/tt", "enforce", None),
            id="trusted-types-policy",
        ),
    ],
)  # fmt: skip
def test_each_report_type_gets_the_same_flat_fields(
    raw: dict[str, Any], expected: tuple[Any, ...]
) -> None:
    report = from_reporting_api(raw, time="2026-01-01T00:00:00.000Z")
    assert fields(report, *NAMES) == expected
    assert fields(report, "user_agent", "age_ms", "format") == (
        "Chrome",
        1200,
        "reports+json",
    )
    assert report is not None
    assert all(
        value is None or isinstance(value, (str, int))
        for value in report.fields().values()
    )


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param({"type": "deprecation", "body": {"id": "x"}}, id="deprecation"),
        pytest.param({"type": "intervention", "body": {}}, id="intervention"),
        pytest.param({"type": "coep", "body": "not a dict"}, id="body-not-a-dict"),
        pytest.param({"type": ["coep"], "body": {}}, id="type-not-a-string"),
        pytest.param({"body": {}}, id="no-type"),
    ],
)
def test_what_is_not_a_report_we_keep_is_none(raw: dict[str, Any]) -> None:
    assert from_reporting_api(raw) is None


def test_fields_of_the_wrong_type_are_none_and_long_ones_cut() -> None:
    report = from_reporting_api(
        entry(
            "csp-violation",
            {
                "effectiveDirective": 7,
                "blockedURL": "https://a.example/" + "x" * 5000,
                "lineNumber": 2**60,
                "sample": "s" * 1000,
                "originalPolicy": ["not", "text"],
            },
            age=True,
            user_agent=None,
        )
    )
    assert report is not None
    assert (report.directive, report.line, report.policy, report.age_ms) == (
        None,
        None,
        None,
        None,
    )
    assert report.blocked_url is not None and len(report.blocked_url) == 1024
    assert report.sample is not None and len(report.sample) == 256
    assert report.sample.endswith("\u2026")


def test_the_legacy_body_takes_the_browser_from_the_request() -> None:
    firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
    report = from_report_uri(
        {"effective-directive": "IMG-SRC", "blocked-uri": "data"}, user_agent=firefox
    )
    assert fields(report, "directive", "blocked", "user_agent", "format") == (
        "img-src",
        "data",
        "Firefox",
        "csp-report",
    )


@pytest.mark.parametrize(
    ("agent", "family"),
    [
        (CHROME, "Chrome"),
        ("Mozilla/5.0 ... Chrome/120.0 Safari/537.36 Edg/120.0", "Edge"),
        ("Mozilla/5.0 ... Chrome/120.0 Safari/537.36 OPR/106.0", "Opera"),
        ("Mozilla/5.0 (Macintosh) AppleWebKit/605 Version/17.2 Safari/605", "Safari"),
        ("Mozilla/5.0 (iPhone) ... CriOS/120.0 Mobile Safari/604.1", "Chrome"),
        ("curl/8.5.0", "other"),
        (None, None),
    ],
)
def test_user_agent_family(agent: str | None, family: str | None) -> None:
    assert user_agent_family(agent) == family


@pytest.mark.parametrize(
    ("uris", "scheme"),
    [
        (("chrome-extension://abc/x.js", None), "chrome-extension"),
        (("inline", "moz-extension://1/content.js"), "moz-extension"),
        (("about:blank",), "about"),
        (("chrome://settings",), "chrome"),
        (("https://site.example/a.js", "data:x"), None),
        ((None, None), None),
    ],
)
def test_noise_scheme(uris: tuple[str | None, ...], scheme: str | None) -> None:
    assert noise_scheme(*uris) == scheme


def test_the_key_folds_what_differs_only_in_the_query_or_line() -> None:
    def report(**body: Any) -> Report | None:
        base = {
            "documentURL": "https://site.example/p?x=1",
            "effectiveDirective": "img-src",
            "blockedURL": "https://cdn.example/a.png",
        }
        return from_reporting_api(entry("csp-violation", {**base, **body}))

    one, two = report(lineNumber=1), report(documentURL="https://site.example/p?x=2")
    other_page = report(documentURL="https://site.example/q")
    assert one is not None and two is not None and other_page is not None
    assert one.key == two.key != other_page.key


def test_the_browser_capture_normalizes_to_every_type() -> None:
    types = set()
    for line in (FIXTURES / "types.jsonl").read_text().splitlines():
        for raw in json.loads(line):
            report = from_reporting_api(raw)
            assert report is not None, raw
            assert report.directive is not None, raw
            types.add(report.type)
    assert types >= {"csp-violation", "coep", "integrity-violation"}
