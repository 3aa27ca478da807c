"""Regenerate ``benchmarks/RESULTS.md``: both benchmarks, one command.

    python benchmarks/report.py            # about a minute; also the docs' results
    python benchmarks/report.py --quick    # a smoke run of the same
    python benchmarks/report.py --no-served

The file notes the date, the machine, the commit and the command, so a table
pasted into the README can be traced back to the run that made it. The pieces:
``overhead.py`` (the rows and goals in process), ``limits.py`` (the hand-written
references), ``promises.py`` (what a limit must keep), ``peers.py``,
``harness.py`` (the timing and the tables) and ``served.py`` (under gunicorn).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import harness  # noqa: E402
import overhead  # noqa: E402
import served  # noqa: E402

OUT = HERE / "RESULTS.md"
# The results block of each doc that has one, rewritten with RESULTS.md from the
# same run; a doc without the markers is left alone.
DOCS = (HERE.parent / "README.md", HERE.parent / "docs" / "benchmarks.md")
START, END = "<!-- benchmarks:start -->", "<!-- benchmarks:end -->"


def _commit() -> str:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=HERE,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            [
                "git",
                "status",
                "--porcelain",
                "--",
                "secheaders_wsgi",
                "benchmarks",
                ":!benchmarks/RESULTS.md",  # the file being written
            ],
            cwd=HERE.parent,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return rev + (" (with uncommitted changes)" if dirty else "")


def markdown(inproc: dict[str, Any], serve: dict[str, Any] | None, cmd: str) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Made by `{cmd}` on {inproc['date']}, commit {_commit()}.",
        f"Machine: {inproc['machine']}"
        + (
            f"; load average {inproc['load']:.1f} when the timing began."
            if inproc.get("load") is not None
            else "."
        ),
        "",
        "## Overhead per request, in process",
        "",
        "A trivial WSGI app (200, text/html, 52-byte body) called directly; "
        f"{inproc['samples']} interleaved samples of {inproc['number']:,} calls "
        "(framework apps: a fifth as many, environ copied per call); overhead is "
        "the median over rounds of (variant - its bare app). A *limit* is the "
        "cheapest hand-written middleware that keeps SecureHeaders' promises for "
        "the same config (an app-set header wins, names compared without case; "
        "HSTS only over https; the `secheaders.*` environ keys; the lazy nonce; "
        "`remove_headers`; with `server_secured` the https scheme and Secure "
        "cookies), checked against those promises before it is timed; *x limit* "
        "divides a row's overhead by its limit's, measured in the same run.",
        "",
        harness.table(inproc, markdown=True),
        "",
        harness.targets_text(inproc, markdown=True),
        "",
        "Reading the table: *append only* sends the same bytes and keeps no "
        "promise (an app's own CSP goes out beside ours, no environ keys); it "
        "is the cost of the bytes alone, a reference row with no goal, since "
        "no middleware that keeps the promises can reach it. Rows after a "
        "framework run with caches the framework has cooled, which is what a "
        "server sees. Peers are measured on the same machine in the same run; "
        "Django's SecurityMiddleware sends no CSP. All numbers come from one "
        "run: compare the ratios, not the nanoseconds, across machines.",
        "",
    ]
    if serve is None:
        lines += [
            "## Served",
            "",
            "Not run this time (`--no-served`); `python benchmarks/served.py` "
            "measures it.",
            "",
        ]
    else:
        lines += [
            "## Served",
            "",
            f"{served.header(serve)}. *x bare* is the median over rounds of "
            "(requests/s of the app / of bare in the same round); the goal is "
            "wrapped / limit, paired the same way; the worker's CPU "
            "time per request, read from /proc over all rounds, is steadier on a "
            "shared machine.",
            "",
            served.table(serve, markdown=True),
            "",
            "```",
            f"{served.RATIO}: {serve['ratio']:.3f} (goal >= 0.97): "
            + ("met" if serve["target"]["met"] else "MISSED"),
            served.cpu_text(serve),
            "```",
            "",
            "The *limit* row is the cost of the same header bytes going through "
            "the server (gunicorn checks every response header against a regular "
            "expression) with the promises kept; the app is trivial, so every "
            "microsecond shows: a real page that takes milliseconds to render "
            "hides both.",
            "",
        ]
    return "\n".join(lines)


def readme_block(inproc: dict[str, Any], serve: dict[str, Any] | None, cmd: str) -> str:
    lines = [
        f"Measured by `{cmd}` on {inproc['date']}, {inproc['machine']}, "
        f"commit {_commit()}:",
        "",
        harness.targets_text(inproc, markdown=True),
    ]
    if serve is not None:
        lines += [
            "",
            "Served by gunicorn (sync, 1 worker) under wrk, a trivial app:",
            "",
            "```",
            f"{served.RATIO}: {serve['ratio']:.3f} (goal >= 0.97)",
            served.cpu_text(serve),
            "```",
        ]
    return "\n".join(lines)


def update_docs(block: str) -> None:
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8") if doc.exists() else ""
        if START not in text:
            continue
        start, end = text.index(START) + len(START), text.index(END)
        doc.write_text(text[:start] + "\n" + block + "\n" + text[end:], "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run")
    parser.add_argument("--no-served", action="store_true", help="skip gunicorn")
    parser.add_argument("-o", "--output", type=Path, default=OUT)
    args = parser.parse_args(argv)
    cmd = " ".join(
        ["python benchmarks/report.py"]
        + ["--quick"] * args.quick
        + ["--no-served"] * args.no_served
    )
    inproc = overhead.run(quick=args.quick)
    serve = None if args.no_served else served.run(quick=args.quick)
    text = markdown(inproc, serve, cmd)
    args.output.write_text(text + "\n", encoding="utf-8")
    if args.output == OUT:
        update_docs(readme_block(inproc, serve, cmd))
    print(text)
    print(f"\nwritten to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
