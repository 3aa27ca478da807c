from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture
def yaml_file(tmp_path: Any) -> Callable[[str], Any]:
    def write(text: str) -> Any:
        path = tmp_path / "security.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write
