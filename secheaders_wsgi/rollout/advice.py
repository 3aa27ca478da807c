"""The smallest config change that would allow a group of violations.

Each advice is checked against the policy that produced the reports (reports
carry it: CSP's ``original-policy``): the source goes into the directive that
actually governs (``script-src-elem`` if the policy has one, else
``script-src``); a directive the policy lacks falls back to ``default-src``,
whose sources the new one must start from; under ``'strict-dynamic'`` browsers
ignore ``'self'`` and hosts, so a blocked ``<script src>`` needs the nonce. The
config key is the one whose policy reported: ``csp_header`` for an enforced
policy, ``csp_report_only_header`` for a report-only one (``csp_header`` again
when the whole policy is sent report-only, ``csp_report_only: true``).

Inline code and ``eval`` get the fix that keeps the policy strict (a nonce, a
hash, a script file), and a warning instead of ``'unsafe-inline'`` or
``'unsafe-eval'``. A wildcard is never suggested: the exact origin is always
known. COEP, COOP, Integrity-Policy and Permissions-Policy reports get the
change on the resource or the header that their type calls for.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .violations import Group

__all__ = ["Advice", "advise", "policy_directives"]

# The directive a config sets for each one browsers report against.
_BASE = {
    "script-src-elem": "script-src",
    "script-src-attr": "script-src",
    "style-src-elem": "style-src",
    "style-src-attr": "style-src",
}
# CSP3's fallback lists: which directive of a policy governs a violation.
_FALLBACK = {
    "script-src-elem": ("script-src-elem", "script-src", "default-src"),
    "script-src-attr": ("script-src-attr", "script-src", "default-src"),
    "style-src-elem": ("style-src-elem", "style-src", "default-src"),
    "style-src-attr": ("style-src-attr", "style-src", "default-src"),
    "worker-src": ("worker-src", "child-src", "script-src", "default-src"),
    "frame-src": ("frame-src", "child-src", "default-src"),
}
# Directives that never fall back to default-src.
_NO_FALLBACK = frozenset(
    {"base-uri", "form-action", "frame-ancestors", "sandbox", "trusted-types"}
)
_SCRIPT = frozenset({"script-src", "script-src-elem", "worker-src"})
_UNSAFE_INLINE = (
    "WARNING: 'unsafe-inline' would allow this too, and with it any script an "
    "attacker manages to inject: do not add it"
)
_HASHES = "python -m secheaders_wsgi hashes TEMPLATE"


@dataclass(frozen=True)
class Advice:
    """What to change; ``source`` is the one to add to ``directive``, if any.

    ``source`` is ``None`` when the fix belongs in the page, the code or
    another server. ``key`` is the config key to change, when there is one.
    ``warning`` says how allowing it weakens script protection.
    """

    change: str
    directive: str | None = None
    source: str | None = None
    warning: str | None = None
    key: str | None = None


def advise(group: Group, report_only_key: str = "csp_report_only_header") -> Advice:
    """The change for ``group``.

    ``report_only_key``: the key whose policy reports report-only violations,
    ``csp_header`` under ``csp_report_only: true``.

    >>> advise(Group("img-src", "https://cdn.example")).change
    'csp_header: img-src: add https://cdn.example'
    """
    if group.type == "coep":
        return _coep(group)
    if group.type == "coop":
        return _coop(group)
    if group.type == "integrity-violation":
        return _integrity(group)
    if group.type == "permissions-policy-violation":
        return _permissions(group)
    key = "csp_header" if group.disposition == "enforce" else report_only_key
    return _Csp(group, key).advice()


def policy_directives(policy: str | None) -> dict[str, list[str]]:
    """A policy as ``{directive: sources}``; the first of a name counts, as in CSP.

    >>> policy_directives("default-src 'self'; img-src data:; img-src *")
    {'default-src': ["'self'"], 'img-src': ['data:']}
    """
    found: dict[str, list[str]] = {}
    for part in (policy or "").split(";"):
        words = part.split()
        if words and words[0].lower() not in found:
            found[words[0].lower()] = words[1:]
    return found


class _Csp:
    """The advice for one group of CSP violations, under its own policy."""

    def __init__(self, group: Group, key: str) -> None:
        self.group = group
        self.key = key
        self.policy = policy_directives(group.policy)
        directive = group.directive
        self.base = _BASE.get(directive, directive)
        self.governing = self._governing(directive)
        # Where the source goes: the directive that decided, unless that is
        # default-src, which a new directive of its own overrides.
        self.target = (
            self.governing
            if self.governing is not None and self.governing != "default-src"
            else self.base
        )

    def _governing(self, directive: str) -> str | None:
        if not self.policy:
            return None
        chain = _FALLBACK.get(directive)
        if chain is None:
            chain = (
                (directive,)
                if directive in _NO_FALLBACK
                else (directive, "default-src")
            )
        return next((name for name in chain if name in self.policy), None)

    def advice(self) -> Advice:
        group, origin = self.group, self.group.origin
        if group.directive == "require-trusted-types-for":
            return _sink(origin)
        if "://" in origin or origin == "self":
            return self._origin()
        if origin == "inline":
            return self._inline()
        if origin == "eval":
            return Advice(
                "remove eval(), new Function() and setTimeout/setInterval with a "
                f"string from the code; only where that cannot be done: {self.key}: "
                f"{self.target}: add 'unsafe-eval'",
                warning="WARNING: 'unsafe-eval' lets a string an attacker injects "
                "run as code",
                key=self.key,
            )
        if origin == "wasm-eval":
            return self._add("'wasm-unsafe-eval'")
        if origin == "trusted-types-policy":
            name = group.samples[0] if group.samples else None
            if name is None:
                return Advice(
                    f"{self.key}: trusted-types: add the policy's name", key=self.key
                )
            return self._add(name, "trusted-types")
        if origin == "trusted-types-sink":
            return _sink(None)
        if origin in ("data", "blob") and self.base in _SCRIPT:
            return Advice(
                f"serve the script from a file of the site instead of a {origin}: URL",
                warning=f"WARNING: {origin}: in {self.base} lets an injected script "
                f"run from a {origin}: URL: do not add it",
            )
        if origin and origin.isalpha():
            return self._add(f"{origin}:")  # data:, blob:, mediastream: ...
        return Advice("no suggestion: the reports name nothing that was blocked")

    def _origin(self) -> Advice:
        group = self.group
        # A page's own origin blocked means 'self' is missing, not a host.
        pages = {_page_origin(page) for page in group.pages}
        source = "'self'" if pages == {group.origin} else group.origin
        if group.origin == "self":
            source = "'self'"
        if self._strict_dynamic():
            return Advice(
                "give the <script> a nonce (csp_nonce(environ) in the template), or "
                "load it from a script that has one: under 'strict-dynamic' "
                f"browsers ignore {source} and every host in {self.governing}, "
                "so adding it would change nothing"
            )
        if group.directive == "frame-ancestors" and self.key == "csp_header":
            return Advice(
                f"csp_frame_ancestors: add {source}",
                "frame-ancestors",
                source,
                key="csp_frame_ancestors",
            )
        return self._add(source)

    def _inline(self) -> Advice:
        directive = self.group.directive
        script = self.base == "script-src" or self.base in _SCRIPT
        if directive.endswith("-attr"):
            kind = "event handler" if script else "style attribute"
            instead = "addEventListener in a script file" if script else "a class"
            return Advice(
                f"replace the {kind} with {instead}; or add 'unsafe-hashes' and "
                f"its hash ({_HASHES}) to {self.key}: {directive}",
                warning=_UNSAFE_INLINE if script else None,
                key=self.key,
            )
        what = "script" if script else "style"
        return Advice(
            f"give the inline {what} a nonce (csp_nonce(environ) in the template) "
            f"or add its hash ({_HASHES}) to {self.key}: {self.target}",
            warning=_UNSAFE_INLINE if script else None,
            key=self.key,
        )

    def _strict_dynamic(self) -> bool:
        return (
            self.base in _SCRIPT
            and self.governing is not None
            and "'strict-dynamic'" in self.policy.get(self.governing, ())
        )

    def _add(self, source: str, directive: str | None = None) -> Advice:
        target = directive or self.target
        change = f"{self.key}: {target}: add {source}"
        if directive is None and self.governing == "default-src":
            # A new directive replaces default-src for its kind: start it
            # from default-src's sources, or what default-src allowed breaks.
            kept = " ".join(
                s for s in self.policy["default-src"] if s != "'report-sample'"
            )
            if kept and kept != "'none'":
                change += (
                    f" (the policy has no {target}: it falls back to default-src, "
                    f"so list default-src's sources too: {kept})"
                )
        return Advice(change, target, source, key=self.key)


def _sink(sink: str | None) -> Advice:
    """A Trusted Types sink that got a string."""
    if sink is None or sink == "trusted-types-sink":
        return Advice(
            "give the sink a TrustedScript or TrustedHTML made by a Trusted Types "
            "policy (the sample names the sink)"
        )
    kind = (
        "TrustedScriptURL"
        if any(word in sink for word in (" src", "importScripts", "Worker"))
        else "TrustedScript"
        if any(word in sink for word in ("Function", "eval", "setTimeout", "text"))
        else "TrustedHTML"
    )
    return Advice(
        f"pass {sink} a {kind} made by a Trusted Types policy "
        "(trustedTypes.createPolicy) instead of a string, or stop using the sink "
        "(textContent instead of innerHTML)"
    )


def _coep(group: Group) -> Advice:
    what = group.destination or "resource"
    where = group.blocked_url or group.origin
    if group.directive == "navigation":
        return Advice(
            f"the framed page {where} must send Cross-Origin-Embedder-Policy "
            "(require-corp or credentialless) and Cross-Origin-Resource-Policy: "
            "cross-origin, or drop the frame"
        )
    if group.directive == "worker-initialization":
        return Advice(
            f"serve the worker script {where} with Cross-Origin-Embedder-Policy "
            "(require-corp or credentialless)"
        )
    own = {_page_origin(page) for page in group.pages} == {group.origin}
    if own:
        return Advice(
            f"the {what} {where} comes from this site: send "
            "Cross-Origin-Resource-Policy with it (cross_origin_resource_policy: "
            "same-origin)",
            "cross_origin_resource_policy",
            "same-origin",
            key="cross_origin_resource_policy",
        )
    return Advice(
        f"the {what} {where} needs Cross-Origin-Resource-Policy: cross-origin from "
        f"its server ({group.origin}), or load it with the crossorigin attribute "
        "from a server that answers CORS; or set cross_origin_embedder_policy: "
        "credentialless, which loads it without cookies"
    )


def _coop(group: Group) -> Advice:
    return Advice(
        f"a window of {group.origin or 'another origin'} and this page lose their "
        f"reference to each other ({group.directive}): if the page needs its "
        "popups (sign-in, payment), set cross_origin_opener_policy: "
        "same-origin-allow-popups; otherwise nothing to change",
        key="cross_origin_opener_policy",
    )


def _integrity(group: Group) -> Advice:
    what = group.destination or group.directive
    where = group.blocked_url or group.origin
    return Advice(
        f'add integrity="sha384-..." (openssl dgst -sha384 -binary FILE | '
        f"openssl base64 -A) and crossorigin to the {what} tag that loads {where}"
    )


def _permissions(group: Group) -> Advice:
    feature = group.directive
    return Advice(
        f"the page uses {feature}, which permissions_policy blocks: if it needs "
        f"it, permissions_policy: {feature}: add self; otherwise remove the call",
        feature,
        "self",
        key="permissions_policy",
    )


def _page_origin(page: str) -> str:
    try:
        parts = urlsplit(page)
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.hostname}{port}"
