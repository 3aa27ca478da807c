"""The README's YAML examples for the extra headers are valid, warning-free configs."""

from __future__ import annotations

import pathlib
import re

import pytest
import yaml

from secheaders_wsgi import load_config
from secheaders_wsgi.cli import main

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("### More headers, HTTPS redirect")
    return text[start : text.index("## Behaviour notes", start)]


BLOCKS = re.findall(r"```yaml\n(.*?)```", section(), re.DOTALL)


def test_the_section_has_examples() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("block", BLOCKS, ids=[f"yaml-{i}" for i in range(len(BLOCKS))])
def test_yaml_example_loads(block: str) -> None:
    load_config(yaml.safe_load(block))  # filterwarnings = error: no warning either


def test_per_path_example_shows_what_the_readme_says(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    block = next(b for b in BLOCKS if "paths:" in b and "/embed/" in b)
    path = tmp_path / "security.yaml"
    path.write_text(block, encoding="utf-8")
    assert main(["show", str(path), "--path", "/embed/x"]) == 0
    out, _ = capsys.readouterr()
    assert "frame-ancestors 'self' https://partner.example\n" in out
    assert "X-Frame-Options" not in out
    assert main(["show", str(path), "--path", "/"]) == 0
    out, _ = capsys.readouterr()
    assert "X-Frame-Options: DENY\n" in out
