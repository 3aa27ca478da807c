"""``python -m secheaders_wsgi show``: the header set a config gives."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from secheaders_wsgi.cli import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "secheaders_wsgi", *args], capture_output=True, text=True
    )


def test_show_prints_the_default_headers_one_a_line() -> None:
    shown = run("show")
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0].startswith(
        "Content-Security-Policy: default-src 'self'; script-src"
    )
    assert lines[1:] == [
        "X-Content-Type-Options: nosniff",
        "X-XSS-Protection: 1; mode=block",
        "Referrer-Policy: strict-origin-when-cross-origin",
    ]


def test_show_reads_a_yaml_file(yaml_file: Any) -> None:
    path = yaml_file(
        "server_secured: true\ncsp_header: false\nreferrer_policy: no-referrer\n"
    )
    shown = run("show", str(path))
    assert shown.stdout.splitlines() == [
        "Referrer-Policy: no-referrer",
        "Strict-Transport-Security: max-age=31556926; includeSubDomains",
    ]


@pytest.mark.parametrize(
    ("flags", "hsts"), [((), True), (("--http",), False)], ids=["https", "http"]
)
def test_show_http_leaves_out_hsts_that_only_https_gets(
    yaml_file: Any, capsys: Any, flags: tuple[str, ...], hsts: bool
) -> None:
    path = yaml_file("hsts_header: max-age=600\n")
    assert main(["show", str(path), *flags]) == 0
    assert ("Strict-Transport-Security: max-age=600" in capsys.readouterr().out) is hsts


def test_bad_config_prints_the_error_on_stderr_and_exits_2(yaml_file: Any) -> None:
    path = yaml_file("server_secure: true\n")
    shown = run("show", str(path))
    assert shown.returncode == 2
    assert shown.stdout == ""
    assert shown.stderr == (
        f"error: {path}:1: unknown key 'server_secure'. Did you mean 'server_secured'?\n"
    )


def test_missing_file_exits_2(tmp_path: Any) -> None:
    shown = run("show", str(tmp_path / "absent.yaml"))
    assert shown.returncode == 2
    assert "absent.yaml: no such file" in shown.stderr


def test_show_http_under_server_secured_keeps_hsts(yaml_file: Any, capsys: Any) -> None:
    # Every request counts as https when secured, plain-http ones too.
    path = yaml_file("server_secured: true\n")
    assert main(["show", str(path), "--http"]) == 0
    assert "Strict-Transport-Security: max-age=31556926" in capsys.readouterr().out
