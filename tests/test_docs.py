"""Every code block in docs/ (and, once rewritten, README.md) runs as the doc says.

One test per block, named ``<document>:<line>``. The conventions are in
tests/doc_snippets.py and docs/contributing.md.
"""

from __future__ import annotations

import pathlib
import re
import sys
from typing import Any

import pytest
import yaml

from secheaders_wsgi import ConfigError
from secheaders_wsgi.cli import main

from . import doc_snippets as snippets

ROOT = pathlib.Path(__file__).resolve().parent.parent

DOCUMENTS = sorted(
    path.relative_to(ROOT).as_posix()
    for path in [ROOT / "README.md", *(ROOT / "docs").glob("**/*.md")]
)


def _cases() -> list[Any]:
    cases = []
    for document in DOCUMENTS:
        found = snippets.blocks((ROOT / document).read_text(encoding="utf-8"))
        for index, block in enumerate(found):
            if snippets.is_checked(block):
                cases.append(
                    pytest.param(
                        document, found[:index], block, id=f"{document}:{block.line}"
                    )
                )
    return cases


def run_block(
    block: snippets.Block,
    earlier: list[snippets.Block],
    where: pathlib.Path,
    label: str = "<doc>",
) -> None:
    """What the test does with one block; the test of the test calls it too."""
    # A reader runs commands from the repository root: examples/security.yaml
    # must mean the same file here.
    if not (where / "examples").exists():
        (where / "examples").symlink_to(ROOT / "examples", target_is_directory=True)
    snippets.write_files(earlier, where)
    if block.lang == "python":
        snippets.run_python(block, where, label)
    elif block.lang == "yaml":
        snippets.check_config(block)
    else:
        snippets.run_console(block, where)


def test_there_are_documents() -> None:
    assert "docs/configuration.md" in DOCUMENTS
    assert "README.md" in DOCUMENTS


@pytest.mark.parametrize(("document", "earlier", "block"), _cases())
def test_block(
    document: str,
    earlier: list[snippets.Block],
    block: snippets.Block,
    tmp_path: pathlib.Path,
) -> None:
    reason = snippets.skip_reason(block)
    if reason is not None:
        # A fragment shown as YAML or Python must still be that.
        if block.lang == "yaml":
            yaml.safe_load(block.code)
        elif block.lang == "python":
            compile(block.code, f"{document}:{block.line + 1}", "exec")
        pytest.skip(f"{document}:{block.line}: {reason}")
    run_block(block, earlier, tmp_path, document)


# The test of the test: a broken doc fails through the same functions.

BROKEN = """\
# A broken page

```yaml
# file: security.yaml
server_secured: true
```

```python
raise RuntimeError("this snippet is broken")
```

```yaml
server_secure: true
```

```console
$ python -m secheaders_wsgi show security.yaml
Content-Security-Policy: default-src 'none'
...
```

```python
# not run: shows a fragment
app = SecureHeaders(app)
```
"""


def _broken() -> list[snippets.Block]:
    return snippets.blocks(BROKEN)


def test_a_python_block_that_raises_fails(tmp_path: pathlib.Path) -> None:
    found = _broken()
    with pytest.raises(RuntimeError, match="this snippet is broken"):
        run_block(found[1], found[:1], tmp_path)


def test_a_yaml_block_with_a_bad_key_fails(tmp_path: pathlib.Path) -> None:
    found = _broken()
    with pytest.raises(ConfigError, match="Did you mean 'server_secured'"):
        run_block(found[2], found[:2], tmp_path)


def test_a_console_block_whose_output_differs_fails(tmp_path: pathlib.Path) -> None:
    found = _broken()
    with pytest.raises(AssertionError, match="doc says:"):
        run_block(found[3], found[:3], tmp_path)


def test_the_console_block_passes_once_its_output_is_right(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The same command with its true first line: proves the failure above is
    # the output, not a missing file or a command that cannot run.
    found = _broken()
    snippets.write_files(found[:1], tmp_path)
    main(["show", str(tmp_path / "security.yaml")])
    first = capsys.readouterr().out.splitlines()[0]
    command = found[3].code.splitlines()[0]
    fixed = snippets.Block("console", f"{command}\n{first}\n...\n", found[3].line)
    run_block(fixed, found[:3], tmp_path)


def test_a_marked_fragment_is_skipped_with_its_reason() -> None:
    found = _broken()
    assert snippets.skip_reason(found[4]) == "shows a fragment"
    assert snippets.skip_reason(found[1]) is None


def test_an_unclosed_fence_is_an_error() -> None:
    with pytest.raises(AssertionError, match="line 1: a fence that is never closed"):
        snippets.blocks("```python\nx = 1\n")


def test_files_are_written_for_later_blocks(tmp_path: pathlib.Path) -> None:
    found = _broken()
    snippets.write_files(found[:1], tmp_path)
    assert (
        tmp_path / "security.yaml"
    ).read_text() == "# file: security.yaml\nserver_secured: true\n"


def test_the_repositorys_examples_are_visible(tmp_path: pathlib.Path) -> None:
    block = snippets.blocks(
        "```console\n$ python -m secheaders_wsgi audit examples/security.yaml\n...\n```\n"
    )[0]
    run_block(block, [], tmp_path)
    assert (tmp_path / "examples" / "security.yaml").is_file()


def test_modules_written_by_a_page_do_not_leak(tmp_path: pathlib.Path) -> None:
    found = snippets.blocks(
        "```python\n# file: pkg/mod.py\nVALUE = 1\n```\n\n"
        "```python\nfrom pkg.mod import VALUE\n\nassert VALUE == 1\n```\n"
    )
    run_block(found[1], found[:1], tmp_path)
    assert "pkg" not in sys.modules and "pkg.mod" not in sys.modules


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, - for spaces."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: pathlib.Path) -> set[str]:
    fenced = False  # a "# comment" in a code block is no heading
    anchors = set()
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced and line.startswith("#"):
            anchors.add(_slug(line.lstrip("#")))
    return anchors


def broken_links(path: pathlib.Path) -> list[str]:
    """The relative links of a page whose file or heading does not exist."""
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", path.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):
            continue  # https://, mailto:
        name, _, anchor = target.partition("#")
        linked = (path.parent / name).resolve() if name else path
        if not linked.exists():
            broken.append(target)
        elif anchor and linked.suffix == ".md" and anchor not in _anchors(linked):
            broken.append(target)
    return broken


@pytest.mark.parametrize("document", DOCUMENTS)
def test_relative_links_and_anchors_resolve(document: str) -> None:
    assert broken_links(ROOT / document) == []


def test_a_broken_link_or_anchor_is_found(tmp_path: pathlib.Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Top `key`\n\n```python\n# not a heading\n```\n\n"
        "[a](#top-key) [b](#not-a-heading) [c](missing.md) [d](page.md#top-key)\n",
        encoding="utf-8",
    )
    assert broken_links(page) == ["#not-a-heading", "missing.md"]
