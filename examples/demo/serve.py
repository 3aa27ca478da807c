"""Serve the demo with waitress: ``python examples/demo/serve.py``.

Open http://127.0.0.1:8000/ to see the headers the page was served with and
which protections hold in your browser. Needs ``pip install -e '.[demo]'``.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

if __package__ in (None, ""):
    # Run as a script: make `examples` importable from the repository root.
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from examples.demo.app import CONFIG, make_app  # noqa: E402


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--config", default=str(CONFIG), help="a YAML file")
    args = parser.parse_args(argv)

    from waitress import serve

    # The receiver logs each CSP violation report on "secheaders.csp".
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    app = make_app(args.config)
    print(f"secheaders_wsgi demo on http://{args.host}:{args.port}/", flush=True)
    serve(app, host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
