"""``reports`` and ``hashes``: the rollout subcommands of ``python -m secheaders_wsgi``.

:func:`add_commands` registers them on the main parser's subcommands and
:func:`run` runs one; the main command line stays in :mod:`secheaders_wsgi.cli`.
Exit status: 0, or 2 when a file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from ..config import load_config
from ..errors import ConfigError
from ..inline.hashes import (
    ATTRIBUTES,
    Block,
    Page,
    Skipped,
    read_page,
    scan_page,
    yaml_snippet,
)
from ..reports.record import now_iso
from ..reports.sqlite import read as read_store
from .advice import advise
from .page import html_page
from .violations import Group, Summary, summarize, summarize_store

_NONCED = "no hash needed where the policy takes nonces"

__all__ = ["COMMANDS", "add_commands", "run"]

COMMANDS = ("reports", "hashes")
_BAD_SHOWN = 10


def add_commands(commands: Any) -> None:
    """Add ``reports`` and ``hashes`` to an ``add_subparsers()`` result."""
    reports = commands.add_parser(
        "reports",
        help="group violation reports and say what to change",
        description="Read violation reports (CSP, Trusted Types, COEP, COOP, "
        "Integrity-Policy, Permissions-Policy) and group them by type, directive, "
        "blocked origin (or keyword: inline, eval, data ...) and disposition, with "
        "counts, first and last seen and sample pages; then the smallest config "
        "change that would allow each group, checked against the policy that "
        "produced the reports. Reads the JSON lines the csp_report_path receiver "
        "logs (any log prefix before the JSON is skipped; lines that hold no "
        "report are counted and skipped), the SQLite file of report_sink: "
        '{sqlite: ...}, and the raw bodies browsers POST: {"csp-report": {...}} '
        '(report-uri) and [{"type": "csp-violation", ...}] (report-to). '
        "Reports from browser extensions and browser pages are counted apart and "
        "never suggested; reports that cannot be used are listed.",
        epilog="Example: python -m secheaders_wsgi reports /var/log/app/csp.log "
        "reports.db --since 24h (--json for one JSON object with each group's "
        "suggestion as data, --html report.html for a page with a chart). "
        "Exit status 0, or 2 when a file cannot be read.",
    )
    reports.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="log files or SQLite files of the sqlite sink ('-': stdin)",
    )
    reports.add_argument("--json", action="store_true", help="print one JSON object")
    reports.add_argument(
        "--since",
        type=since_value,
        metavar="WHEN",
        help="only reports seen since WHEN: a date or time (2026-11-30, "
        "2026-11-30T18:00) or an age (90m, 24h, 7d)",
    )
    reports.add_argument(
        "--config",
        metavar="CONFIG",
        help="the site's YAML config: says which key a report-only policy comes "
        "from (csp_header under csp_report_only: true)",
    )
    reports.add_argument(
        "--html",
        metavar="FILE",
        help="also write one self-contained HTML page: violations over time, top "
        "blocked origins, pages and the suggested changes",
    )
    hashes = commands.add_parser(
        "hashes",
        help="print the 'sha256-...' sources of inline scripts, styles and handlers",
        description="Print the CSP hash source of every inline <script> (without "
        "src) and <style> block, of every event-handler attribute (onclick=...) "
        "and of every style attribute (these two are allowed with 'unsafe-hashes' "
        "in script-src-attr or style-src-attr), in the given HTML or "
        "template files, then a csp_header snippet to paste into the config. The "
        "hash covers the exact text between the tags: edit the block and its hash "
        "changes. Blocks holding template syntax ({{, {%, <% ...) are listed as "
        "not hashable: give them a nonce or move them into a file. Tags with a "
        "nonce attribute are listed as skipped: a nonce policy needs no hash "
        "for them.",
        epilog="Example: python -m secheaders_wsgi hashes templates/*.html. "
        "To check a config against a template folder instead: "
        "python -m secheaders_wsgi audit security.yaml --templates templates/. "
        "Exit status 0, or 2 when a file was skipped (unreadable, not UTF-8, "
        "over 2 MiB) or read only in part (it ends inside a tag or a comment); "
        "the other files are listed all the same.",
    )
    hashes.add_argument("files", nargs="+", metavar="FILE", help="HTML or templates")
    hashes.add_argument("--json", action="store_true", help="print one JSON object")


def run(args: argparse.Namespace) -> int:
    """Run the ``reports`` or ``hashes`` command parsed into ``args``."""
    if args.command == "hashes":
        return _hashes(args.files, args.json)
    return _reports(args)


def since_value(text: str) -> str:
    """``--since``: an age (``24h``) or a date or time, as sortable ISO text.

    >>> since_value("2026-11-30"), since_value("2026-11-30 18:00")
    ('2026-11-30', '2026-11-30T18:00')
    """
    age = _AGE.fullmatch(text.strip())
    if age is not None:
        seconds = int(age.group(1)) * _UNITS[age.group(2)]
        return now_iso(time.time() - seconds)
    value = text.strip().replace(" ", "T", 1)
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a time (allowed: a date or time such as 2026-11-30 "
            "or 2026-11-30T18:00, or an age such as 90m, 24h, 7d)"
        ) from None
    return value


_AGE = re.compile(r"(\d{1,6})([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _reports(args: argparse.Namespace) -> int:
    report_only_key = "csp_report_only_header"
    if args.config is not None:
        try:
            if load_config(args.config).csp_report_only:
                report_only_key = "csp_header"
        except ConfigError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    summary = Summary()
    texts: list[tuple[str, str]] = []
    for name in args.files:
        if name != "-" and _is_sqlite(name):
            try:
                summarize_store(read_store(name), since=args.since, into=summary)
            except sqlite3.Error as exc:
                print(f"error: {name}: not a reports store ({exc})", file=sys.stderr)
                return 2
            continue
        text = _read_log(name)
        if text is None:
            return 2
        texts.append(("<stdin>" if name == "-" else name, text))
    summarize(texts, since=args.since, into=summary)
    if args.html is not None:
        try:
            Path(args.html).write_text(
                html_page(summary, report_only_key), encoding="utf-8"
            )
        except OSError as exc:
            print(f"error: {args.html}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    if args.json:
        print(json.dumps(reports_json(summary, report_only_key), indent=2))
    else:
        print(reports_text(summary, report_only_key), end="")
    return 0


def reports_json(
    summary: Summary, report_only_key: str = "csp_report_only_header"
) -> dict[str, Any]:
    """The summary as plain data, exact (not escaped): ``groups`` with their
    ``suggestion``."""
    groups = []
    for group in summary.ordered():
        advice = advise(group, report_only_key)
        groups.append(
            {
                "type": group.type,
                "directive": group.directive,
                "origin": group.origin,
                "disposition": group.disposition,
                "count": group.count,
                "first_seen": group.first_seen,
                "last_seen": group.last_seen,
                "pages": group.pages,
                "samples": group.samples,
                "suggestion": {
                    "change": advice.change,
                    "key": advice.key,
                    "directive": advice.directive,
                    "add": advice.source,
                },
                "warning": advice.warning,
            }
        )
    return {
        "entries": summary.entries,
        "violations": summary.violations,
        "groups": groups,
        "extensions": {
            "count": sum(summary.extensions.values()),
            "by_scheme": dict(sorted(summary.extensions.items())),
        },
        "receiver": summary.receiver,
        "skipped_lines": summary.skipped,
        "undated": summary.undated,
        "bad_lines": [
            {"file": file, "line": line, "reason": reason}
            for file, line, reason in summary.bad
        ],
    }


def reports_text(
    summary: Summary, report_only_key: str = "csp_report_only_header"
) -> str:
    """The summary for people: one paragraph per group, the change last.

    Every line is escaped (:func:`escaped`): a report's fields come from anyone
    who can POST to the receiver, and must not reach the terminal raw.
    """
    noise = sum(summary.extensions.values())
    lines = [
        f"violations: {summary.violations} in {len(summary.groups)} groups; "
        f"from browser extensions and pages: {noise} (not suggested); "
        f"bad lines: {len(summary.bad)}"
    ]
    counts = summary.receiver
    if any(counts.values()):
        lines.append(
            "not stored one by one by the receiver: "
            + ", ".join(f"{name} {counts[name]}" for name in counts)
        )
    if summary.skipped:
        lines.append(f"lines without a report (skipped): {summary.skipped}")
    if summary.undated:
        lines.append(f"reports without a time (left out by --since): {summary.undated}")
    for group in summary.ordered():
        advice = advise(group, report_only_key)
        seen = ""
        if group.first_seen is not None:
            seen = f", first {group.first_seen}, last {group.last_seen}"
        lines += ["", f"{title(group)}  ({group.count} reports{seen})"]
        if group.pages:
            lines.append(f"  pages:   {', '.join(group.pages)}")
        lines += [f"  sample:  {sample[:80]}" for sample in group.samples]
        lines.append(f"  change:  {advice.change}")
        if advice.warning is not None:
            lines.append(f"  {advice.warning}")
    if summary.extensions:
        schemes = ", ".join(f"{k} {v}" for k, v in sorted(summary.extensions.items()))
        lines += ["", f"browser extensions and pages: {schemes}"]
    if summary.bad:
        lines += ["", "bad lines:"]
        lines += [f"  {f}:{n}: {why}" for f, n, why in summary.bad[:_BAD_SHOWN]]
        if len(summary.bad) > _BAD_SHOWN:
            lines.append(f"  ... and {len(summary.bad) - _BAD_SHOWN} more")
    return "".join(f"{escaped(line)}\n" for line in lines)


def title(group: Group) -> str:
    """``img-src  https://cdn.example``; the type and ``report-only`` when not
    an enforced CSP."""
    kind = "" if group.type == "csp-violation" else f"{group.type} "
    only = "  [report-only]" if group.disposition == "report" else ""
    return f"{kind}{group.directive}  {group.origin}{only}"


def escaped(text: str) -> str:
    r"""``text`` with every character a terminal could act on escaped.

    Control characters (ESC, CR, LF ...), line separators and invisible format
    characters (bidirectional overrides) are written as Python escapes, so a
    report cannot clear the screen, forge a line of advice or reorder one.

    >>> print(escaped("a\x1b[2Jb\nc\u202ed"))
    a\x1b[2Jb\nc\u202ed
    """
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def _hashes(names: list[str], as_json: bool) -> int:
    """``hashes``: every file that can be read is listed; exit 2 if one was
    skipped or read in part, which stderr says."""
    pages: list[Page] = []
    problems: list[tuple[str, int | None, str]] = []
    for name in names:
        try:
            page = scan_page(name, read_page(name))
        except Skipped as exc:
            problems.append((name, None, f"{exc}; {exc.fix}"))
            continue
        pages.append(page)
        if page.unfinished is not None:
            problems.append((name, *page.unfinished))
    blocks = [block for page in pages for block in page.blocks]
    if as_json:
        print(json.dumps(hashes_json(blocks, problems), indent=2))
    else:
        print(hashes_text(blocks), end="")
    for name, line, problem in problems:
        where = name if line is None else f"{name}:{line}"
        print(f"error: {where}: {problem}", file=sys.stderr)
    return 2 if problems else 0


def hashes_json(
    blocks: list[Block], problems: Sequence[tuple[str, int | None, str]] = ()
) -> dict[str, Any]:
    """The blocks as plain data, the snippet, and the files not (fully) read."""
    return {
        "blocks": [
            {
                "file": b.file,
                "line": b.line,
                "kind": b.kind,
                "label": b.label,
                "directive": b.directive,
                "source": None if b.covered_by_nonce else b.source,
                "not_hashable": b.reason,
                "nonced": b.covered_by_nonce,
            }
            for b in blocks
        ],
        "yaml": yaml_snippet(blocks),
        "problems": [
            {"file": file, "line": line, "problem": problem}
            for file, line, problem in problems
        ],
    }


def hashes_text(blocks: list[Block]) -> str:
    """One line per block, then the YAML snippet."""
    out = []
    for block in blocks:
        where = f"{block.file}:{block.line}  {block.label}"
        if block.covered_by_nonce:
            out.append(f"{where}  skipped: nonced ({_NONCED})\n")
        elif block.source is None:
            out.append(f"{where}  not hashable: {block.reason}\n")
        else:
            need = "  (with 'unsafe-hashes')" if block.kind in ATTRIBUTES else ""
            out.append(f"{where}  {block.directive}  {block.source}{need}\n")
    if not blocks:
        out.append("no inline scripts, styles, event handlers or style attributes\n")
    snippet = yaml_snippet(blocks)
    if snippet:
        out.append(f"\n{snippet}")
    return "".join(out)


def _is_sqlite(name: str) -> bool:
    try:
        with open(name, "rb") as file:
            return file.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False  # _read says why


def _read_log(name: str) -> str | None:
    """A log file's text (``-``: stdin); ``None``, said on stderr, if unreadable.

    Logs may hold stray bytes: there a bad line is counted, not fatal.
    """
    if name == "-":
        return sys.stdin.read()
    try:
        return Path(name).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        print(f"error: {name}: {exc.strerror or exc}", file=sys.stderr)
        return None
