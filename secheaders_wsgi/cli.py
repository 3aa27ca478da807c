"""``python -m secheaders_wsgi show [CONFIG.yaml]``: print the headers of a config."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .config import load_config
from .errors import ConfigError
from .policy import headers


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m secheaders_wsgi",
        description="Security headers for WSGI applications.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    show = commands.add_parser(
        "show", help="print the header set a config gives, one 'Name: value' a line"
    )
    show.add_argument("config", nargs="?", help="a YAML file (default: all defaults)")
    show.add_argument(
        "--http",
        action="store_true",
        help="show what a plain-http response gets (no Strict-Transport-Security "
        "unless server_secured)",
    )
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for name, value in headers(config, https=not args.http):
        print(f"{name}: {value}")
    return 0
