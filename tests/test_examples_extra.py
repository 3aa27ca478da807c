"""``pip install -e '.[examples]'`` installs every framework examples/ imports."""

from __future__ import annotations

import ast
import pathlib
import re
import sys
import tomllib

ROOT = pathlib.Path(__file__).resolve().parent.parent
# Import names that differ from the distribution's name.
DISTRIBUTION = {"yaml": "pyyaml", "rest_framework": "djangorestframework"}


def _imports(path: pathlib.Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_the_examples_extra_covers_every_third_party_import() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    extra = {
        re.split(r"[<>=!~\[ ]", requirement)[0].lower()
        for requirement in project["project"]["optional-dependencies"]["examples"]
    }
    installed = {
        re.split(r"[<>=!~\[ ]", requirement)[0].lower()
        for requirement in project["project"]["dependencies"]
    }
    # _typeshed: type-checking only, under TYPE_CHECKING.
    ours = {"secheaders_wsgi", "examples", "__future__", "_typeshed"}
    needed = set()
    for path in (ROOT / "examples").rglob("*.py"):
        for name in _imports(path) - ours - set(sys.stdlib_module_names):
            needed.add(DISTRIBUTION.get(name, name))
    assert "waitress" in needed  # the servers are imported under __main__ guards
    assert needed <= extra | installed, sorted(needed - extra - installed)


def test_each_example_says_how_to_run_it() -> None:
    for name in ("plain_wsgi", "flask_app", "bottle_app", "falcon_app", "pyramid_app"):
        doc = ast.get_docstring(
            ast.parse((ROOT / "examples" / f"{name}.py").read_text())
        )
        assert doc is not None and f"python examples/{name}.py" in doc, name
    wsgi = (ROOT / "examples" / "django_project" / "wsgi.py").read_text()
    assert "waitress-serve" in wsgi and ".[examples]" in wsgi
