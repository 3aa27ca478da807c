"""Run the code blocks of a Markdown document, so a snippet in the docs cannot rot.

The conventions (docs/contributing.md says the same, for writers):

- A ```python block runs, in a fresh namespace whose ``__name__`` is not
  ``"__main__"`` (an ``if __name__ == "__main__":`` guard starts no server),
  with the working directory a temporary one.
- A ```yaml block is loaded as a config by ``load_config``; warnings are errors.
- A block whose first line is ``# file: NAME`` is also written to ``NAME`` in that
  directory before any later block of the same document runs, so a later python
  block or console command can use it.
- A ```console block: each ``$ python -m secheaders_wsgi ...`` line runs (in
  process, through ``cli.main``) and what it prints, stdout and stderr together,
  must equal the lines after it, up to the next ``$`` line or the block's end. A
  line that is exactly ``...`` stands for any number of lines. Other ``$``
  commands (``pip install``) are shown, not run.
- The first line opts a block out, visibly: ``# not run: <reason>`` (python,
  console) or ``# not a config: <reason>`` (yaml; the block must still parse).

The functions raise ``AssertionError`` (or the snippet's own exception) when a
block is wrong; ``tests/test_docs.py`` turns them into one test per block.
"""

from __future__ import annotations

import contextlib
import io
import pathlib
import re
import shlex
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import yaml

from secheaders_wsgi import load_config
from secheaders_wsgi.cli import main

# An opening fence: indentation (a block inside a list item), three backticks
# and an info string. Longer fences (````) are left alone: they quote fences.
_FENCE = re.compile(r"^(?P<indent> *)```(?P<lang>[\w+-]*)[^`]*$")
_FILE = re.compile(r"^#\s*file:\s*(?P<name>\S+)\s*$")
OUR_COMMAND = "python -m secheaders_wsgi "
NOT_RUN = "# not run:"
NOT_A_CONFIG = "# not a config:"
ELLIPSIS = "..."


@dataclass(frozen=True)
class Block:
    """One fenced block: its language, its text and where it starts."""

    lang: str
    code: str
    #: 1-based line number of the opening fence.
    line: int

    @property
    def first_line(self) -> str:
        return self.code.split("\n", 1)[0].strip()

    def marker(self, prefix: str) -> str | None:
        """The reason after ``prefix`` on the first line, or ``None``."""
        if self.first_line.startswith(prefix):
            return self.first_line[len(prefix) :].strip() or "no reason given"
        return None

    @property
    def file_name(self) -> str | None:
        found = _FILE.match(self.first_line)
        return found["name"] if found else None


def blocks(markdown: str) -> list[Block]:
    """Every fenced block of ``markdown``, in order, with its indentation removed.

    >>> [(b.lang, b.code, b.line) for b in blocks("x\\n```yaml\\na: 1\\n```\\n")]
    [('yaml', 'a: 1\\n', 2)]
    """
    found: list[Block] = []
    lines = markdown.split("\n")
    index = 0
    while index < len(lines):
        opening = _FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent = len(opening["indent"])
        body: list[str] = []
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            body.append(
                lines[end][indent:] if lines[end][:indent].isspace() else lines[end]
            )
            end += 1
        if end == len(lines):
            raise AssertionError(f"line {index + 1}: a fence that is never closed")
        found.append(Block(opening["lang"], "".join(f"{b}\n" for b in body), index + 1))
        index = end + 1
    return found


def skip_reason(block: Block) -> str | None:
    """Why the doc says this block is not run, or ``None`` when it runs."""
    if block.lang == "yaml":
        return block.marker(NOT_A_CONFIG)
    return block.marker(NOT_RUN)


def is_checked(block: Block) -> bool:
    """Whether the runner has something to do with this block at all."""
    if block.lang in ("python", "yaml"):
        return True
    return block.lang == "console" and any(
        _command(line) is not None for line in block.code.splitlines()
    )


def write_files(earlier: Sequence[Block], where: pathlib.Path) -> None:
    """Write each ``# file: NAME`` block of ``earlier`` into ``where``."""
    for block in earlier:
        name = block.file_name
        if name is not None:
            target = where / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(block.code, encoding="utf-8")


def run_python(block: Block, where: pathlib.Path, label: str = "<doc>") -> None:
    """Run a python block in a fresh namespace with ``where`` as cwd and on sys.path."""
    code = compile(block.code, f"{label}:{block.line + 1}", "exec")
    before = set(sys.modules)
    sys.path.insert(0, str(where))
    try:
        with contextlib.chdir(where):
            exec(
                code, {"__name__": "doc_snippet", "__file__": str(where / "snippet.py")}
            )
    finally:
        sys.path.remove(str(where))
        # Modules the block imported from ``where`` must not leak into the next.
        for name in set(sys.modules) - before:
            module = sys.modules[name]
            # A namespace package (a directory without __init__.py) has no
            # __file__, only __path__.
            places = [getattr(module, "__file__", None) or ""]
            places += list(getattr(module, "__path__", []))
            if any(place.startswith(str(where)) for place in places):
                del sys.modules[name]


def check_config(block: Block) -> None:
    """Load a yaml block as a config: it must be valid and raise no warning."""
    raw = yaml.safe_load(block.code)
    load_config(raw)


def run_console(block: Block, where: pathlib.Path) -> None:
    """Run our ``$`` commands and compare what they print with the doc's lines."""
    for command, expected in _sessions(block.code):
        argv = shlex.split(command)[len(OUR_COMMAND.split()) :]
        out = io.StringIO()
        with (
            contextlib.chdir(where),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(out),
        ):
            try:
                main(argv)
            except SystemExit:  # argparse's own errors exit; their text is output
                pass
        printed = out.getvalue().splitlines()
        if not matches(expected, printed):
            raise AssertionError(
                f"$ {command}\ndoc says:\n"
                + "\n".join(expected)
                + "\ncommand printed:\n"
                + "\n".join(printed)
            )


def matches(expected: Sequence[str], printed: Sequence[str]) -> bool:
    """``printed`` equals ``expected``, where a ``...`` line stands for any lines.

    >>> matches(["a", "...", "z"], ["a", "b", "c", "z"])
    True
    >>> matches(["a", "z"], ["a", "b", "z"])
    False
    """
    if not expected:
        return not printed
    head, rest = expected[0], expected[1:]
    if head == ELLIPSIS:
        return any(matches(rest, printed[skip:]) for skip in range(len(printed) + 1))
    return bool(printed) and printed[0] == head and matches(rest, printed[1:])


def _command(line: str) -> str | None:
    if line.startswith("$ " + OUR_COMMAND):
        return line[2:].strip()
    return None


def _sessions(code: str) -> Iterator[tuple[str, list[str]]]:
    """Each of our commands with the output lines the doc shows for it."""
    for line, output in shell_sessions(code):
        command = _command(f"$ {line}")
        if command is not None:
            yield command, output


def shell_sessions(code: str) -> list[tuple[str, list[str]]]:
    """Every ``$`` command of a console block (without the ``$ ``), each with
    the output lines the doc shows below it.

    >>> shell_sessions("$ echo hi\\nhi\\n$ true\\n")
    [('echo hi', ['hi']), ('true', [])]
    """
    found: list[tuple[str, list[str]]] = []
    for line in code.splitlines():
        if line.startswith("$"):
            found.append((line[1:].strip(), []))
        elif found:
            found[-1][1].append(line)
    return found
