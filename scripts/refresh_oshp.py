"""Refresh ``secheaders_wsgi/data/oshp.json`` from the OWASP Secure Headers Project.

Run by a maintainer with internet access, never in CI or tests:

    python scripts/refresh_oshp.py            # rewrite the data file
    git diff secheaders_wsgi/data/oshp.json   # review what OSHP changed

It fetches ``ci/headers_add.json`` and ``ci/headers_remove.json`` at the current
commit of OSHP's default branch and records that commit and today's date beside
them. Review the diff before committing: a new name on the remove list changes
what ``remove_headers: [owasp]`` strips, and a new header on the add list fails
``tests/test_owasp.py`` until ``preset: strict`` and the README cover it.
"""

from __future__ import annotations

import datetime
import json
import re
import sys
import urllib.request
from pathlib import Path
from typing import Any

REPO = "OWASP/www-project-secure-headers"
SOURCE = f"https://github.com/{REPO} (ci/headers_add.json, ci/headers_remove.json)"
TARGET = Path(__file__).parents[1] / "secheaders_wsgi" / "data" / "oshp.json"
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _get(url: str) -> Any:
    request = urllib.request.Request(url, headers={"User-Agent": "refresh_oshp"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def build(
    add: dict[str, Any], remove: dict[str, Any], *, commit: str, today: str
) -> dict[str, Any]:
    """The data file's content from OSHP's two JSON files, checked."""
    names = [str(name) for name in remove["headers"]]
    bad = [name for name in names if not _TOKEN.fullmatch(name)]
    if bad:
        raise SystemExit(f"not header names, refusing to write: {bad}")
    lower = [name.lower() for name in names]
    if len(set(lower)) != len(lower):
        raise SystemExit("the remove list names a header twice; check it by hand")
    return {
        "source": SOURCE,
        "commit": commit,
        "oshp_last_update_utc": remove["last_update_utc"],
        "retrieved": today,
        "how": "fetched by scripts/refresh_oshp.py",
        "headers_add": [
            {"name": h["name"], "value": h["value"]} for h in add["headers"]
        ],
        "headers_remove": names,
    }


def main() -> int:
    branch = _get(f"https://api.github.com/repos/{REPO}/commits/HEAD")
    commit = branch["sha"]
    raw = f"https://raw.githubusercontent.com/{REPO}/{commit}/ci"
    data = build(
        _get(f"{raw}/headers_add.json"),
        _get(f"{raw}/headers_remove.json"),
        commit=commit,
        today=datetime.date.today().isoformat(),
    )
    TARGET.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"{TARGET}: {len(data['headers_remove'])} names to remove, commit {commit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
