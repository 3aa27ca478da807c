"""Named starting points for a config: ``preset: standard`` and ``strict``, and
the default CSP.

A preset is a set of config values applied before the user's own keys, so any
key given beside the preset overrides it, and the preset's values pass the same
checks as the user's. Two things have no key of their own and are read from
``Config.preset`` by :mod:`secheaders_wsgi.policy`: ``X-XSS-Protection: 0`` and
the two-year HSTS default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .csp_grammar import SAFE_SRC
from .values import Directive

#: HSTS under ``preset: strict`` when ``server_secured``: two years, sub-domains
#: included. Two years is the max-age the hstspreload.org list asks for, so a
#: site can submit itself later without changing it. ``preload`` is left out on
#: purpose: it is a request to be compiled into every browser, which takes months
#: to undo; a site opts into it by writing ``hsts_header`` itself.
STRICT_HSTS = "max-age=63072000; includeSubDomains"

# The strict policy, directive by directive, with the reason for each. It is
# the "strict CSP" of web.dev/articles/strict-csp and the CSP3 spec's advice,
# plus an allowlist of 'self' for the non-script fetches most sites make.
_STRICT_POLICY: Mapping[str, str] = {
    # Deny by default: a fetch type the site did not think about is blocked
    # (media, workers, frames, ...) instead of open to any origin.
    "default-src": "'none'",
    # Scripts run only with the per-request nonce; 'strict-dynamic' lets a
    # nonced script load what it needs (bundlers, tag managers) without an
    # allowlist of hosts, which attackers can usually find a gadget in.
    # 'safe-src' ('self' by default) is only a fallback for CSP2 browsers:
    # browsers that know 'strict-dynamic' ignore it.
    "script-src": "'safe-src' 'strict-dynamic'",
    # Stylesheets from the site, inline <style> only with the nonce. Inline
    # style="" attributes are blocked: they can exfiltrate data via CSS.
    "style-src": "'safe-src'",
    # Images from the site, and data: URLs, which icons and CSS commonly use;
    # an image cannot run script.
    "img-src": "'safe-src' data:",
    "font-src": "'safe-src'",
    # fetch/XHR/WebSocket/EventSource only to the site itself.
    "connect-src": "'safe-src'",
    "manifest-src": "'safe-src'",
    # Forms post only to the site: an injected <form> cannot send passwords
    # elsewhere (form-action does not fall back to default-src).
    "form-action": "'self'",
    # Plugins (<object>, <embed>) can run script outside CSP; nobody needs them.
    "object-src": "'none'",
    # An injected <base href> would redirect every relative script URL,
    # nonced ones included (base-uri does not fall back to default-src).
    "base-uri": "'none'",
}

# Every powerful feature on the OWASP Secure Headers Project's list, denied to
# the page and to anything it frames. OSHP allows sync-xhr to 'self'; strict
# denies it too (synchronous XHR freezes the page and browsers deprecate it).
# Only features the browsers we test know: Chromium logs "Unrecognized
# feature" for any other, on every page (tests/integration/
# test_permissions_browser.py keeps this true). Left out: interest-cohort
# (FLoC, abandoned in 2022), unload (a stop-gap while Chrome removes the
# unload event; no other browser knows it) and web-share (Chromium on Linux
# has no Web Share API, so it does not know the feature). A site that needs
# one writes permissions_policy itself.
STRICT_PERMISSIONS: Mapping[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "cross-origin-isolated",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "keyboard-map",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "sync-xhr",
        "usb",
        "xr-spatial-tracking",
        "clipboard-read",
        "clipboard-write",
        "gamepad",
        "hid",
        "idle-detection",
        "serial",
    )
}

# The standard policy: helmet's default CSP, directive for directive, for apps
# that cannot adopt nonces yet. Scripts only from the site and never inline
# (no 'unsafe-inline', no inline event handlers), while styles stay permissive
# (inline and any https: stylesheet), which is where most apps would break.
_STANDARD_POLICY: Mapping[str, str] = {
    "default-src": "'self'",
    # base-uri and form-action do not fall back to default-src.
    "base-uri": "'self'",
    # Web fonts from any https: host (font CDNs) and data: URLs; a font
    # cannot run script.
    "font-src": "'self' https: data:",
    "form-action": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "script-src": "'self'",
    # onclick="..." and other inline handlers never run.
    "script-src-attr": "'none'",
    "style-src": "'self' https: 'unsafe-inline'",
    # http: subresources of an https page are fetched over https.
    "upgrade-insecure-requests": "",
}

PRESETS: Mapping[str, Mapping[str, Any]] = {
    "standard": {
        "csp_header": _STANDARD_POLICY,
        # Through the two switches, not by listing them: 'unsafe-inline' in
        # style-src is in the policy itself.
        "csp_unsafe_inline": False,
        "csp_unsafe_eval": False,
        # frame-ancestors 'self' (and X-Frame-Options: SAMEORIGIN, derived
        # from it): only the site frames itself. Its own key, so that a
        # csp_header given beside the preset keeps it, as under strict.
        "csp_frame_ancestors": ["'self'"],
        "xss_protection": "0",
        "cross_origin_opener_policy": "same-origin",
        "cross_origin_resource_policy": "same-origin",
        "origin_agent_cluster": True,
        # Go's CSRF rules, logged but not enforced: a cross-origin form post
        # the site relies on (a payment provider's return, SAML) shows up in
        # the log before any refusal can break it.
        "cross_origin": {"mode": "csrf", "report_only": True},
    },
    "strict": {
        "csp_header": _STRICT_POLICY,
        # Browsers ignore 'unsafe-inline' once a nonce is present, but
        # 'unsafe-eval' would still let injected strings run as code.
        "csp_unsafe_inline": False,
        "csp_unsafe_eval": False,
        # frame-ancestors 'none': no site may frame this one (clickjacking).
        # Set through its own key so that csp_frame_ancestors beside the
        # preset overrides it.
        "csp_frame_ancestors": False,
        # The rest of the OWASP Secure Headers Project's site-wide headers, each
        # with OSHP's value or a stronger one.
        "permissions_policy": STRICT_PERMISSIONS,
        # A window this page opens, or that opened it, cannot reach it.
        "cross_origin_opener_policy": "same-origin",
        # Only this origin may embed this site's responses (no cross-site
        # leaks through <img>/<script> of a private URL).
        "cross_origin_resource_policy": "same-origin",
        # Every cross-origin subresource must opt in (CORP or CORS); with COOP
        # this isolates the page from Spectre-style reads.
        "cross_origin_embedder_policy": "require-corp",
        # No Flash/PDF cross-domain policy files.
        "x_permitted_cross_domain_policies": "none",
        # Not OSHP's no-referrer: that also turns the Origin header of a
        # same-origin form POST into "null", which Django's CSRF check (and
        # any Origin check) rejects. same-origin sends nothing to other sites
        # either, and keeps the Referer and Origin a site sends itself.
        "referrer_policy": "same-origin",
        # Go's CSRF rules, enforced: a cross-origin POST (or PUT, DELETE, ...)
        # from a browser is refused before the app runs. A prefix that takes
        # such posts on purpose turns it off in a paths rule.
        "cross_origin": {"mode": "csrf"},
    },
}


_ANYTHING = ("*", "data:", "blob:")


def default_policy(server_secured: bool) -> tuple[Directive, ...]:
    """The contract's default CSP, with ``'safe-src'`` not yet expanded.

    What ``csp_header: true`` means; a per-path rule's ``csp_header`` mapping
    merges onto it. :mod:`secheaders_wsgi.policy.csp` expands it.
    """
    connect = ("https:", "wss:") if server_secured else ("http:", "ws:")
    return (
        ("default-src", (SAFE_SRC,)),
        ("script-src", (SAFE_SRC,)),
        ("style-src", (SAFE_SRC,)),
        ("manifest-src", ("'self'",)),
        ("connect-src", connect),
        ("img-src", _ANYTHING),
        ("media-src", _ANYTHING),
        ("frame-src", _ANYTHING),
        ("object-src", _ANYTHING),
    )
