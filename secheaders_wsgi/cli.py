"""``python -m secheaders_wsgi show|audit [CONFIG.yaml]``: headers and weaknesses.

``reports`` and ``hashes`` (the CSP rollout tools) live in :mod:`.rollout.commands`.

``show`` prints the header set; ``audit`` lists what is weak in it, with the fix,
and with ``--fail-on SEVERITY`` exits 1 when a finding is that bad or worse.
Exit status 2: the config itself is wrong.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .audit import SEVERITIES, Severity, at_least, audit
from .config import Config, load_config
from .config.overrides import apply
from .config.values import normalize_prefix
from .errors import ConfigError, did_you_mean
from .policy import headers
from .request.paths import PrefixTable
from .rollout.commands import COMMANDS, add_commands, run
from .rollout.templates import template_findings


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for a bad config)."""
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
    show.add_argument(
        "--override",
        action="append",
        metavar="NAME",
        help="show what a response whose view calls use_override(environ, NAME) "
        "gets, on top of --path; repeat to stack overrides in call order",
    )
    check = commands.add_parser(
        "audit", help="list the weaknesses of the header set a config gives"
    )
    check.add_argument("config", nargs="?", help="a YAML file (default: all defaults)")
    check.add_argument(
        "--fail-on",
        choices=SEVERITIES,
        help="exit 1 when a finding is this severe or worse (for CI)",
    )
    check.add_argument(
        "--templates",
        metavar="DIR",
        type=Path,
        help="also report the inline scripts, styles and event handlers in the "
        "templates under DIR that the policy does not allow by hash",
    )
    add_commands(commands)
    args = parser.parse_args(argv)
    if args.command in COMMANDS:
        return run(args)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "audit":
        if args.templates is not None and not args.templates.is_dir():
            # rglob() of a missing folder finds nothing: that would read as
            # "no inline block is blocked" instead of a typo.
            print(
                f"error: --templates: {args.templates}: no such folder", file=sys.stderr
            )
            return 2
        return _audit(config, args.fail_on, args.templates)
    top = config
    if args.path is not None:
        config = _for_path(config, args.path)
    try:
        for name in args.override or ():
            config = _with_override(config, top, name)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    # With server_secured every request counts as https, plain-http ones too.
    https = not args.http or config.server_secured
    for name, value in headers(config, https=https):
        print(f"{name}: {value}")
    return 0


def _audit(config: Config, fail_on: Severity | None, templates: Path | None) -> int:
    findings = audit(config)
    if templates is not None:
        found = (*findings, *template_findings(config, templates))
        findings = tuple(sorted(found, key=lambda f: -SEVERITIES.index(f.severity)))
    for finding in findings:
        where = (
            f"[paths {finding.prefix}] "
            if finding.prefix is not None
            else f"[overrides {finding.override}] "
            if finding.override is not None
            else ""
        )
        print(
            f"{finding.severity.upper():<6}  {where}{finding.rule}: {finding.message}"
        )
        print(f"        fix: {finding.fix}")
    counts = ", ".join(
        f"{sum(f.severity == s for f in findings)} {s}" for s in reversed(SEVERITIES)
    )
    print(f"{len(findings)} findings ({counts})" if findings else "no findings")
    if fail_on is not None and at_least(findings, fail_on):
        return 1
    return 0


def _with_override(config: Config, top: Config, name: str) -> Config:
    """``config`` as a response that called ``use_override(environ, name)`` sees it.

    ``top``: the loaded config, whose ``overrides:`` name the choices.
    """
    overrides = {override.name: override for override in top.overrides}
    if name not in overrides:
        known = ", ".join(overrides) or "none are configured"
        raise ConfigError(
            f"--override: {name!r} is not in the config's overrides: "
            f"(allowed: {known}){did_you_mean(name, tuple(overrides))}"
        )
    print(f"override {name!r} applied", file=sys.stderr)
    return apply(config, overrides[name], f"overrides.{name}: ")


def _for_path(config: Config, path: str) -> Config:
    """The config the middleware uses for ``path``; says which rule on stderr."""
    table = PrefixTable(
        (prefix, (index, prefix, rule))
        for index, (prefix, rule) in enumerate(config.paths)
    )
    # Typed as a browser shows it; the table matches PATH_INFO (PEP 3333: the
    # UTF-8 bytes as latin-1), so "/café/x" is looked up as servers deliver it.
    found = table.longest(path.encode("utf-8").decode("latin-1"))
    if found is None:
        print(f"{path}: no paths rule matches; top-level settings", file=sys.stderr)
        return config
    index, prefix, rule = found
    print(f"{path}: {_rule_name(config, index, prefix)}", file=sys.stderr)
    return rule


def _rule_name(config: Config, index: int, prefix: str) -> str:
    """``rule paths[1] (prefix '/admin/')``, or the framework page it is."""
    key = normalize_prefix(prefix)
    pages = [
        page
        for page in config.framework_pages
        if page.prefix is not None
        and (key + "/").startswith(normalize_prefix(page.prefix).rstrip("/") + "/")
    ]
    own = next(
        (page for page in pages if page.own_entry and page.prefix == prefix), None
    )
    if own is not None:
        return f"framework_pages {own.name} (prefix {prefix!r})"
    named = f"rule paths[{index}] (prefix {prefix!r})"
    if pages:
        named += " with framework_pages " + ", ".join(page.name for page in pages)
    return named
