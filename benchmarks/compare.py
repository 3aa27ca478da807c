"""Before / after in one run: another checkout's SecureHeaders against this one's.

    python benchmarks/compare.py ../main            # e.g. the main branch's checkout
    python benchmarks/compare.py ../main --quick

The other checkout's package is imported under another name, so both run in
the same process, interleaved round by round by :mod:`harness`, against the
same promise-keeping limits: the ratio of the two overheads is not skewed by
load that comes and goes between two separate runs (issue 12 checks with it
that a response using no per-response control costs what it cost before).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import harness
import overhead
from harness import Variant, nonce_app, trivial_app

from secheaders_wsgi import SecureHeaders

BEFORE = "secheaders_wsgi_before"


def load_other(checkout: Path) -> ModuleType:
    """The ``secheaders_wsgi`` package of ``checkout``, as :data:`BEFORE`."""
    package = checkout.resolve() / "secheaders_wsgi"
    spec = importlib.util.spec_from_file_location(
        BEFORE, package / "__init__.py", submodule_search_locations=[str(package)]
    )
    if spec is None or spec.loader is None:
        raise SystemExit(f"no secheaders_wsgi package in {checkout}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[BEFORE] = module
    spec.loader.exec_module(module)
    return module


def variants(before: Any) -> list[Variant]:
    limit, nonce_limit = overhead.LIMIT, overhead.NONCE_LIMIT
    return [
        Variant("bare", lambda: trivial_app),
        Variant(limit, lambda: overhead.limit_for()(trivial_app), limit=limit),
        Variant(
            "before: defaults", lambda: before.SecureHeaders(trivial_app), limit=limit
        ),
        Variant("after: defaults", lambda: SecureHeaders(trivial_app), limit=limit),
        Variant(
            nonce_limit,
            lambda: overhead.limit_for(overhead.NONCE)(nonce_app),
            limit=nonce_limit,
        ),
        Variant(
            "before: nonce used",
            lambda: before.SecureHeaders(nonce_app, overhead.NONCE),
            limit=nonce_limit,
        ),
        Variant(
            "after: nonce used",
            lambda: SecureHeaders(nonce_app, overhead.NONCE),
            limit=nonce_limit,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before", type=Path, help="the other checkout's root")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--samples", type=int)
    parser.add_argument("--number", type=int)
    args = parser.parse_args(argv)
    before = load_other(args.before)
    result, rows = harness.run(
        variants(before), quick=args.quick, samples=args.samples, number=args.number
    )
    print(harness.table(result))
    print()
    for what in ("defaults", "nonce used"):
        after, was = rows[f"after: {what}"], rows[f"before: {what}"]
        if after.overhead_ns is not None and was.overhead_ns:
            print(f"{what}: after / before {after.overhead_ns / was.overhead_ns:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
