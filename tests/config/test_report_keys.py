"""report_sink, report_rate, report_window_seconds, report_summary_seconds: each
bad value is a ConfigError at start-up naming the key, the value and what is
allowed; the receiver's keys hold for the whole site."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from secheaders_wsgi import ConfigError, SecurityWarning, load_config
from secheaders_wsgi.config.report_keys import SinkSpec
from tests.support import assert_refused

RECEIVER = {"csp_report_path": "/_/csp-reports"}
FORMS = (
    "'log' (the default), {sqlite: PATH}, {sqlite: {path: PATH, max_mb: N}}, "
    "{otlp: {endpoint: URL}} or {callable: 'package.module:function'}"
)


@pytest.mark.parametrize(
    ("value", "spec"),
    [
        pytest.param("log", SinkSpec(), id="log"),
        pytest.param({"sqlite": "r.db"}, SinkSpec("sqlite", "r.db"), id="sqlite"),
        pytest.param(
            {"sqlite": {"path": "r.db", "max_mb": 2}},
            SinkSpec("sqlite", "r.db", max_bytes=2 * 1024 * 1024),
            id="sqlite-bound",
        ),
        pytest.param(
            {
                "otlp": {
                    "endpoint": "https://otel.example/v1/logs",
                    "headers": {"api-key": "k"},
                    "timeout": 3,
                }
            },
            SinkSpec(
                "otlp",
                "https://otel.example/v1/logs",
                headers=(("api-key", "k"),),
                timeout=3.0,
            ),
            id="otlp",
        ),
        pytest.param(
            {"callable": "app.reports:store"},
            SinkSpec("callable", "app.reports:store"),
            id="callable",
        ),
    ],
)
def test_report_sink_forms(value: Any, spec: SinkSpec) -> None:
    assert load_config({**RECEIVER, "report_sink": value}).report_sink == spec


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(
            "logs",
            f"report_sink: 'logs' is not a report sink (allowed: {FORMS}). "
            "Did you mean 'log'?",
            id="typo",
        ),
        pytest.param(
            {"sqlite": "a", "otlp": {}},
            "report_sink: {'sqlite': 'a', 'otlp': {}} is not a report sink "
            f"(allowed: {FORMS})",
            id="two-sinks",
        ),
        pytest.param(
            {"sqlight": "r.db"},
            f"report_sink: 'sqlight' is not a report sink (allowed: {FORMS}). "
            "Did you mean 'sqlite'?",
            id="kind-typo",
        ),
        pytest.param(
            {"sqlite": 3},
            "report_sink.sqlite: 3 is not allowed (allowed: the path of the SQLite "
            "file, e.g. 'reports.db' or '/var/lib/app/reports.db')",
            id="sqlite-not-a-path",
        ),
        pytest.param(
            {"sqlite": {"path": "r.db", "max_mb": 0}},
            "report_sink.sqlite.max_mb: 0 is not allowed (allowed: a number of MiB "
            "from 1 to 1048576; the default is 64)",
            id="sqlite-bound",
        ),
        pytest.param(
            {"sqlite": {"path": "r.db", "size": 3}},
            "report_sink.sqlite: unknown option 'size' (allowed: path, max_mb)",
            id="sqlite-option",
        ),
        pytest.param(
            {"otlp": {"endpoint": "localhost:4318"}},
            "report_sink.otlp.endpoint: 'localhost:4318' is not allowed (allowed: "
            "the http(s) URL of an OTLP/HTTP logs endpoint, e.g. "
            "'http://localhost:4318/v1/logs')",
            id="otlp-endpoint",
        ),
        pytest.param(
            {"otlp": {"endpoint": "http://c:4318/v1/logs", "timeout": 600}},
            "report_sink.otlp.timeout: 600 is not allowed (allowed: seconds from 0 "
            "to 60; the default is 10)",
            id="otlp-timeout",
        ),
        pytest.param(
            {"otlp": {"endpoint": "http://c:4318/v1/logs", "headers": {"k": "a\nb"}}},
            "report_sink.otlp.headers.k: 'a\\nb' has the control character '\\n' "
            "(allowed: printable characters only; CR and LF would inject a header)",
            id="otlp-header",
        ),
        pytest.param(
            {"callable": "app.reports.store"},
            "report_sink.callable: 'app.reports.store' is not allowed (allowed: a "
            "dotted path to a function, 'package.module:function')",
            id="callable-without-colon",
        ),
    ],
)
def test_a_bad_report_sink_is_refused(value: Any, message: str, tmp_path: Path) -> None:
    assert_refused({**RECEIVER, "report_sink": value}, message, tmp_path)


@pytest.mark.parametrize(
    ("key", "value", "allowed"),
    [
        ("report_rate", 0, "reports per second and process, more than 0 and at "
         "most 10000; the default is 50"),
        ("report_rate", True, "reports per second and process, more than 0 and at "
         "most 10000; the default is 50"),
        ("report_window_seconds", -1, "seconds from 0 (no folding) to 3600; the "
         "default is 10"),
        ("report_window_seconds", float("nan"), "seconds from 0 (no folding) to "
         "3600; the default is 10"),
        ("report_summary_seconds", 0.5, "seconds from 1 to 86400; the default is 60"),
    ],
)  # fmt: skip
def test_a_bad_bound_is_refused(key: str, value: Any, allowed: str) -> None:
    message = f"{key}: {value!r} is not allowed (allowed: {allowed})"
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        load_config({**RECEIVER, key: value})


@pytest.mark.parametrize(
    "key",
    ["report_sink", "report_rate", "report_window_seconds", "report_summary_seconds"],
)
def test_the_receiver_keys_are_site_wide(key: str, tmp_path: Path) -> None:
    value = {"report_sink": {"sqlite": "r.db"}}.get(key, 5)
    assert_refused(
        {**RECEIVER, "paths": [{"prefix": "/a/", key: value}]},
        f"paths[0].{key}: not allowed in a rule: the report receiver is one endpoint for the whole site; "
        "set it at the top level",
        tmp_path,
    )


def test_a_receiver_key_without_the_receiver_warns() -> None:
    with pytest.warns(
        SecurityWarning,
        match=r"^report_sink: does nothing without csp_report_path",
    ):
        load_config({"report_sink": {"sqlite": "r.db"}})
