"""Overrides and CSP changes computed from scratch, for the cache tests.

A config of several named overrides (:data:`CONFIG`), a WSGI app that makes the
calls its query string lists (:func:`app`), and :func:`expected`: the headers a
response must carry for its calls, computed without the middleware's plans or
caches, by merging the config *mappings* as docs/overrides.md says and giving
the result to ``load_config`` and ``policy.headers``. The CSP is spelt out as
mappings, so merging is a dictionary merge.

A request's calls are a string, ``embed,+h3,locked,=h5``: an override's name,
``+host`` for ``update_csp(environ, {"img-src": ["https://host.example"]})``,
``=host`` for ``replace_csp`` of the same.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from functools import cache
from typing import Any

from secheaders_wsgi import load_config, replace_csp, update_csp, use_override
from secheaders_wsgi.policy import headers as policy_headers

TOP: dict[str, Any] = {
    "csp_unsafe_inline": False,
    "csp_unsafe_eval": False,
    "csp_header": {
        "default-src": ["'self'"],
        "img-src": ["'self'"],
        "script-src": ["'self'"],
    },
    "csp_frame_ancestors": ["'self'"],
    "permissions_policy": {"camera": [], "geolocation": []},
    "referrer_policy": "no-referrer",
}
RULE: dict[str, Any] = {
    "prefix": "/api/",
    "referrer_policy": "same-origin",
    "csp_header": {"connect-src": ["'self'"]},
}
OVERRIDES: dict[str, dict[str, Any]] = {
    "embed": {"csp_frame_ancestors": ["'self'", "https://partner.example"]},
    "locked": {
        "replace": True,
        "csp_header": {"default-src": ["'none'"], "script-src": ["'self'"]},
        "csp_frame_ancestors": ["'none'"],
        "permissions_policy": {"camera": []},
    },
    "quiet": {"referrer_policy": "same-origin"},
    "camera": {"permissions_policy": {"camera": ["self"]}},
    "cdn": {"csp_header": {"img-src": ["'self'", "https://cdn.example"]}},
    "origin": {"referrer_policy": "strict-origin"},
}
CONFIG: dict[str, Any] = {**TOP, "paths": [RULE], "overrides": OVERRIDES}
PATHS = ("/", "/api/x")
_MAPPINGS = ("csp_header", "permissions_policy")


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """Makes the calls of the query string, in order, then answers."""
    for call in filter(None, environ.get("QUERY_STRING", "").split(",")):
        if call[0] == "+":
            update_csp(environ, {"img-src": [f"https://{call[1:]}.example"]})
        elif call[0] == "=":
            replace_csp(environ, {"img-src": [f"https://{call[1:]}.example"]})
        else:
            use_override(environ, call)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def _merge(config: dict[str, Any], rule: dict[str, Any]) -> None:
    """``rule`` onto ``config``: mappings key by key, unless ``replace``."""
    for key, value in rule.items():
        if key in ("replace", "prefix"):
            continue
        if key in _MAPPINGS and not rule.get("replace"):
            config[key] = {**config[key], **value}
        else:
            config[key] = copy.deepcopy(value)


@cache
def expected(path: str, https: bool, calls: str) -> tuple[tuple[str, str], ...]:
    """Our headers for a response to ``path`` that made ``calls``, sorted."""
    config = copy.deepcopy(TOP)
    if path.startswith(RULE["prefix"]):
        _merge(config, RULE)
    steps = [c for c in calls.split(",") if c]
    names = [c for c in steps if c[0] not in "+="]
    # "Using one override twice counts once, at its last place."
    last = {name: i for i, name in enumerate(names)}
    for i, name in enumerate(names):
        if last[name] == i:
            _merge(config, OVERRIDES[name])
    # Changes come after every override, in call order, whenever they were made.
    policy = config["csp_header"]
    for step in (c for c in steps if c[0] in "+="):
        source = f"https://{step[1:]}.example"
        if step[0] == "=":
            policy["img-src"] = [source]
            continue
        base = policy.get("img-src", policy["default-src"])
        sources = [s for s in dict.fromkeys([*base, source]) if s != "'none'"]
        policy["img-src"] = sources
    return normal(policy_headers(load_config(config), https=https))


def random_calls(rng: random.Random, most: int = 5, hosts: int = 40) -> str:
    """Up to ``most`` calls: overrides (repeats too) and CSP changes, mixed."""
    calls = []
    for _ in range(rng.randrange(most + 1)):
        kind = rng.random()
        if kind < 0.6:
            calls.append(rng.choice(list(OVERRIDES)))
        else:
            calls.append(("+" if kind < 0.85 else "=") + f"h{rng.randrange(hosts)}")
    return ",".join(calls)


def normal(headers: Any) -> tuple[tuple[str, str], ...]:
    """Headers sorted, each policy's directives too: their order means nothing
    (a directive an update adds goes last)."""
    return tuple(
        sorted(
            (name, "; ".join(sorted(value.split("; "))))
            if name.startswith("Content-Security-Policy")
            else (name, value)
            for name, value in headers
        )
    )


def ours(headers: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """A response's headers without the app's, to compare with :func:`expected`."""
    return normal(h for h in headers if h[0].lower() != "content-type")
