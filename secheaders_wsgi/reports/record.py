"""One normalized record for every report type browsers send.

Browsers deliver violation reports two ways: the legacy ``report-uri`` body
(``{"csp-report": {...}}``, kebab-case fields, CSP only) and the Reporting API
(``[{"type": ..., "url": ..., "user_agent": ..., "age": ..., "body": {...}}]``,
camelCase fields, any report type). :func:`from_report_uri` and
:func:`from_reporting_api` turn either into a :class:`Report` with the same flat,
scalar fields, whatever the type: ``type`` (the Reporting API's name:
``csp-violation``, ``coep``, ``coop``, ``permissions-policy-violation``,
``integrity-violation``), ``directive``, ``blocked`` (the blocked origin, or a
keyword such as ``inline``), ``page``, ``disposition`` and the rest.

Everything in a report comes from the internet: a field of the wrong type is
``None``, strings are cut to a bounded length, and URLs lose their query and
fragment (a page's query can hold a password-reset token).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import urlsplit

__all__ = [
    "EXTENSION_SCHEMES",
    "NOISE_SCHEMES",
    "REPORT_TYPES",
    "Report",
    "Summary",
    "blocked_of",
    "from_report_uri",
    "from_reporting_api",
    "noise_scheme",
    "now_iso",
    "origin_of",
    "user_agent_family",
]

#: The Reporting API types the receiver keeps; others (deprecation,
#: intervention, crash) are not about the site's security headers.
REPORT_TYPES = (
    "csp-violation",
    "coep",
    "coop",
    "permissions-policy-violation",
    "integrity-violation",
)

#: Schemes of browser extensions: their scripts are not the site's and can
#: not be allowed by its policy.
EXTENSION_SCHEMES = frozenset(
    {
        "chrome-extension",
        "moz-extension",
        "safari-extension",
        "safari-web-extension",
        "ms-browser-extension",
        "edge-extension",
        "webkit-masked-url",
    }
)
#: Extensions and the browser's own pages: noise a site cannot act on, counted
#: apart and never stored report by report.
NOISE_SCHEMES = EXTENSION_SCHEMES | {
    "about",
    "chrome",
    "chrome-search",
    "chrome-untrusted",
    "edge",
    "opera",
    "brave",
    "resource",
    "moz-icon",
    "view-source",
    "safari-resource",
}
_NETWORK_SCHEMES = frozenset({"http", "https", "ws", "wss"})

# Bounds on what one report may make us keep: a URL, a sample, a policy.
_MAX_URL = 1024
_MAX_TEXT = 256
_MAX_POLICY = 4096


@dataclass(frozen=True, slots=True)
class Report:
    """One violation, or ``count`` identical ones, with flat scalar fields.

    ``time`` is when the (latest) report arrived and ``first_seen`` when the
    earliest of the ``count`` did, ISO 8601 in UTC. Browsers deliver Reporting
    API reports late (batched, up to a minute); ``age_ms`` says by how much.
    """

    type: str
    directive: str | None
    #: The blocked origin (``https://cdn.example``), or a keyword: ``inline``,
    #: ``eval``, ``data``, a Trusted Types sink (``Element innerHTML``) ...
    blocked: str | None
    blocked_url: str | None
    #: The page the report came from, without query or fragment.
    page: str | None
    #: ``enforce`` or ``report`` (a report-only policy).
    disposition: str
    source_file: str | None
    line: int | None
    column: int | None
    sample: str | None
    status_code: int | None
    #: What was loaded (``image``, ``script``): COEP and Integrity-Policy.
    destination: str | None
    #: The policy that made the report (CSP's original policy, COOP's).
    policy: str | None
    #: ``Chrome``, ``Firefox``, ``Safari``, ``Edge``, ``Opera`` or ``other``.
    user_agent: str | None
    age_ms: int | None
    #: ``csp-report`` (report-uri) or ``reports+json`` (the Reporting API).
    format: str
    time: str
    count: int = 1
    first_seen: str | None = None

    def fields(self) -> dict[str, str | int | None]:
        """The record as a flat dict (``first_seen`` filled in)."""
        fields: dict[str, str | int | None] = asdict(self)
        if fields["first_seen"] is None:
            fields["first_seen"] = self.time
        return fields

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        """What makes two reports the same, for folding repeats."""
        return (
            self.type,
            self.directive or "",
            self.blocked or "",
            _path(self.page),
            self.disposition,
        )

    def repeated(self, count: int, first_seen: str, time: str) -> Report:
        """This report standing for ``count`` repeats seen in that span."""
        return replace(self, count=count, first_seen=first_seen, time=time)


@dataclass(frozen=True, slots=True)
class Summary:
    """What one process did not store report by report, since its last summary.

    ``dropped``: refused by the rate limit; ``folded``: repeats counted into
    a report's ``count`` instead of stored one by one; ``noise``: from browser
    extensions and the browser's own pages; ``lost``: a sink failed to take
    them (see the ``secheaders.reports`` log).
    """

    time: str
    first_seen: str
    dropped: int = 0
    folded: int = 0
    noise: int = 0
    lost: int = 0
    type: str = "summary"

    def fields(self) -> dict[str, str | int | None]:
        return asdict(self)

    def __bool__(self) -> bool:
        return bool(self.dropped or self.folded or self.noise or self.lost)


def now_iso(now: float | None = None) -> str:
    """``2026-11-30T18:29:21.685Z``: sortable as text, in UTC."""
    now = time.time() if now is None else now
    seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now))
    return f"{seconds}.{int(now * 1000) % 1000:03d}Z"


def from_report_uri(
    body: Mapping[str, Any], *, user_agent: str | None = None, time: str = ""
) -> Report:
    """A legacy ``report-uri`` body's ``csp-report`` member as a :class:`Report`.

    ``user_agent``: the request's ``User-Agent`` (the body has none).

    >>> r = from_report_uri({"document-uri": "https://a.example/p?t=secret",
    ...                      "violated-directive": "img-src 'self'",
    ...                      "blocked-uri": "https://cdn.example/x.png"})
    >>> r.directive, r.blocked, r.page, r.disposition
    ('img-src', 'https://cdn.example', 'https://a.example/p', 'enforce')
    """
    directive = _text(body, "effective-directive")
    if directive is None:
        # CSP2 browsers send only violated-directive: "script-src 'self'".
        violated = _text(body, "violated-directive")
        directive = violated.split()[0] if violated and violated.split() else None
    return _csp(
        body,
        directive=directive,
        names=_LEGACY,
        page=_url(body.get("document-uri")),
        user_agent=user_agent_family(user_agent),
        age_ms=None,
        format="csp-report",
        time=time,
    )


def from_reporting_api(entry: Mapping[str, Any], *, time: str = "") -> Report | None:
    """One Reporting API entry as a :class:`Report`; ``None`` if not one we keep.

    >>> r = from_reporting_api({"type": "coep", "url": "https://a.example/",
    ...     "body": {"type": "corp", "blockedURL": "https://b.example/i.png",
    ...              "destination": "image", "disposition": "reporting"}})
    >>> r.type, r.directive, r.blocked, r.destination, r.disposition
    ('coep', 'corp', 'https://b.example', 'image', 'report')
    """
    kind = entry.get("type")
    body = entry.get("body")
    if kind not in REPORT_TYPES or not isinstance(body, Mapping):
        return None
    agent = entry.get("user_agent")
    common: dict[str, Any] = {
        "user_agent": user_agent_family(agent if isinstance(agent, str) else None),
        "age_ms": _number(entry.get("age")),
        "format": "reports+json",
        "time": time,
    }
    page = _url(entry.get("url"))
    if kind == "csp-violation":
        directive = _text(body, "effectiveDirective")
        page = _url(body.get("documentURL")) or page
        return _csp(body, directive=directive, names=_MODERN, page=page, **common)
    if kind == "integrity-violation":
        report_only = body.get("reportOnly")
        destination = _text(body, "destination")
        return _report(
            "integrity-violation",
            directive=destination,
            blocked_url=_url(body.get("blockedURL")),
            page=_url(body.get("documentURL")) or page,
            disposition="report" if report_only is True else "enforce",
            destination=destination,
            **common,
        )
    if kind == "permissions-policy-violation":
        return _report(
            kind,
            directive=_text(body, "featureId"),
            blocked_url=None,
            page=page,
            disposition=_disposition(body.get("disposition")),
            source_file=_url(body.get("sourceFile")),
            line=_number(body.get("lineNumber")),
            column=_number(body.get("columnNumber")),
            sample=_text(body, "message"),
            **common,
        )
    # coep and coop: body.type says what happened ("corp", "navigation-to-
    # response", ...); the URL of the other side is in one of several fields.
    other = next(
        (body[n] for n in _OTHER_URLS if isinstance(body.get(n), str) and body[n]),
        None,
    )
    return _report(
        str(kind),
        directive=_token(_text(body, "type")),
        blocked_url=_url(other),
        page=page,
        disposition=_disposition(body.get("disposition")),
        destination=_text(body, "destination"),
        policy=_text(body, "effectivePolicy"),
        source_file=_url(body.get("sourceFile")),
        line=_number(body.get("lineNumber")),
        column=_number(body.get("columnNumber")),
        **common,
    )


def origin_of(blocked: str) -> str:
    """The origin, or the keyword, a blocked URI stands for.

    >>> origin_of("https://cdn.example:8443/lib.js?v=2"), origin_of("inline")
    ('https://cdn.example:8443', 'inline')
    >>> origin_of("data:image/png;base64,AAAA")
    'data'
    """
    blocked = blocked.strip()
    if ":" not in blocked:
        return blocked  # a keyword: inline, eval, wasm-eval, data, blob, ...
    try:
        parts = urlsplit(blocked)
    except ValueError:
        return blocked
    scheme = parts.scheme.lower()
    if scheme in _NETWORK_SCHEMES and parts.hostname:
        host = parts.hostname
        if ":" in host:
            host = f"[{host}]"  # IPv6
        port = _port(parts)
        return f"{scheme}://{host}" + (f":{port}" if port is not None else "")
    if scheme in NOISE_SCHEMES:
        return f"{scheme}://{parts.hostname or ''}"
    return scheme or blocked


def blocked_of(
    directive: str | None, blocked_url: str | None, sample: str | None
) -> str:
    """What a group of reports is about: the blocked origin or keyword, or for a
    Trusted Types sink violation, the sink (``Element innerHTML``).

    >>> blocked_of("require-trusted-types-for", "trusted-types-sink",
    ...            "Element innerHTML|<img src=x>")
    'Element innerHTML'
    """
    origin = origin_of(blocked_url) if blocked_url else ""
    if origin == "trusted-types-sink" and sample and "|" in sample:
        return sample.split("|", 1)[0].strip() or origin
    return origin


def noise_scheme(*uris: str | None) -> str | None:
    """The extension or browser-internal scheme of the first such URI, if any.

    >>> noise_scheme("inline", "chrome-extension://abc/inject.js")
    'chrome-extension'
    """
    for uri in uris:
        if uri and ":" in uri:
            scheme = uri.split(":", 1)[0].strip().lower()
            if scheme in NOISE_SCHEMES:
                return scheme
    return None


def user_agent_family(agent: str | None) -> str | None:
    """The browser a ``User-Agent`` names, coarsely: enough to group by.

    >>> user_agent_family("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
    ...                   "(KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36")
    'Chrome'
    """
    if not agent:
        return None
    for token, family in _FAMILIES:
        if token in agent:
            return family
    return "other"


# Order matters: Edge and Opera say Chrome too, Chrome says Safari.
_FAMILIES = (
    ("Edg", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("CriOS/", "Chrome"),
    ("Safari/", "Safari"),
)

# Where each CSP field is, in the report-uri and the Reporting API spellings.
_LEGACY = {
    "blocked_url": "blocked-uri",
    "source_file": "source-file",
    "line": "line-number",
    "column": "column-number",
    "sample": "script-sample",
    "status_code": "status-code",
    "policy": "original-policy",
}
_MODERN = {
    "blocked_url": "blockedURL",
    "source_file": "sourceFile",
    "line": "lineNumber",
    "column": "columnNumber",
    "sample": "sample",
    "status_code": "statusCode",
    "policy": "originalPolicy",
}
_OTHER_URLS = (
    "blockedURL",
    "nextResponseURL",
    "previousResponseURL",
    "openeeURL",
    "openerURL",
    "otherDocumentURL",
    "referrer",
)


def _csp(
    body: Mapping[str, Any],
    *,
    directive: str | None,
    names: Mapping[str, str],
    **common: Any,
) -> Report:
    sample = _text(body, names["sample"])
    raw_blocked = body.get(names["blocked_url"])
    # Keywords (inline, eval) are not URLs: kept as they are.
    blocked_url = _url(raw_blocked) if isinstance(raw_blocked, str) else None
    return _report(
        "csp-violation",
        directive=directive.lower() if directive else None,
        blocked_url=blocked_url,
        disposition=_disposition(body.get("disposition")),
        source_file=_url(body.get(names["source_file"])),
        line=_number(body.get(names["line"])),
        column=_number(body.get(names["column"])),
        sample=sample,
        status_code=_number(body.get(names["status_code"])),
        policy=_text(body, names["policy"], _MAX_POLICY),
        **common,
    )


def _report(kind: str, **fields: Any) -> Report:
    values: dict[str, Any] = {
        "source_file": None,
        "line": None,
        "column": None,
        "sample": None,
        "status_code": None,
        "destination": None,
        "policy": None,
        **fields,
    }
    blocked = blocked_of(values["directive"], values["blocked_url"], values["sample"])
    return Report(type=kind, blocked=blocked or None, **values)


def _text(body: Mapping[str, Any], name: str, limit: int = _MAX_TEXT) -> str | None:
    value = body.get(name)
    return _cut(value, limit) if isinstance(value, str) else None


def _url(value: object) -> str | None:
    """A URL without query or fragment, cut to a bounded length."""
    if not isinstance(value, str) or not value:
        return None
    if "://" in value:
        value = value.split("#", 1)[0].split("?", 1)[0]
    return _cut(value, _MAX_URL)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _number(value: object) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**53:
        return value
    return None


def _disposition(value: object) -> str:
    # CSP says "report", COEP and COOP say "reporting".
    return "report" if value in ("report", "reporting") else "enforce"


_NOT_TOKEN = re.compile(r"[^a-z0-9]+")


def _token(value: str | None) -> str | None:
    """``worker initialization`` -> ``worker-initialization``."""
    return _NOT_TOKEN.sub("-", value.lower()).strip("-") or None if value else None


def _path(page: str | None) -> str:
    if not page:
        return ""
    try:
        return urlsplit(page).path or "/"
    except ValueError:
        return page


def _port(parts: Any) -> int | None:
    try:
        port: int | None = parts.port
    except ValueError:
        return None
    return port
