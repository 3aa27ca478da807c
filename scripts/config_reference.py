"""Print (or rewrite in docs/configuration.md) the table of every config key.

    python scripts/config_reference.py            # print the table
    python scripts/config_reference.py --write    # rewrite it in docs/configuration.md

Keys and defaults come from ``secheaders_wsgi.config.model.Config``; only the
words are written here. A key without words, or words for a key that no longer
exists, is an error, and tests/test_config_reference.py checks that the doc's
table is this script's output: the reference cannot drift from the code.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from collections.abc import Sequence
from dataclasses import fields

from secheaders_wsgi.config.load import _SITE_WIDE as SITE_WIDE
from secheaders_wsgi.config.model import KEYS, Config

DOC = pathlib.Path(__file__).resolve().parent.parent / "docs" / "configuration.md"
START = "<!-- config-reference:start -->"
END = "<!-- config-reference:end -->"

#: key -> (allowed values, what it does). Plain Markdown, one line each.
WORDS: dict[str, tuple[str, str]] = {
    "server_secured": (
        "`true`, `false`",
        "the site is served over HTTPS only (TLS may end at a proxy): every request "
        "counts as https, cookies get `Secure`, HSTS is sent",
    ),
    "hsts_header": (
        "a `Strict-Transport-Security` value, `false`",
        "unset: when `server_secured` or `force_https`, `max-age=31556926; "
        "includeSubDomains` by default, `max-age=63072000; includeSubDomains` under "
        "`preset: strict`; only on https responses",
    ),
    "csp_header": (
        "`true`, `false`, a mapping directive -> sources",
        "`true`: the default policy; `false`: no CSP (nor `X-Content-Type-Options`, "
        "`X-XSS-Protection`); a mapping: a custom policy",
    ),
    "csp_safe_src": (
        "a list of CSP sources",
        "what the `'safe-src'` keyword stands for",
    ),
    "csp_unsafe_inline": (
        "`true`, `false`",
        "add `'unsafe-inline'` to `script-src` and `style-src` (no nonce is sent "
        "while it is on)",
    ),
    "csp_unsafe_eval": (
        "`true`, `false`",
        "add `'unsafe-eval'` to `script-src` and `style-src`",
    ),
    "csp_frame_ancestors": (
        "`true`, `false`, a list of sources",
        "`true`: no `frame-ancestors`; `false` or `[]`: `'none'`; "
        "a list: those sources",
    ),
    "referrer_policy": (
        "a Referrer-Policy token or a comma list, `false`",
        "the `Referrer-Policy` header; `false`: none",
    ),
    "debug": (
        "`true`, `false`",
        "development: `'unsafe-inline'` is always added; nothing else changes",
    ),
    "preset": (
        "`standard`, `strict`",
        "start from a preset; every key given beside it overrides it",
    ),
    "csp_nonce_directives": (
        "a list of `script-src`, `style-src`, `script-src-elem`, `style-src-elem`, "
        "`default-src`",
        "where `'nonce-…'` goes when the app used its nonce; `[]`: never",
    ),
    "csp_nonce_cache_control": (
        "a `Cache-Control` value without `public`, `false`",
        "sent with a response whose CSP carries a nonce and that set no "
        "`Cache-Control`; `false`: none",
    ),
    "csp_report_only": (
        "`true`, `false`",
        "send the policy as `Content-Security-Policy-Report-Only` (nothing blocked)",
    ),
    "csp_report_only_header": (
        "a mapping, as `csp_header`",
        "a second policy sent report-only beside the enforced one",
    ),
    "csp_report_uri": (
        "an `https://` URL or a path",
        "where browsers send reports (`report-uri`, `report-to`, "
        "`Reporting-Endpoints`)",
    ),
    "csp_report_path": (
        "a path",
        "the built-in receiver answers it and logs each report",
    ),
    "csp_report_max_bytes": (
        "1 to 10485760",
        "the largest report body the receiver reads",
    ),
    "csp_report_sample_rate": (
        "0 to 1",
        "the share of responses whose policies carry `report-uri` and `report-to`",
    ),
    "report_sink": (
        "`log`, `{sqlite: PATH}`, `{otlp: {endpoint: URL}}`, "
        "`{callable: 'package.module:function'}`",
        "where the receiver's records go; see [reporting](reporting.md#sinks)",
    ),
    "report_rate": (
        "more than 0, at most 10000",
        "new reports stored per second and process; more are counted as `dropped`",
    ),
    "report_window_seconds": (
        "0 to 3600",
        "a repeat of a report seen this recently is counted, not stored",
    ),
    "report_summary_seconds": (
        "1 to 86400",
        "at most one summary record (dropped, folded, noise) per this many seconds",
    ),
    "permissions_policy": (
        "`false`, a mapping feature -> allowlist (a list)",
        "the `Permissions-Policy` header",
    ),
    "cross_origin_opener_policy": (
        "`same-origin`, `same-origin-allow-popups`, `noopener-allow-popups`, "
        "`unsafe-none`, `false`",
        "the `Cross-Origin-Opener-Policy` header",
    ),
    "cross_origin_embedder_policy": (
        "`require-corp`, `credentialless`, `unsafe-none`, `false`",
        "the `Cross-Origin-Embedder-Policy` header",
    ),
    "cross_origin_resource_policy": (
        "`same-site`, `same-origin`, `cross-origin`, `false`",
        "the `Cross-Origin-Resource-Policy` header",
    ),
    "cross_origin_opener_policy_report_only": (
        "`same-origin`, `same-origin-allow-popups`, `noopener-allow-popups`, `false`",
        "`Cross-Origin-Opener-Policy-Report-Only`, with `report-to` when reports "
        "have an endpoint; see [cross-origin](cross-origin.md)",
    ),
    "cross_origin_embedder_policy_report_only": (
        "`require-corp`, `credentialless`, `false`",
        "`Cross-Origin-Embedder-Policy-Report-Only`, with `report-to` when reports "
        "have an endpoint: try COEP before enforcing it",
    ),
    "x_frame_options": (
        "`DENY`, `SAMEORIGIN`, `false`",
        "unset: derived from the CSP's `frame-ancestors`",
    ),
    "xss_protection": (
        '`"0"`, `"1"`, `"1; mode=block"`, `false`',
        "unset: `1; mode=block` (`0` under `preset: strict`) beside an active CSP",
    ),
    "origin_agent_cluster": (
        "`true`, `false`",
        "`Origin-Agent-Cluster: ?1` / `?0`; unset: no header",
    ),
    "x_dns_prefetch_control": (
        "`true` / `on`, `false` / `off`",
        "`X-DNS-Prefetch-Control`; unset: no header",
    ),
    "x_permitted_cross_domain_policies": (
        "`none`, `master-only`, `by-content-type`, `by-ftp-filename`, `all`, "
        "`none-this-response`, `false`",
        "the `X-Permitted-Cross-Domain-Policies` header",
    ),
    "x_download_options": (
        "`noopen`, `false`",
        "the `X-Download-Options` header",
    ),
    "clear_site_data": (
        'a list of `cache`, `cookies`, `storage`, `executionContexts`, or `["*"]`; '
        "`false`",
        "the `Clear-Site-Data` header, for a logout rule (warns at the top level)",
    ),
    "cache_control": (
        "a `Cache-Control` value of RFC 9111 response directives, `false`",
        "the `Cache-Control` header, for a rule; the app's own wins; it wins over "
        "`csp_nonce_cache_control`",
    ),
    "integrity_policy": (
        "`false`, a mapping of `blocked-destinations`, `sources`, `endpoints`",
        "the `Integrity-Policy` header; `endpoints` may name `csp-endpoint` only",
    ),
    "integrity_policy_report_only": (
        "as `integrity_policy`",
        "the `Integrity-Policy-Report-Only` header",
    ),
    "remove_headers": (
        "header names, and the token `owasp`",
        "stripped from the app's responses; `owasp`: OSHP's remove list",
    ),
    "force_https": (
        "`true`, `false`",
        "redirect plain http to https (301 for GET/HEAD, 308 otherwise)",
    ),
    "force_https_permanent": (
        "`true`, `false`",
        "`false`: the redirect is 307, which browsers do not cache",
    ),
    "redirect_host": (
        "a host name, optionally `:port`",
        "the host every https redirect goes to (Django's `SECURE_SSL_HOST`)",
    ),
    "force_https_exempt": (
        "a list of path prefixes",
        "still served over plain http (health checks)",
    ),
    "allowed_hosts": (
        "host names, `*.example.com`",
        "the hosts a redirect may go to; others get 400",
    ),
    "trusted_proxies": (
        "0 or more",
        "how many proxies in front set `X-Forwarded-*`; 0 trusts none",
    ),
    "cookie_samesite": (
        "`Lax`, `Strict`, `None`, `false`",
        "added to every `Set-Cookie` that has no `SameSite`",
    ),
    "cookie_httponly": (
        "`true`, `false`, a list of cookie names",
        "add `HttpOnly` to every cookie, or to the named ones",
    ),
    "cross_origin": (
        "`false`, a mapping of `mode` (`csrf`, `isolation`), `report_only`, "
        "`trusted_origins`, `same_site_trusted`",
        "refuse cross-origin requests (403) before the app, from `Sec-Fetch-Site` "
        "and `Origin`; not in `overrides:`; see [cross-origin](cross-origin.md)",
    ),
    "paths": (
        "a list of rules, each `prefix:` and other keys",
        "per-path rules; the longest matching prefix wins; see [paths](paths.md)",
    ),
    "framework_pages": (
        "a list of `django_admin`, `drf_browsable_api`, `django_debug`, "
        "`fastapi_docs`, `fastapi_redoc`, or a mapping of name to prefix",
        "framework pages that work under every preset: each gets the CSP it "
        "needs at its prefix, nothing else changes; see "
        "[framework pages](framework-pages.md)",
    ),
    "overrides": (
        "a mapping of names to rules (the keys a `paths` rule takes, and `replace:`)",
        "named rules a response picks with `use_override(environ, name)`; see "
        "[per-response control](overrides.md)",
    ),
}


def default(value: object) -> str:
    """A default as the YAML that gives it; ``None`` is "unset"."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, tuple):
        return "`[" + ", ".join(_item(v) for v in value) + "]`"
    return f"`{value}`"


def _item(value: object) -> str:
    text = str(value)
    return f'"{text}"' if text.startswith("'") else text


def table() -> str:
    """The Markdown table of every key, in ``Config``'s order."""
    missing = [k for k in KEYS if k not in WORDS]
    extra = [k for k in WORDS if k not in KEYS]
    if missing or extra:
        raise SystemExit(
            f"scripts/config_reference.py: keys without words: {missing}; "
            f"words for keys that do not exist: {extra}"
        )
    rows = ["| key | default | allowed | what it does |", "|---|---|---|---|"]
    for f in fields(Config):
        allowed, meaning = WORDS[f.name]
        if f.name in SITE_WIDE and f.name not in ("paths", "overrides"):
            meaning += "; site-wide (not in a `paths` rule)"
        rows.append(f"| `{f.name}` | {default(f.default)} | {allowed} | {meaning} |")
    return "\n".join(rows) + "\n"


def rewritten(doc: str) -> str:
    """``doc`` with the text between the markers replaced by :func:`table`."""
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table()}{END}{tail}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"rewrite {DOC.name}")
    args = parser.parse_args(argv)
    if args.write:
        DOC.write_text(rewritten(DOC.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        sys.stdout.write(table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
