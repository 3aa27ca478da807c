"""The README gets a newcomer to a correct setup: short, its set-up commands are the
ones CI runs, and its production config passes its own audit.

Every code block in it runs too: tests/test_docs.py runs the README with docs/.
"""

from __future__ import annotations

import pathlib
import re

import pytest
import yaml

from secheaders_wsgi import load_config
from secheaders_wsgi.audit import at_least, audit
from secheaders_wsgi.cli import main
from tests import doc_snippets as snippets

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = snippets.blocks(README)


def _production() -> str:
    (block,) = [
        b for b in BLOCKS if b.lang == "yaml" and "# file: security.yaml" in b.code
    ]
    return block.code


def test_the_readme_is_short() -> None:
    assert len(README.splitlines()) < 250


def test_the_test_command_is_the_one_ci_runs() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    command = "pip install -e '.[test]' && pytest"
    assert ci[-1] == command
    assert re.search(rf"^\$ {re.escape(command)}\s+#", README, re.M)


def test_the_demo_command_names_a_file_that_serves_the_demo() -> None:
    match = re.search(r"^\$ pip install -e '\.\[demo\]' && python (\S+)", README, re.M)
    assert match is not None
    assert (ROOT / match.group(1)).is_file()


def test_the_set_up_commands_come_before_any_other_section() -> None:
    assert README.index("$ pip install -e '.[test]' && pytest") < README.index(
        "## Wrap your app"
    )


def test_the_production_config_has_no_finding_above_low(
    tmp_path: pathlib.Path,
) -> None:
    config = load_config(yaml.safe_load(_production()))
    findings = audit(config)
    assert not at_least(findings, "medium"), [f.rule for f in findings]
    path = tmp_path / "security.yaml"
    path.write_text(_production(), encoding="utf-8")
    assert main(["audit", str(path), "--fail-on", "medium"]) == 0


@pytest.mark.parametrize("preset", ["standard", "strict"])
def test_both_presets_the_readme_offers_exist(preset: str) -> None:
    assert f"preset: {preset}" in README
    load_config({"preset": preset})


def test_one_snippet_per_integration() -> None:
    python = "\n".join(b.code for b in BLOCKS if b.lang == "python")
    for wrapping in (
        "SecureHeaders(hello",  # plain WSGI
        "init_app(app",  # Flask
        '"secheaders_wsgi.django.SecureHeadersMiddleware"',  # Django
        "from secheaders_wsgi.asgi import SecureHeaders",  # FastAPI / Starlette
    ):
        assert wrapping in python
