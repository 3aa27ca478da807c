"""``python -m secheaders_wsgi show [CONFIG.yaml]``: print the headers of a config."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from .config import Config, load_config
from .errors import ConfigError
from .policy import headers
from .prefixes import PrefixTable


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
    show.add_argument(
        "--path",
        help="show the headers for this request path: the longest matching "
        "paths: rule applies (e.g. --path /embed/x)",
    )
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "show" and args.path is not None:
        config = _for_path(config, args.path)
    for name, value in headers(config, https=not args.http):
        print(f"{name}: {value}")
    return 0


def _for_path(config: Config, path: str) -> Config:
    """The config the middleware uses for ``path``; says which rule on stderr."""
    table = PrefixTable(
        (prefix, (index, prefix, rule))
        for index, (prefix, rule) in enumerate(config.paths)
    )
    found = table.longest(path)
    if found is None:
        print(f"{path}: no paths rule matches; top-level settings", file=sys.stderr)
        return config
    index, prefix, rule = found
    print(f"{path}: rule paths[{index}] (prefix {prefix!r})", file=sys.stderr)
    return rule
