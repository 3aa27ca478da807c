"""docs/configuration.md's table of keys is what the code says: no key or default drifts."""

from __future__ import annotations

from dataclasses import fields

from scripts import config_reference
from secheaders_wsgi.config.model import KEYS, Config


def test_every_key_has_words_and_no_words_lack_a_key() -> None:
    assert set(config_reference.WORDS) == set(KEYS)


def test_the_doc_table_is_the_scripts_output() -> None:
    # On failure: python scripts/config_reference.py --write
    doc = config_reference.DOC.read_text(encoding="utf-8")
    assert config_reference.rewritten(doc) == doc


def test_the_table_names_each_key_with_its_default() -> None:
    rows = config_reference.table().splitlines()[2:]
    assert [row.split(" | ")[0] for row in rows] == [f"| `{k}`" for k in KEYS]
    defaults = {f.name: f.default for f in fields(Config)}
    assert "| `server_secured` | `false` |" in rows[0]
    assert defaults["csp_safe_src"] == ("'self'",)
    assert any(r.startswith("| `csp_safe_src` | `[\"'self'\"]` |") for r in rows)
    assert any(r.startswith("| `csp_report_max_bytes` | `65536` |") for r in rows)
    assert any(r.startswith("| `hsts_header` | unset |") for r in rows)


def test_site_wide_keys_say_so() -> None:
    table = config_reference.table()
    row = next(r for r in table.splitlines() if r.startswith("| `trusted_proxies`"))
    assert row.endswith("site-wide (not in a `paths` rule) |")
