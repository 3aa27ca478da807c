"""Hostile config files and templates: how long each takes, and what it gives.

    python benchmarks/hostile_inputs.py [--timeout SECONDS]

Each input is written to a file and read in a child process: a config with
``load_config``, a template with ``find_blocks`` (what ``hashes`` and
``audit --templates`` run). A child that outlives ``--timeout`` is killed and
its row says so. The child imports the ``secheaders_wsgi`` first on its path,
so another checkout is measured with ``PYTHONPATH=/that/checkout``. The times
are this machine's: compare the rows of two runs, not two machines. The tests
bound the work of the same inputs (tests/config/test_hostile_files.py,
tests/test_rollout_markup.py); this only shows what that buys.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

# The child prints "seconds<TAB>outcome"; timed in the child, so interpreter
# start-up is left out.
CHILD = """
import sys, time
from secheaders_wsgi import ConfigError, load_config
from secheaders_wsgi.inline.hashes import find_blocks
kind, path = sys.argv[1:]
start = time.perf_counter()
try:
    if kind == "config":
        load_config(path)
        outcome = "loaded"
    else:
        text = open(path, encoding="utf-8").read()
        outcome = f"{len(find_blocks(path, text))} blocks"
except ConfigError as exc:
    message = str(exc)[len(path):]
    outcome = f"ConfigError, {len(message)} chars: {message[:70]!r}"
except Exception as exc:
    outcome = f"{type(exc).__name__}: {str(exc)[:70]!r}"
print(f"{time.perf_counter() - start:.3f}\\t{outcome}")
"""


def _bomb() -> str:
    rows = ["  - &l0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    rows += [f"  - &l{n} [{','.join([f'*l{n - 1}'] * 9)}]" for n in range(1, 9)]
    return "csp_report_sample_rate:\n" + "\n".join(rows) + "\n"


CONFIGS = {
    "alias bomb (9 levels)": _bomb(),
    "4400-digit number": "trusted_proxies: " + "9" * 4400 + "\n",
    "5000 nested lists": "csp_safe_src: " + "[" * 5000 + "]" * 5000 + "\n",
    "1 MB string value": 'referrer_policy: "' + "x" * 1_000_000 + '"\n',
    "5000-key mapping for a list": "csp_safe_src: {"
    + ", ".join(f"k{i}: v" for i in range(5000))
    + "}\n",
}
TEMPLATES = {
    "'<![ b'": "<p>hi</p><![ b",
    "80 KB of '<a '": "<a " * 27_000,
    "80 KB of '<a'": "<a" * 40_000,
    "80 KB of '<!--'": "<!--" * 20_000,
    "80 KB of unclosed attributes": "<a b='" + "x " * 40_000,
    "80 KB of nested '<div>'": "<div>" * 16_000,
    "1 MB of closed tags": '<a href="/x" onclick="go()">' * 36_000,
}


def measure(kind: str, path: Path, timeout: float) -> tuple[str, str]:
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, kind, str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            # Not this checkout's folder: "-c" puts the working folder first
            # on the path, ahead of PYTHONPATH.
            cwd=path.parent,
        )
    except subprocess.TimeoutExpired:
        return f">{timeout:g}", "killed: still running"
    if done.returncode != 0 or "\t" not in done.stdout:
        return "-", f"exit {done.returncode}: {done.stderr.strip()[-70:]!r}"
    seconds, outcome = done.stdout.strip().split("\t", 1)
    return seconds, outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=60, help="seconds per input")
    args = parser.parse_args(argv)
    inputs = [("config", n, t) for n, t in CONFIGS.items()]
    inputs += [("template", n, t) for n, t in TEMPLATES.items()]
    width = max(len(name) for _, name, _ in inputs)
    print(f"{'input':<{width}}  {'bytes':>8}  {'seconds':>8}  outcome")
    with tempfile.TemporaryDirectory() as folder:
        for kind, name, text in inputs:
            path = Path(folder) / ("security.yaml" if kind == "config" else "t.html")
            path.write_text(text, encoding="utf-8")
            seconds, outcome = measure(kind, path, args.timeout)
            size = len(text.encode())
            print(f"{name:<{width}}  {size:>8}  {seconds:>8}  {outcome}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
