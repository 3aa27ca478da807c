"""Before / after in one run: another checkout's SecureHeaders against this one's.

    python benchmarks/compare.py ../main            # e.g. the main branch's checkout
    python benchmarks/compare.py ../main --quick

The other checkout's package is imported under another name, so both run in
the same process, interleaved round by round by :mod:`harness`, against the
same promise-keeping limits: the ratio of the two overheads is not skewed by
load that comes and goes between two separate runs (so it shows that a response
using no per-response control costs what it cost before).
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
from harness import Variant, cookie_app, nonce_app, trivial_app

from secheaders_wsgi import SecureHeaders, update_csp, use_override

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


def _calling(call: Any, app: Any) -> Any:
    """``app``, making one per-response ``call`` on the environ before it runs."""

    def calling(environ: dict[str, Any], start_response: Any) -> Any:
        call(environ)
        return app(environ, start_response)

    return calling


def pairs(before: Any) -> list[tuple[str, Any, str, dict[str, Any], Any, Any]]:
    """(what, config, limit, environ, before's app, after's app) of each row."""
    cdn = {"img-src": [overhead.CDN]}
    # The per-response calls were renamed (csp_update -> update_csp).
    before_update = getattr(before, "update_csp", None) or before.csp_update
    rule = {"PATH_INFO": f"/p{overhead.RULES - 1:04d}/page"}
    return [
        ("defaults", None, overhead.LIMIT, {}, trivial_app, trivial_app),
        ("nonce used", overhead.NONCE, overhead.NONCE_LIMIT, {}, nonce_app, nonce_app),
        (
            "secured + 2 cookies",
            overhead.SECURED,
            overhead.SECURED_LIMIT,
            {},
            cookie_app,
            cookie_app,
        ),
        (
            "1 per-path rule",
            overhead.paths_config(1),
            overhead.LIMIT,
            rule,
            trivial_app,
            trivial_app,
        ),
        (
            "named override used",
            overhead.OVERRIDES,
            overhead.LIMIT,
            {},
            _calling(lambda e: before.use_override(e, "embed"), trivial_app),
            _calling(lambda e: use_override(e, "embed"), trivial_app),
        ),
        (
            "one update_csp",
            None,
            overhead.LIMIT,
            {},
            _calling(lambda e: before_update(e, cdn), trivial_app),
            _calling(lambda e: update_csp(e, cdn), trivial_app),
        ),
    ]


def variants(before: Any) -> list[Variant]:
    found = [
        Variant("bare", lambda: trivial_app),
        Variant("bare + 2 cookies", lambda: cookie_app, group="bare + 2 cookies"),
    ]
    limits: set[str] = set()
    for what, config, limit, environ, old_app, new_app in pairs(before):
        group = "bare + 2 cookies" if old_app is cookie_app else "bare"
        if limit not in limits:
            limits.add(limit)
            limit_config = {
                overhead.LIMIT: None,
                overhead.NONCE_LIMIT: overhead.NONCE,
                overhead.SECURED_LIMIT: overhead.SECURED,
            }[limit]
            limit_app = (
                old_app
                if limit == overhead.SECURED_LIMIT
                else (nonce_app if limit == overhead.NONCE_LIMIT else trivial_app)
            )
            found.append(
                Variant(
                    limit,
                    lambda c=limit_config, a=limit_app: overhead.limit_for(c)(a),
                    group=group,
                    limit=limit,
                )
            )
        found += [
            Variant(
                f"before: {what}",
                lambda c=config, a=old_app: before.SecureHeaders(a, c),
                group=group,
                limit=limit,
                environ=environ,
            ),
            Variant(
                f"after: {what}",
                lambda c=config, a=new_app: SecureHeaders(a, c),
                group=group,
                limit=limit,
                environ=environ,
            ),
        ]
    return found


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
    for what, *_ in pairs(before):
        after, was = rows[f"after: {what}"], rows[f"before: {what}"]
        if after.overhead_ns is not None and was.overhead_ns:
            print(f"{what}: after / before {after.overhead_ns / was.overhead_ns:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
