"""``reports`` and ``hashes``: the rollout subcommands of ``python -m secheaders_wsgi``.

:func:`add_commands` registers them on the main parser's subcommands and
:func:`run` runs one; the main command line stays in :mod:`secheaders_wsgi.cli`.
Exit status: 0, or 2 when a file cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .advice import advise
from .hashes import ATTRIBUTES, Block, Page, Skipped, read_page, scan_page, yaml_snippet
from .violations import Summary, summarize

__all__ = ["COMMANDS", "add_commands", "run"]

COMMANDS = ("reports", "hashes")
_NONCED = "no hash needed where the policy takes nonces"
_BAD_SHOWN = 10


def add_commands(commands: Any) -> None:
    """Add ``reports`` and ``hashes`` to an ``add_subparsers()`` result."""
    reports = commands.add_parser(
        "reports",
        help="group logged CSP violation reports and say what to change",
        description="Read CSP violation reports and group them by directive and "
        "blocked origin (or keyword: inline, eval, data ...), with counts, first "
        "and last seen (from the log line's timestamp) and sample pages; then the "
        "smallest config change that would allow each group. Reads the JSON lines "
        "the csp_report_path receiver logs (any log prefix before the JSON is "
        'skipped) and the raw bodies browsers POST: {"csp-report": {...}} '
        '(report-uri) and [{"type": "csp-violation", ...}] (report-to). '
        "Reports from browser extensions are counted apart and never suggested; "
        "lines that hold no report are counted and listed.",
        epilog="Example: python -m secheaders_wsgi reports /var/log/app/csp.log "
        "(--json for one JSON object with each group's suggestion as data). "
        "Exit status 0, or 2 when a file cannot be read.",
    )
    reports.add_argument(
        "files", nargs="+", metavar="FILE", help="log files to read ('-': stdin)"
    )
    reports.add_argument("--json", action="store_true", help="print one JSON object")
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
    # A template read with replaced bytes would hash wrong: read it strictly.
    texts = list(_read(args.files, strict=args.command == "hashes"))
    if any(text is None for _, text in texts):
        return 2
    files = [(name, text) for name, text in texts if text is not None]
    if args.command == "reports":
        summary = summarize(files)
        if args.json:
            print(json.dumps(reports_json(summary), indent=2))
        else:
            print(reports_text(summary), end="")
        return 0
    return 0


def reports_json(summary: Summary) -> dict[str, Any]:
    """The summary as plain data: ``groups`` with their ``suggestion``."""
    groups = []
    for group in summary.ordered():
        advice = advise(group)
        groups.append(
            {
                "directive": group.directive,
                "origin": group.origin,
                "count": group.count,
                "first_seen": group.first_seen,
                "last_seen": group.last_seen,
                "pages": group.pages,
                "samples": group.samples,
                "suggestion": {
                    "change": advice.change,
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
        "bad_lines": [
            {"file": file, "line": line, "reason": reason}
            for file, line, reason in summary.bad
        ],
    }


def reports_text(summary: Summary) -> str:
    """The summary for people: one paragraph per group, the change last."""
    noise = sum(summary.extensions.values())
    out = [
        f"violations: {summary.violations} in {len(summary.groups)} groups; "
        f"from browser extensions: {noise} (not suggested); "
        f"bad lines: {len(summary.bad)}\n"
    ]
    for group in summary.ordered():
        advice = advise(group)
        seen = ""
        if group.first_seen is not None:
            seen = f", first {group.first_seen}, last {group.last_seen}"
        out.append(
            f"\n{group.directive}  {group.origin}  ({group.count} reports{seen})\n"
        )
        if group.pages:
            out.append(f"  pages:   {', '.join(group.pages)}\n")
        for sample in group.samples:
            out.append(f"  sample:  {sample[:80]}\n")
        out.append(f"  change:  {advice.change}\n")
        if advice.warning is not None:
            out.append(f"  {advice.warning}\n")
    if summary.extensions:
        schemes = ", ".join(f"{k} {v}" for k, v in sorted(summary.extensions.items()))
        out.append(f"\nbrowser extensions: {schemes}\n")
    if summary.bad:
        out.append("\nbad lines:\n")
        for file, line, reason in summary.bad[:_BAD_SHOWN]:
            out.append(f"  {file}:{line}: {reason}\n")
        if len(summary.bad) > _BAD_SHOWN:
            out.append(f"  ... and {len(summary.bad) - _BAD_SHOWN} more\n")
    return "".join(out)


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


def _read(names: list[str], strict: bool) -> Iterator[tuple[str, str | None]]:
    # Logs may hold stray bytes; there a bad line is counted, not fatal.
    errors = "strict" if strict else "replace"
    for name in names:
        if name == "-" and not strict:
            yield "<stdin>", sys.stdin.read()
            continue
        try:
            yield name, Path(name).read_text(encoding="utf-8", errors=errors)
        except OSError as exc:
            print(f"error: {name}: {exc.strerror or exc}", file=sys.stderr)
            yield name, None
        except UnicodeDecodeError as exc:
            print(f"error: {name}: not UTF-8 ({exc.reason})", file=sys.stderr)
            yield name, None
