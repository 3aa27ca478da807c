"""Checks across keys: settings that contradict each other, or are valid but risky.

A contradiction is a :class:`~secheaders_wsgi.ConfigError`; a risky setting is a
:class:`~secheaders_wsgi.SecurityWarning`, said once for the top level and once
for each rule that adds it.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from ..errors import ConfigError, clipped, shown, warn
from .cross_origin_keys import CrossOrigin
from .csp_grammar import SAFE_SRC, effective
from .csp_keys import REPORT_GROUP
from .model import Config
from .values import Directive


def check_redirect_keys(config: Config) -> None:
    # Site-wide rather than per merged config: a rule that turns force_https
    # off for its prefix leaves the inherited keys in force everywhere else.
    if any(rule.force_https for rule in (config, *(r for _, r in config.paths))):
        return
    for key in ("force_https_exempt", "allowed_hosts", "redirect_host"):
        if getattr(config, key):
            warn(
                f"{key}: does nothing without force_https: true (it only "
                "applies to the redirect to https)"
            )
    if not config.force_https_permanent:
        warn(
            "force_https_permanent: does nothing without force_https: true (it "
            "only applies to the redirect to https)"
        )


def check_combinations(
    config: Config, where: str = "", base: Config | None = None
) -> None:
    """Raise for settings that contradict each other, warn for risky ones.

    ``where`` prefixes every message (``paths[2].``); a warning ``base`` gave
    already is not repeated for each rule that inherits it.
    """
    for message in _conflicts(config):
        raise ConfigError(where + message)
    if base is None and config.clear_site_data is not False:
        warn(
            "clear_site_data: at the top level every response clears the "
            "browser's data for the site (a cookies type logs the user out on "
            "each page); set it in a paths rule for the logout page instead"
        )
    inherited = set(_risks(base)) if base is not None else set()
    for message in _risks(config):
        if message not in inherited:
            warn(where + message)


def check_conflicts(config: Config, where: str = "") -> None:
    """Raise for settings that contradict each other; warn about nothing.

    For a merge made after start-up (an override on a path rule), whose risks
    were each said already for the rule or the override alone.
    """
    for message in _conflicts(config):
        raise ConfigError(where + message)


def _conflicts(config: Config) -> list[str]:
    found = _modern_csp_conflicts(config) + _integrity_conflicts(config)
    custom = dict(config.csp_header) if isinstance(config.csp_header, tuple) else {}
    if config.csp_frame_ancestors is not True and "frame-ancestors" in custom:
        found.append(
            "csp_frame_ancestors: the custom csp_header sets frame-ancestors too; "
            "set it in one place only"
        )
    if config.force_https and config.server_secured:
        found.append(
            "force_https: true cannot go with server_secured: true: with "
            "server_secured every request already counts as https, so nothing "
            "would ever be redirected. Behind a proxy that terminates TLS, set "
            "trusted_proxies instead, so that X-Forwarded-Proto tells which "
            "requests came over https"
        )
    return found


def _risks(config: Config) -> list[str]:
    found = (
        _modern_csp_risks(config) + _cache_risks(config) + _cross_origin_risks(config)
    )
    custom = dict(config.csp_header) if isinstance(config.csp_header, tuple) else {}
    switches = config.csp_unsafe_inline or config.csp_unsafe_eval or config.debug
    for name in ("script-src", "style-src"):
        if switches and effective(custom, name) == ("'none'",):
            found.append(
                f"csp_header.{name}: 'none' is replaced by 'unsafe-eval' / "
                "'unsafe-inline' because csp_unsafe_eval, csp_unsafe_inline or "
                "debug is on; set them to false to keep 'none'"
            )
    found += _x_frame_options_risks(config)
    if config.cookie_samesite == "None" and not (
        config.server_secured or config.force_https
    ):
        found.append(
            "cookie_samesite: 'None' makes cookies Secure too, and browsers drop a "
            "Secure cookie set over plain http; use it on a site served over https "
            "(server_secured or force_https)"
        )
    return found


def _modern_csp_conflicts(config: Config) -> list[str]:
    found = []
    if config.csp_report_only and config.csp_report_only_header is not None:
        found.append(
            "csp_report_only: true cannot be combined with csp_report_only_header "
            "(allowed: one of them: csp_report_only sends the policy as "
            "report-only, csp_report_only_header trials a second policy beside "
            "the enforced one)"
        )
    if config.csp_report_only and config.csp_header is False:
        found.append(
            "csp_report_only: true has no policy to send because csp_header is "
            "false (allowed: a csp_header policy, or csp_report_only_header alone)"
        )
    policies = {
        "csp_header": config.csp_header,
        "csp_report_only_header": config.csp_report_only_header,
    }
    for key, policy in policies.items():
        if isinstance(policy, tuple):
            found += report_endpoint_clashes(key, config, dict(policy))
    return found


def report_endpoint_clashes(
    where: str, config: Config, directives: Iterable[str]
) -> list[str]:
    """A report directive among ``directives`` where the config sets the endpoint.

    Also what a response's own ``update_csp`` / ``replace_csp`` is refused for:
    the header would get two report directives.
    """
    if not config.report_endpoint:
        return []
    return [
        f"{where}.{name}: csp_report_uri or csp_report_path already "
        f"sets {name}; set the report endpoint in one place only"
        for name in directives
        if name in ("report-uri", "report-to")
    ]


def _modern_csp_risks(config: Config) -> list[str]:
    found = []
    reporting = config.report_endpoint
    trial = config.csp_report_only_header
    report_only = trial if trial is not None else config.csp_report_only
    if report_only and not reporting and not _reports_itself(report_only):
        key = "csp_report_only" if trial is None else "csp_report_only_header"
        found.append(
            f"{key}: the report-only policy has no report endpoint, so "
            "violations only show in the browser console; set csp_report_uri "
            "or csp_report_path to collect them"
        )
    if isinstance(config.csp_header, tuple) and (
        config.csp_unsafe_inline or config.debug
    ):
        custom = dict(config.csp_header)
        script = effective(custom, "script-src") or ()
        if "'strict-dynamic'" in script:
            found.append(
                "csp_header.script-src: browsers ignore 'unsafe-inline' and "
                "'self' beside 'strict-dynamic', and no nonce is sent while "
                "csp_unsafe_inline or debug is on, so every script is blocked "
                "that no hash in the policy allows; set csp_unsafe_inline: false "
                "and use the nonce"
            )
    return found


_REPORT_ONLY_ISOLATION = (
    "cross_origin_opener_policy_report_only",
    "cross_origin_embedder_policy_report_only",
)
# Loopback: a plain-http origin that no one else on the network can serve.
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def _cross_origin_risks(config: Config) -> list[str]:
    found = [
        f"{key}: the report-only header has no report endpoint, so what it would "
        "block only shows in the browser's console; set csp_report_uri or "
        "csp_report_path to collect the reports"
        for key in _REPORT_ONLY_ISOLATION
        if getattr(config, key) is not False and config.report_endpoint is None
    ]
    settings = CrossOrigin.of(config.cross_origin)
    for i, origin in enumerate(settings.trusted_origins if settings else ()):
        host = urlsplit(origin).hostname or ""
        if origin.startswith("http://") and not (
            host in _LOOPBACK or host.endswith(".localhost")
        ):
            found.append(
                f"cross_origin.trusted_origins[{i}]: {origin!r} is plain http: "
                "anyone on the network path to that site can run script there "
                "and send requests to this one as that origin; trust its https "
                "origin instead"
            )
    return found


def _integrity_conflicts(config: Config) -> list[str]:
    found = []
    for key in ("integrity_policy", "integrity_policy_report_only"):
        policy = getattr(config, key)
        names = dict(policy).get("endpoints", ()) if isinstance(policy, tuple) else ()
        for i, name in enumerate(names):
            # The one Reporting-Endpoints group this package sends.
            if name != REPORT_GROUP:
                found.append(
                    f"{key}.endpoints[{i}]: {shown(name)} is not a reporting endpoint "
                    f"this config defines (allowed: {REPORT_GROUP}, the group "
                    "Reporting-Endpoints names when csp_report_uri or "
                    "csp_report_path is set)"
                )
            elif config.report_endpoint is None:
                found.append(
                    f"{key}.endpoints[{i}]: {shown(name)} is only defined when "
                    "csp_report_uri or csp_report_path is set; set one of them, "
                    "or leave endpoints out"
                )
    return found


def _cache_risks(config: Config) -> list[str]:
    found = []
    directives = str(config.cache_control).split(", ")
    shared = [d for d in directives if d == "public" or d.startswith("s-maxage=")]
    nonced = (
        config.csp_header is not False
        and not (config.csp_unsafe_inline or config.debug)
        and config.csp_nonce_directives
    )
    if config.cache_control is not False and shared and nonced:
        found.append(
            f"cache_control: {shown(shared[0])} lets a shared cache replay a page's "
            "CSP nonce to every visitor, and it wins over csp_nonce_cache_control; "
            "use it only for responses whose app never calls csp_nonce()"
        )
    rate = config.csp_report_sample_rate
    if rate < 1 and not (
        config.report_endpoint
        or any(
            _reports_itself(p)
            for p in (config.csp_header, config.csp_report_only_header)
            if p
        )
    ):
        found.append(
            f"csp_report_sample_rate: {rate:g} does nothing without a report "
            "endpoint (csp_report_uri or csp_report_path)"
        )
    if not config.csp_report_path:
        found += [
            f"{key}: does nothing without csp_report_path (the receiver whose "
            "reports it is about)"
            for key in _RECEIVER_KEYS
            if getattr(config, key) != getattr(_DEFAULTS, key)
        ]
    return found


_DEFAULTS = Config()
_RECEIVER_KEYS = (
    "report_sink",
    "report_rate",
    "report_window_seconds",
    "report_summary_seconds",
)


def _reports_itself(policy: tuple[Directive, ...] | bool) -> bool:
    names = dict(policy) if isinstance(policy, tuple) else {}
    return "report-uri" in names or "report-to" in names


def _x_frame_options_risks(config: Config) -> list[str]:
    """An explicit X-Frame-Options that forbids framing frame-ancestors allows."""
    if not isinstance(config.x_frame_options, str) or config.csp_header is False:
        return []
    ancestors = config.csp_frame_ancestors
    if ancestors is True and isinstance(config.csp_header, tuple):
        ancestors = dict(config.csp_header).get("frame-ancestors", True)
    if ancestors is True:  # no frame-ancestors: X-Frame-Options alone decides
        return []
    allowed = set(ancestors or ("'none'",)) - {"'none'"}
    if config.x_frame_options == "SAMEORIGIN":
        allowed -= {"'self'", SAFE_SRC}
    if not allowed:
        return []
    return [
        f"x_frame_options: {shown(config.x_frame_options)} forbids framing that "
        f"frame-ancestors allows ({clipped(' '.join(sorted(allowed)))}); browsers that "
        "know frame-ancestors follow it, older ones block those sites. Leave "
        "x_frame_options out to derive it, or set it to false"
    ]


#: The switches that add sources to a custom policy, and what each adds.
_UNSAFE_SWITCHES = (
    ("csp_unsafe_inline", "'unsafe-inline'"),
    ("csp_unsafe_eval", "'unsafe-eval'"),
)


def check_unsafe_defaults(
    config: Config, explicit: set[str] | frozenset[str], where: str = ""
) -> None:
    """Warn when a custom policy gets 'unsafe-*' from switches left at their default.

    ``explicit``: the keys the user (or a preset) set; a switch set on purpose,
    true or false, is silent. ``audit`` flags the result too, but only when run.
    """
    if not isinstance(config.csp_header, tuple):
        return
    custom = dict(config.csp_header)
    added: list[tuple[str, str, list[str]]] = []
    for key, source in _UNSAFE_SWITCHES:
        if key in explicit or not getattr(config, key):
            continue
        names = [
            name
            for name in ("script-src", "style-src")
            if (sources := effective(custom, name)) is not None
            and source not in sources
        ]
        if names:
            added.append((key, source, names))
    if not added:
        return
    keys = " and ".join(key for key, _, _ in added)
    gets = "; ".join(f"{source} to {', '.join(names)}" for _, source, names in added)
    fix = " and ".join(f"{key}: false" for key, _, _ in added)
    many = len(added) > 1
    warn(
        f"{where}csp_header: the custom policy is not sent as written: {keys} "
        f"{'default' if many else 'defaults'} to true and "
        f"{'add' if many else 'adds'} {gets}. Set {fix} "
        f"to send it as written, or set {'them' if many else 'it'} to true to "
        "keep those sources and silence this warning"
    )
