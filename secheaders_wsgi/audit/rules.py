"""The audit rules: each looks at a :class:`.View` and yields findings.

Each rule cites its source in a comment: the CSP Level 3 specification (CSP3),
MDN's HTTP header reference, or the OWASP cheat sheets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from ..config import owasp
from ..config.cross_origin_keys import CrossOrigin
from .view import Finding, Severity, View

# Scheme-only sources and '*' let a directive load from any host on the web.
_ANY_HOST = ("*", "http:", "https:", "data:", "blob:", "filesystem:")
_HASH_PREFIXES = ("'nonce-", "'sha256-", "'sha384-", "'sha512-")

Rule = Callable[[View], Iterator[Finding]]


# MDN, Content-Security-Policy: "the primary goal of CSP is to mitigate and
# report XSS attacks"; OWASP Secure Headers Project lists it as recommended.
def _no_csp(view: View) -> Iterator[Finding]:
    if view.csp is None:
        yield Finding(
            "no-csp",
            "high",
            "no Content-Security-Policy: nothing limits what an injected script "
            "can load or run",
            "remove 'csp_header: false' (or give csp_header a policy)",
        )


# CSP3 section 3.2 and MDN Content-Security-Policy-Report-Only: a report-only
# policy blocks nothing; it is for trying a policy out, not for protection.
def _report_only(view: View) -> Iterator[Finding]:
    if view.csp is not None and view.config.csp_report_only:
        yield Finding(
            "csp-report-only",
            "high",
            "the policy goes out as Content-Security-Policy-Report-Only: browsers "
            "report violations but block nothing",
            "csp_report_only: false once the reports are clean (try the next "
            "policy in csp_report_only_header instead)",
        )


# OWASP Content Security Policy Cheat Sheet and MDN report-to: without a
# reporting endpoint, violations (attacks, or a policy breaking the site) stay
# in each visitor's console where nobody sees them.
def _no_reporting(view: View) -> Iterator[Finding]:
    if view.csp is not None and view.config.report_endpoint is None:
        yield Finding(
            "no-reporting",
            "low",
            "no report endpoint: nobody hears of the violations browsers block",
            "csp_report_path: /_/csp-reports (the built-in receiver logs them) "
            "or csp_report_uri",
        )


# CSP3 section 6.1.1 (script-src) and MDN "unsafe inline script": with
# 'unsafe-inline' an injected <script> runs. CSP3 section 8.2: a nonce or hash
# in the same directive makes browsers ignore 'unsafe-inline'.
def _unsafe_inline_script(view: View) -> Iterator[Finding]:
    script = view.fetch("script-src")
    if script is None or "'unsafe-inline'" not in script:
        return
    if any(source.startswith(_HASH_PREFIXES) for source in script):
        return
    fix = _inline_fix(view, "script-src")
    yield Finding(
        "script-unsafe-inline",
        "high",
        "script-src allows 'unsafe-inline' without a nonce or hash: any injected "
        "<script> or onclick= runs, which is what CSP is for stopping",
        f"{fix} (move inline scripts to files, or use nonces)",
    )


# MDN, CSP style-src "unsafe inline styles": injected styles can exfiltrate
# data through selectors and reshape the page; a smaller risk than script.
def _unsafe_inline_style(view: View) -> Iterator[Finding]:
    style = view.fetch("style-src")
    if style is not None and "'unsafe-inline'" in style:
        fix = _inline_fix(view, "style-src")
        yield Finding(
            "style-unsafe-inline",
            "low",
            "style-src allows 'unsafe-inline': injected <style> and style= apply",
            fix,
        )


def _inline_fix(view: View, name: str) -> str:
    """Which setting put 'unsafe-inline' there: a switch, or the policy itself."""
    if view.config.debug:
        return "debug: false"
    if view.config.csp_unsafe_inline:
        return "csp_unsafe_inline: false"
    return f"remove 'unsafe-inline' from {view.where(name)}"


# MDN, CSP script-src "unsafe eval expressions": eval(), new Function() and
# string setTimeout turn injected strings into code.
def _unsafe_eval(view: View) -> Iterator[Finding]:
    script = view.fetch("script-src")
    if script is not None and "'unsafe-eval'" in script:
        yield Finding(
            "script-unsafe-eval",
            "medium",
            "script-src allows 'unsafe-eval': eval() and new Function() run strings "
            "as code",
            "csp_unsafe_eval: false (Alpine.js: load its @alpinejs/csp build)",
        )


# OWASP Content Security Policy Cheat Sheet and CSP3 section 2.3.1: '*' and
# scheme-only sources (https:, data:) allow scripts from any host, and data:
# lets an attacker write the script inline in the URL; the policy then stops
# nothing.
def _script_from_anywhere(view: View) -> Iterator[Finding]:
    script = view.fetch("script-src")
    if view.csp is not None and script is None:
        # CSP3 section 6.1: a fetch directive that is absent, with no
        # default-src to fall back to, restricts nothing.
        yield Finding(
            "script-src-missing",
            "high",
            "neither script-src nor default-src is set: scripts load from anywhere",
            "default-src: \"'self'\" (or a script-src) in csp_header",
        )
    for source in script or ():
        if source in _ANY_HOST:
            yield Finding(
                "script-any-host",
                "high",
                f"script-src allows {source}: scripts load from any host"
                + (" or from the URL itself" if source == "data:" else ""),
                f"remove {source!r} from {view.where('script-src')}",
            )


# OWASP CSP Cheat Sheet ("object-src 'none'") and MDN object-src: <object> and
# <embed> can load active content; CSP3 section 6.1.1 lets default-src govern
# object-src only when object-src is absent.
def _object_src(view: View) -> Iterator[Finding]:
    if view.csp is None:
        return
    objects = view.fetch("object-src")
    fix = (
        "a custom csp_header with object-src: \"'none'\" (the default policy "
        "allows * data: blob:)"
        if view.config.csp_header is True
        else "object-src: \"'none'\" in csp_header"
    )
    if objects is None:
        yield Finding(
            "object-src-missing",
            "medium",
            "neither object-src nor default-src is set: <object> and <embed> "
            "load from anywhere",
            fix,
        )
        return
    wide = [source for source in objects if source in _ANY_HOST]
    if wide:
        yield Finding(
            "object-src-any-host",
            "medium",
            f"object-src allows any host ({' '.join(wide)}): <object> and <embed> "
            "load active content from anywhere",
            fix,
        )
    elif objects != ("'none'",):
        yield Finding(
            "object-src-not-none",
            "low",
            f"object-src is {' '.join(objects)!r}, not 'none': few sites need "
            "plugins at all",
            fix,
        )


# OWASP Clickjacking Defense Cheat Sheet and MDN frame-ancestors: without
# frame-ancestors or X-Frame-Options any site can frame the page and trick
# clicks. CSP3 section 6.4.2: frame-ancestors does not fall back to default-src.
def _framing(view: View) -> Iterator[Finding]:
    ancestors = None if view.csp is None else view.csp.get("frame-ancestors")
    if ancestors is None and "x-frame-options" not in view.headers:
        yield Finding(
            "no-frame-ancestors",
            "medium",
            "no frame-ancestors and no X-Frame-Options: any site can frame these "
            "pages (clickjacking)",
            "csp_frame_ancestors: false (or a list, such as [\"'self'\"]); "
            "X-Frame-Options follows it",
        )
    elif ancestors is not None and any(s in _ANY_HOST for s in ancestors):
        yield Finding(
            "frame-ancestors-any-host",
            "medium",
            f"frame-ancestors {' '.join(ancestors)} lets any site frame these pages",
            "csp_frame_ancestors: the list of origins that may frame them",
        )


# RFC 6797 and OWASP HTTP Strict Transport Security Cheat Sheet: without HSTS
# the first plain-http request can be intercepted and downgraded (SSL strip).
def _hsts(view: View) -> Iterator[Finding]:
    # Both mean the site is served over https, so HSTS belongs on it.
    served_over = "server_secured" if view.config.server_secured else "force_https"
    if not (view.config.server_secured or view.config.force_https):
        return
    value = view.headers.get("strict-transport-security")
    if value is None:
        yield Finding(
            "no-hsts",
            "high",
            f"{served_over} but no Strict-Transport-Security: a first http request "
            "can be downgraded",
            "remove 'hsts_header: false'",
        )
        return
    # OWASP recommends max-age of a year (31536000 s) and includeSubDomains.
    directives = [part.strip().lower() for part in value.split(";")]
    max_age = next(
        (
            int(d.split("=", 1)[1].strip('"'))
            for d in directives
            if d.startswith("max-age=")
        ),
        0,
    )
    if max_age < 31536000:
        yield Finding(
            "hsts-short",
            "medium" if max_age < 86400 else "low",
            f"Strict-Transport-Security max-age={max_age} is under a year",
            "hsts_header: 'max-age=31556926; includeSubDomains'",
        )
    if "includesubdomains" not in directives:
        yield Finding(
            "hsts-no-subdomains",
            "low",
            "Strict-Transport-Security without includeSubDomains: a sub-domain can "
            "be used to plant cookies over http",
            "hsts_header: 'max-age=31556926; includeSubDomains'",
        )


def _missing(
    directive: str, rule: str, severity: Severity, message: str, fix: str
) -> Rule:
    """A rule for a directive with no fallback that the policy should set."""

    def check(view: View) -> Iterator[Finding]:
        if view.csp is not None and directive not in view.csp:
            yield Finding(rule, severity, message, fix)

    return check


# CSP3 section 6.3.1 (base-uri) does not fall back to default-src; OWASP CSP
# Cheat Sheet: an injected <base href> re-points every relative script URL.
_base_uri = _missing(
    "base-uri",
    "no-base-uri",
    "medium",
    "no base-uri: an injected <base href> re-points relative URLs, scripts included",
    "base-uri: \"'self'\" (or \"'none'\") in a custom csp_header",
)

# CSP3 section 6.3.3 (form-action) does not fall back to default-src: an
# injected <form> can post to any host (OWASP CSP Cheat Sheet).
_form_action = _missing(
    "form-action",
    "no-form-action",
    "low",
    "no form-action: an injected form can send what users type to any host",
    "form-action: \"'self'\" in a custom csp_header",
)


# OWASP HTTP Headers Cheat Sheet and MDN X-XSS-Protection: browsers removed the
# XSS auditor, and where it remains "1" can be abused to leak data; send "0" and
# rely on CSP.
def _xss_protection(view: View) -> Iterator[Finding]:
    value = view.headers.get("x-xss-protection")
    if value is not None and value.split(";")[0].strip() == "1":
        yield Finding(
            "x-xss-protection-on",
            "low",
            f"X-XSS-Protection: {value} turns on an auditor that old browsers "
            "could be tricked into using against the page",
            'xss_protection: "0" (or preset: strict)',
        )


# MDN X-Content-Type-Options and OWASP HTTP Headers Cheat Sheet: without
# nosniff a browser may run an upload or a JSON answer as script or style.
def _nosniff(view: View) -> Iterator[Finding]:
    if view.headers.get("x-content-type-options", "").lower() != "nosniff":
        yield Finding(
            "no-nosniff",
            "medium",
            "no X-Content-Type-Options: nosniff: browsers may guess a response "
            "is script",
            "remove 'csp_header: false' (nosniff comes with the policy)",
        )


# MDN Referrer-Policy: unsafe-url and no-referrer-when-downgrade send full URLs
# (paths, query strings, tokens) to other sites.
def _referrer(view: View) -> Iterator[Finding]:
    value = view.headers.get("referrer-policy")
    if value is None:
        return
    # The last token a browser understands is the one it uses.
    policy = value.split(",")[-1].strip()
    if policy in ("unsafe-url", "no-referrer-when-downgrade"):
        yield Finding(
            "referrer-leaks-urls",
            "medium",
            f"Referrer-Policy {policy} sends full URLs, query strings included, "
            "to other sites",
            "referrer_policy: strict-origin-when-cross-origin",
        )


# OWASP Web Security Testing Guide, Testing for Host Header Injection
# (WSTG-INPV-17): a redirect built from an unchecked Host can be cached and
# served to other users, sending them to the attacker's site.
def _redirect_hosts(view: View) -> Iterator[Finding]:
    config = view.config
    if config.force_https and not (config.allowed_hosts or config.redirect_host):
        yield Finding(
            "force-https-any-host",
            "medium",
            "force_https redirects to whatever host the request names: a forged "
            "Host can poison a shared cache with a redirect to another site",
            'allowed_hosts: [example.com, "*.example.com"] (or redirect_host: '
            "example.com)",
        )


# RFC 9110 section 15.4.8 (307) and MDN Strict-Transport-Security: a
# temporary redirect is not remembered, so every visit starts over plain
# http; fine while a rollout may be undone, not for good.
def _temporary_redirect(view: View) -> Iterator[Finding]:
    if view.config.force_https and not view.config.force_https_permanent:
        yield Finding(
            "force-https-temporary",
            "low",
            "force_https_permanent: false answers 307, which browsers do not "
            "remember: each visit starts over plain http",
            "force_https_permanent: true once https works everywhere (HSTS does "
            "the rest)",
        )


# Go 1.25 net/http.CrossOriginProtection, web.dev "Protect your resources from
# web attacks with Fetch Metadata" and the OWASP CSRF Prevention Cheat Sheet
# (Fetch Metadata headers): every current browser sends Sec-Fetch-Site, so a
# cross-origin form post can be refused before it runs. A second layer beside
# the framework's CSRF token, hence low.
def _cross_origin(view: View) -> Iterator[Finding]:
    settings = CrossOrigin.of(view.config.cross_origin)
    if settings is None:
        yield Finding(
            "no-cross-origin",
            "low",
            "no cross_origin: a form another site posts (CSRF) reaches the app "
            "with the user's cookies, unless the app checks a token itself",
            "cross_origin: {mode: csrf} (with report_only: true first)",
        )
    elif settings.report_only:
        yield Finding(
            "cross-origin-report-only",
            "info",
            f"cross_origin ({settings.mode}) is report-only: would-be refusals "
            "are logged on secheaders.cross_origin, nothing is refused",
            "cross_origin.report_only: false once the log holds nothing users "
            "need (exempt such prefixes in paths rules)",
        )


# OWASP Secure Headers Project, ci/headers_add.json: the headers it recommends
# for every response. One finding per missing header, whatever other rule
# covers it too, so the list reads as a checklist against OSHP's.
def _oshp(view: View) -> Iterator[Finding]:
    for name, value, setting in owasp.missing(view.headers):
        if len(value) > 60:  # the Permissions-Policy lists 29 features
            value = value[:56] + " ..."
        yield Finding(
            f"oshp-{name.lower()}",
            "low",
            f"no {name}, which the OWASP Secure Headers Project recommends "
            f"for every response ({value})",
            setting,
        )


# RFC 6797 section 8.1: a browser keeps the HSTS policy of the last response
# it saw from a host, whatever its path; Origin-Agent-Cluster (HTML "origin-
# keyed agent clusters") is decided once per origin, and Chromium warns when
# pages of one origin ask differently; COOP and COEP together decide whether a
# page is cross-origin isolated, which should not flip between pages of one
# site. A paths rule that changes one of these (often through a preset in the
# rule) is a surprise: only one value can hold for the whole site.
SITE_WIDE_HEADERS: dict[str, tuple[Severity, str]] = {
    "strict-transport-security": ("medium", "hsts_header"),
    "origin-agent-cluster": ("low", "origin_agent_cluster"),
    "cross-origin-opener-policy": ("low", "cross_origin_opener_policy"),
    "cross-origin-embedder-policy": ("low", "cross_origin_embedder_policy"),
}


def site_wide_changes(top: View, rule: View) -> Iterator[Finding]:
    """A ``paths`` rule whose site-wide headers differ from the top level's."""
    for name, (severity, key) in SITE_WIDE_HEADERS.items():
        here, there = rule.headers.get(name), top.headers.get(name)
        if here == there:
            continue
        # A preset in a rule sets these too, which is how they usually differ.
        preset = rule.config.preset
        cause = f"preset: {preset}" if preset != top.config.preset else key
        yield Finding(
            "paths-site-wide-header",
            severity,
            f"this rule sends {_header_name(name)}: {here or '(none)'}, the rest "
            f"of the site {there or '(none)'}; browsers keep one value per site, "
            "so the last page visited decides it",
            f"remove {cause} from the rule and set only the keys the path needs "
            "(for a framework's own pages, framework_pages changes only their CSP)",
        )


def _header_name(name: str) -> str:
    return "-".join(
        part.upper() if part == "hsts" else part.capitalize()
        for part in name.split("-")
    )


RULES: tuple[Rule, ...] = (
    _no_csp,
    _report_only,
    _unsafe_inline_script,
    _script_from_anywhere,
    _unsafe_eval,
    _object_src,
    _framing,
    _hsts,
    _redirect_hosts,
    _temporary_redirect,
    _base_uri,
    _nosniff,
    _referrer,
    _unsafe_inline_style,
    _form_action,
    _xss_protection,
    _cross_origin,
    _no_reporting,
    _oshp,
)
