"""Where the receiver's records go (report_sink): SQLite, a callable, the log; and
what a sink that fails does to a request: nothing. Runs on both adapters.

The SQLite file is tried locked by another connection, read-only, and full
(``PRAGMA max_page_count`` reached): each time the report still gets its 204,
no request thread touches the file, and what could not be written is kept and
written once the file can take it again, or counted as lost.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from secheaders_wsgi import ConfigError, SecureHeaders
from secheaders_wsgi.cli import main
from secheaders_wsgi.reports import flush
from secheaders_wsgi.reports.sqlite import SqliteSink, read
from tests.support import RecordingApp, served

PATH = "/_/csp-reports"


def report(
    host: str = "cdn.example", page: str = "/p", policy: str = "default-src 'self'"
) -> str:
    return json.dumps(
        [
            {
                "type": "csp-violation",
                "url": f"https://site.example{page}",
                "body": {
                    "documentURL": f"https://site.example{page}",
                    "effectiveDirective": "img-src",
                    "blockedURL": f"https://{host}/a.png",
                    "disposition": "enforce",
                    "originalPolicy": policy,
                },
            }
        ]
    )


def post(app: Any, body: str) -> None:
    app.post(PATH, body, content_type="application/reports+json", status=204)


def site(db: Path, **config: Any) -> Any:
    return served(
        {"csp_report_path": PATH, "report_sink": {"sqlite": str(db)}, **config}
    )


def groups(db: Path) -> dict[tuple[str, str], int]:
    return {(g.directive, g.blocked): g.count for g in read(str(db)).groups}


def test_sqlite_groups_reports_and_reports_reads_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "reports.db"
    app = site(db)
    for _ in range(5):
        post(app, report())
    post(app, report(host="fonts.example", page="/q"))
    assert flush()
    assert groups(db) == {
        ("img-src", "https://cdn.example"): 5,
        ("img-src", "https://fonts.example"): 1,
    }
    stored = read(str(db))
    [cdn] = [g for g in stored.groups if g.blocked == "https://cdn.example"]
    assert cdn.pages == ["https://site.example/p"]
    assert cdn.policy == "default-src 'self'"
    assert sum(stored.timeline.values()) == 6
    # Four repeats were folded into the first one's count.
    assert sum(s.folded for s in stored.summaries) == 4

    assert main(["reports", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("violations: 6 in 2 groups")
    assert "img-src  https://cdn.example  (5 reports, first 20" in out
    # The policy had no img-src: the advice says what it falls back to.
    assert "list default-src's sources too: 'self'" in out


def test_a_new_sqlite_file_is_made_and_a_bad_one_is_a_config_error(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "no" / "such" / "dir" / "r.db"
    with pytest.raises(
        ConfigError, match=r"^report_sink\.sqlite: .* cannot be written"
    ):
        SecureHeaders(
            RecordingApp(),
            {"csp_report_path": PATH, "report_sink": {"sqlite": str(missing)}},
        )
    garbage = tmp_path / "not-a-db"
    garbage.write_bytes(b"x" * 4096)
    with pytest.raises(ConfigError, match="file is not a database"):
        SecureHeaders(
            RecordingApp(),
            {"csp_report_path": PATH, "report_sink": {"sqlite": str(garbage)}},
        )


@pytest.fixture
def no_request_writes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the threads that wrote to SQLite."""
    writers: list[str] = []
    original = SqliteSink.write

    def write(self: SqliteSink, records: Any) -> None:
        writers.append(threading.current_thread().name)
        original(self, records)

    monkeypatch.setattr(SqliteSink, "write", write)
    yield writers


def test_a_locked_file_never_holds_a_request_and_loses_nothing(
    tmp_path: Path, no_request_writes: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "reports.db"
    app = site(db)
    no_request_writes.clear()  # the start-up check wrote from this thread
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        for i in range(3):
            post(app, report(host=f"h{i}.example"))
        # The requests returned with the lock still held: none of them wrote
        # (the writer thread does, and gives up after its busy timeout).
        assert set(no_request_writes) <= {"secheaders-reports"}
        with caplog.at_level(logging.WARNING, logger="secheaders.reports"):
            assert flush(timeout=3) is False
        assert "database is locked" in caplog.text
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert flush()  # kept, and written now
    assert sum(groups(db).values()) == 3


@pytest.fixture
def read_only() -> Iterator[Any]:
    """Make a file read-only, even for root (chattr +i); returns the undo."""
    made: list[Path] = []

    def undo() -> None:
        while made:
            path = made.pop()
            if os.geteuid() == 0:
                subprocess.run(["chattr", "-i", str(path)], check=True)
            path.chmod(0o644)

    def make(path: Path) -> Any:
        if os.geteuid() == 0:
            done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
            if done.returncode != 0:
                pytest.skip(f"chattr +i fails here: {done.stderr.decode().strip()}")
        else:
            path.chmod(0o444)
        made.append(path)
        return undo

    yield make
    undo()


def test_a_read_only_file_gets_204_and_keeps_the_reports_until_it_is_writable(
    tmp_path: Path, read_only: Any, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "reports.db"
    app = site(db)
    undo = read_only(db)
    with caplog.at_level(logging.WARNING, logger="secheaders.reports"):
        for i in range(3):
            post(app, report(host=f"h{i}.example"))
        assert flush(timeout=3) is False
    assert "readonly database" in caplog.text
    assert groups(db) == {}
    undo()
    assert flush()
    assert sum(groups(db).values()) == 3


LONG_POLICY = "default-src 'self'; img-src " + " ".join(
    f"https://img{i}.example" for i in range(150)
)


def test_a_full_file_gets_204_and_keeps_the_reports_until_there_is_room(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = tmp_path / "reports.db"
    app = site(db, report_sink={"sqlite": {"path": str(db), "max_mb": 1}})
    # Another writer (without our bound) fills the file past 1 MiB.
    filler = sqlite3.connect(db, isolation_level=None)
    filler.execute("CREATE TABLE ballast (b BLOB)")
    filler.executemany(
        "INSERT INTO ballast VALUES (?)", [(b"\0" * 8192,) for _ in range(130)]
    )
    with caplog.at_level(logging.WARNING, logger="secheaders.reports"):
        for i in range(3):
            post(app, report(host=f"h{i}.example", policy=LONG_POLICY))
        assert flush(timeout=3) is False
    assert "database or disk is full" in caplog.text
    assert groups(db) == {}
    filler.execute("DROP TABLE ballast")
    filler.execute("VACUUM")
    filler.close()
    assert flush()
    assert sum(groups(db).values()) == 3
    assert db.stat().st_size <= 1024 * 1024


def test_past_the_group_bound_new_groups_are_counted_in_one_row(
    tmp_path: Path,
) -> None:
    db = tmp_path / "reports.db"
    sink = SqliteSink(str(db), 1024 * 1024)  # 64 groups at most
    app = site(
        db, report_sink={"sqlite": {"path": str(db), "max_mb": 1}}, report_rate=1000
    )
    for i in range(sink.max_groups + 30):
        post(app, report(host=f"h{i}.example"))
    assert flush()
    found = groups(db)
    assert sum(found.values()) == sink.max_groups + 30
    assert len(found) == sink.max_groups + 1  # and the overflow row
    assert found[("(other)", "(other)")] == 30


collected: list[dict[str, Any]] = []


def collect(record: dict[str, Any]) -> None:
    """The callable sink of the test below."""
    collected.append(record)


def test_a_callable_gets_each_record_as_a_flat_dict() -> None:
    collected.clear()
    app = served(
        {
            "csp_report_path": PATH,
            "report_sink": {"callable": "tests.test_report_sinks:collect"},
        }
    )
    post(app, report())
    post(app, report())
    assert flush()
    assert [(r["type"], r.get("blocked"), r.get("count")) for r in collected] == [
        # The first and its folded repeat, merged in the writer's batch.
        ("csp-violation", "https://cdn.example", 2),
        ("summary", None, None),
    ]
    assert all(
        v is None or isinstance(v, (str, int)) for r in collected for v in r.values()
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        pytest.param(
            "tests.no_such_module:f",
            "report_sink.callable: 'tests.no_such_module:f' cannot be imported",
            id="no-module",
        ),
        pytest.param(
            "tests.test_report_sinks:nothing",
            "report_sink.callable: 'tests.test_report_sinks:nothing': the module "
            "'tests.test_report_sinks' has no 'nothing'",
            id="no-name",
        ),
        pytest.param(
            "tests.test_report_sinks:PATH",
            "report_sink.callable: 'tests.test_report_sinks:PATH' is a str, not a "
            "function",
            id="not-callable",
        ),
    ],
)
def test_a_callable_that_does_not_resolve_fails_at_start_up(
    target: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=f"^{message}"):
        SecureHeaders(
            RecordingApp(),
            {"csp_report_path": PATH, "report_sink": {"callable": target}},
        )


def test_otlp_without_the_extra_names_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As if the otel extra were not installed: the import fails.
    monkeypatch.setitem(sys.modules, "opentelemetry.sdk._logs", None)
    with pytest.raises(
        ConfigError,
        match=r"^report_sink\.otlp: the OpenTelemetry SDK and its OTLP/HTTP "
        r"exporter are not installed \(.*\): pip install 'secheaders_wsgi\[otel\]'$",
    ):
        SecureHeaders(
            RecordingApp(),
            {
                "csp_report_path": PATH,
                "report_sink": {"otlp": {"endpoint": "http://127.0.0.1:4318/v1/logs"}},
            },
        )


def test_the_log_sink_writes_the_folded_count_and_the_summary_at_flush(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = served({"csp_report_path": PATH})
    with caplog.at_level(logging.WARNING, logger="secheaders.csp"):
        for _ in range(4):
            post(app, report())
        assert flush()
    lines = [
        json.loads(r.getMessage()) for r in caplog.records if r.name == "secheaders.csp"
    ]
    assert [(line["type"], line.get("count")) for line in lines] == [
        ("csp-violation", 1),
        ("csp-violation", 3),
        ("summary", None),
    ]
    assert lines[2]["folded"] == 3 and lines[2]["dropped"] == 0
