"""The frozen :class:`Config`: each setting, its default and its check, side by side.

Every field names the check its raw value goes through (``key(check, default)``);
:mod:`.load` runs them, so a key and its check cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

from . import cross_origin_keys, csp_keys, header_keys, report_keys
from . import keys as checks
from .frameworks import Page, framework_pages
from .permissions_grammar import permissions_policy
from .values import Directive, Sources, boolean, one_of

T = TypeVar("T")

Check = Callable[[str, Any], Any]


def key(check: Check, default: T) -> T:
    """A field whose raw value ``check`` validates (``check(where, raw)``)."""
    return field(default=default, metadata={"check": check})


@dataclass(frozen=True)
class Config:
    """The validated settings; see the README for what each one does.

    Build it with :func:`~secheaders_wsgi.load_config`; the constructor itself
    checks nothing.
    """

    server_secured: bool = key(boolean, False)
    #: ``None``: the default (sent only when ``server_secured``); ``False``: never.
    hsts_header: str | bool | None = key(checks.hsts, None)
    #: ``True``: the default policy; ``False``: no CSP; a tuple: a custom policy.
    csp_header: bool | tuple[Directive, ...] = key(csp_keys.csp_header, True)
    csp_safe_src: Sources = key(csp_keys.safe_src, ("'self'",))
    csp_unsafe_inline: bool = key(boolean, True)
    csp_unsafe_eval: bool = key(boolean, True)
    csp_frame_ancestors: bool | Sources = key(csp_keys.frame_ancestors, True)
    referrer_policy: str | bool = key(
        checks.referrer, "strict-origin-when-cross-origin"
    )
    debug: bool = key(boolean, False)
    # nonces, report-only, reporting, presets
    #: ``"standard"``, ``"strict"`` or ``None``; already applied to the other fields.
    preset: str | None = key(checks.preset_name, None)
    #: Where the per-request nonce goes, when the app asked for one.
    csp_nonce_directives: tuple[str, ...] = key(
        csp_keys.nonce_directives, ("script-src", "style-src")
    )
    #: ``Cache-Control`` for a response whose CSP carries a nonce; ``False``: none.
    csp_nonce_cache_control: str | bool = key(csp_keys.nonce_cache_control, "private")
    csp_report_only: bool = key(boolean, False)
    #: A second policy sent as Content-Security-Policy-Report-Only; ``None``: none.
    csp_report_only_header: tuple[Directive, ...] | None = key(
        csp_keys.report_only_header, None
    )
    csp_report_uri: str | None = key(csp_keys.report_uri, None)
    csp_report_path: str | None = key(csp_keys.report_path, None)
    csp_report_max_bytes: int = key(csp_keys.report_max_bytes, 64 * 1024)
    #: The share of responses whose policies carry report-uri and report-to.
    csp_report_sample_rate: float = key(csp_keys.report_sample_rate, 1.0)
    #: Where the receiver's records go: the log, SQLite, OTLP or a callable.
    report_sink: report_keys.SinkSpec = key(
        report_keys.report_sink, report_keys.SinkSpec()
    )
    #: New reports stored per second and process; the rest are counted.
    report_rate: float = key(report_keys.report_rate, 50.0)
    #: Seconds a repeated report is counted into the first one, not stored.
    report_window_seconds: float = key(report_keys.report_window_seconds, 10.0)
    #: At most one summary record (dropped, folded, noise) per this many seconds.
    report_summary_seconds: float = key(report_keys.report_summary_seconds, 60.0)
    # more headers, redirect, proxies, cookies, per-path rules
    #: ``False``: no header; a tuple of ``(feature, allowlist)``: the policy.
    permissions_policy: bool | tuple[Directive, ...] = key(permissions_policy, False)
    cross_origin_opener_policy: str | bool = key(one_of(checks.COOP), False)
    cross_origin_embedder_policy: str | bool = key(one_of(checks.COEP), False)
    cross_origin_resource_policy: str | bool = key(one_of(checks.CORP), False)
    #: Sent as ``...-Report-Only`` with ``report-to`` when reports have an endpoint.
    cross_origin_opener_policy_report_only: str | bool = key(
        cross_origin_keys.coop_report_only, False
    )
    cross_origin_embedder_policy_report_only: str | bool = key(
        cross_origin_keys.coep_report_only, False
    )
    #: ``None``: derived from the frame-ancestors directive; ``False``: never.
    x_frame_options: str | bool | None = key(checks.x_frame_options, None)
    #: ``None``: ``1; mode=block`` (``0`` under the strict preset) beside a CSP;
    #: ``False``: never.
    xss_protection: str | bool | None = key(checks.xss_protection, None)
    #: ``None``: no header; ``True``: ``?1``; ``False``: ``?0``.
    origin_agent_cluster: bool | None = key(boolean, None)
    #: ``None``: no header; ``True``: ``on``; ``False``: ``off``.
    x_dns_prefetch_control: bool | None = key(checks.dns_prefetch, None)
    x_permitted_cross_domain_policies: str | bool = key(
        one_of(checks.CROSS_DOMAIN_POLICIES), False
    )
    #: ``noopen``, or ``False``: no header.
    x_download_options: str | bool = key(one_of(checks.X_DOWNLOAD_OPTIONS), False)
    #: Clear-Site-Data types, meant for a logout rule; ``False``: no header.
    clear_site_data: tuple[str, ...] | bool = key(header_keys.clear_site_data, False)
    #: A Cache-Control value (app-set Cache-Control wins); ``False``: none.
    cache_control: str | bool = key(header_keys.cache_control, False)
    #: ``(member, tokens)`` pairs of the Integrity-Policy; ``False``: no header.
    integrity_policy: bool | tuple[Directive, ...] = key(
        header_keys.integrity_policy, False
    )
    integrity_policy_report_only: bool | tuple[Directive, ...] = key(
        header_keys.integrity_policy, False
    )
    remove_headers: tuple[str, ...] = key(checks.remove_headers, ("X-Powered-By",))
    force_https: bool = key(boolean, False)
    #: ``False``: 307 instead of 301/308, so browsers do not cache the redirect.
    force_https_permanent: bool = key(boolean, True)
    #: The host (and port) the https redirect goes to; ``None``: the request's.
    redirect_host: str | None = key(checks.redirect_host, None)
    force_https_exempt: tuple[str, ...] = key(checks.path_list, ())
    #: Lower-case host names (``*.example.com`` for subdomains); ``()``: any host.
    allowed_hosts: tuple[str, ...] = key(checks.allowed_hosts, ())
    trusted_proxies: int = key(checks.trusted_proxies, 0)
    cookie_samesite: str | bool = key(checks.samesite, False)
    #: ``True``: every cookie; a tuple: the names of the cookies to mark.
    cookie_httponly: bool | tuple[str, ...] = key(checks.httponly, False)
    #: ``False``: off; else the keys given (:class:`.cross_origin_keys.CrossOrigin`
    #: reads them): the Fetch Metadata check before the app.
    cross_origin: bool | cross_origin_keys.CrossOriginPairs = key(
        cross_origin_keys.cross_origin, False
    )
    #: ``(prefix, config)`` per rule: each config is the base with the rule merged.
    #: The check only takes the list; :mod:`.load` merges each rule.
    paths: tuple[tuple[str, Config], ...] = key(checks.rule_list, ())
    #: The framework pages (Django admin, FastAPI docs, ...) whose paths get the
    #: policy they need; :mod:`.pages` merges each into ``paths``.
    framework_pages: tuple[Page, ...] = key(framework_pages, ())
    #: Named overrides a view picks with ``use_override``; :mod:`.load` checks each.
    overrides: tuple[Override, ...] = key(checks.override_map, ())

    @property
    def report_endpoint(self) -> str | None:
        """Where browsers send CSP reports: ``csp_report_uri``, else the receiver."""
        return self.csp_report_uri or self.csp_report_path


@dataclass(frozen=True)
class Override:
    """One entry of ``overrides:``: its checked keys, merged per response."""

    name: str
    #: The override's own keys, checked (a preset in it already spelt out).
    values: tuple[tuple[str, Any], ...]
    #: ``replace: true`` (or a preset): its mappings replace the base's.
    replace: bool
    #: The top level with this override merged on.
    config: Config


#: The check of each key, in field order.
CHECKS: dict[str, Check] = {f.name: f.metadata["check"] for f in fields(Config)}
KEYS = tuple(CHECKS)
