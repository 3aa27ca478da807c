from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import settings

# No per-example deadline: CI machines are noisy, and the [django] runs build a
# Django handler per example; speed is measured in benchmarks/, not here.
settings.register_profile("secheaders", deadline=None)
settings.load_profile("secheaders")


@pytest.fixture
def yaml_file(tmp_path: Any) -> Callable[[str], Any]:
    def write(text: str) -> Any:
        path = tmp_path / "security.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


# The WSGI contract tests run against the ASGI adapter too (tests/asgi_contract.py).
from tests.asgi_contract import contract_adapter, deselect, generate  # noqa: E402, F401


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    generate(metafunc)


def pytest_collection_modifyitems(config: pytest.Config, items: list[Any]) -> None:
    deselect(config, items)
