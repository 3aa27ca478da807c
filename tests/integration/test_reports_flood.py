"""A flood of reports against a real gunicorn with 4 workers and the SQLite sink.

10,000 reports in 1,000 POSTs, from four client threads: repeats, distinct
origins (which the rate limit must stop), browser-extension noise. Then a
graceful stop (the workers flush what they hold at exit). What must hold: no
worker dies, their memory stays flat, the log stays a few lines, the file stays
under its bound and passes SQLite's integrity check, every row is sound, and
the counts in the store plus the dropped and noise counts of the summaries are
exactly what was sent. The figures are printed (``-s`` shows them).
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from secheaders_wsgi.reports.sqlite import read
from tests.support import HOST, ROOT, free_port

POSTS = 1_000
PER_POST = 10
MAX_MB = 8


def body(post: int) -> bytes:
    """Ten reports: repeats of a few, new origins, and one extension's."""
    entries = []
    for i in range(PER_POST):
        if i == 9:
            blocked, source = "chrome-extension://abc/inject.js", None
        elif i < 5:
            blocked, source = f"https://cdn{i}.example/a.png", None  # repeats
        else:
            blocked, source = f"https://h{post}-{i}.example/x.js", "https://s.example/"
        entries.append(
            {
                "type": "csp-violation",
                "age": post,
                "url": f"https://site.example/page{post % 7}",
                "user_agent": "Mozilla/5.0 Chrome/156.0 Safari/537.36",
                "body": {
                    "documentURL": f"https://site.example/page{post % 7}?q={post}",
                    "effectiveDirective": "img-src" if i < 5 else "script-src-elem",
                    "blockedURL": blocked,
                    "sourceFile": source,
                    "disposition": "enforce",
                    "originalPolicy": "default-src 'self'; img-src 'self'",
                },
            }
        )
    return json.dumps(entries).encode()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def workers(master: int) -> set[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return {int(pid) for pid in children}


def test_ten_thousand_reports_against_four_gunicorn_workers(tmp_path: Path) -> None:
    db, log = tmp_path / "reports.db", tmp_path / "gunicorn.log"
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "--bind", f"{HOST}:{port}",
        "--workers", "4", "--graceful-timeout", "20", "--capture-output",
        "--error-logfile", str(log), "tests.integration.flood_app:app",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "REPORTS_DB": str(db)}
    master = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        _wait(port, master, log)
        pids = workers(master.pid)
        assert len(pids) == 4

        def send(post: int) -> int:
            connection = http.client.HTTPConnection(HOST, port, timeout=20)
            try:
                headers = {"Content-Type": "application/reports+json"}
                connection.request("POST", "/_/csp-reports", body(post), headers)
                response = connection.getresponse()
                response.read()
                return response.status
            finally:
                connection.close()

        with ThreadPoolExecutor(4) as pool:
            warm = list(pool.map(send, range(100)))
            before = {pid: rss_kib(pid) for pid in pids}
            rest = list(pool.map(send, range(100, POSTS)))
        after = {pid: rss_kib(pid) for pid in pids}
        assert set(warm + rest) == {204}
        assert master.poll() is None and workers(master.pid) == pids  # none died
        growth = max(after[pid] - before[pid] for pid in pids)
        print(f"\nworker RSS peak {max(after.values())} KiB, growth {growth} KiB")
        assert growth < 16 * 1024, "a worker's memory grows with the reports"
    finally:
        master.send_signal(signal.SIGTERM)  # graceful: the workers flush at exit
        master.wait(timeout=60)

    lines = log.read_text().splitlines()
    print(f"log lines: {len(lines)}")
    assert len(lines) < 40, lines[-10:]
    size = db.stat().st_size
    wal = db.with_name(db.name + "-wal")
    print(f"SQLite file {size} bytes, WAL {wal.stat().st_size if wal.exists() else 0}")
    assert size <= MAX_MB * 1024 * 1024

    connection = sqlite3.connect(db)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
    stored = read(str(db))
    for group in stored.groups:
        assert group.count > 0 and group.first_seen <= group.last_seen
        assert group.type == "csp-violation" and group.directive in (
            "img-src",
            "script-src-elem",
        )
        assert all(page.startswith("https://site.example/page") for page in group.pages)
    kept = sum(group.count for group in stored.groups)
    dropped = sum(hour.dropped for hour in stored.summaries)
    noise = sum(hour.noise for hour in stored.summaries)
    print(
        f"stored {kept} in {len(stored.groups)} groups, dropped {dropped}, noise {noise}"
    )
    assert noise == POSTS  # one extension report per POST, none stored
    assert kept + dropped + noise == POSTS * PER_POST
    assert dropped > 0  # the distinct origins outran the rate limit


def _wait(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Until gunicorn listens and its four workers have booted."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        booted = log.read_text().count("Booting worker") if log.exists() else 0
        connection = http.client.HTTPConnection(HOST, port, timeout=1)
        try:
            connection.connect()
            if booted >= 4 and len(workers(process.pid)) == 4:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.1)
    raise AssertionError(f"gunicorn did not start:\n{log.read_text()}")
