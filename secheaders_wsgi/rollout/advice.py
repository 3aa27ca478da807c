"""The smallest config change that would allow a group of violations.

An origin is added to the directive the report names (``script-src-elem`` is
changed through ``script-src``, which it falls back to). Inline code and
``eval`` get the fix that keeps the policy strict (a nonce, a hash, a script
file), and a warning instead of ``'unsafe-inline'`` or ``'unsafe-eval'``.
A wildcard is never suggested: the exact origin is always known.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from .violations import Group

__all__ = ["Advice", "advise"]

# The directive a config sets for each one browsers report against.
_BASE = {
    "script-src-elem": "script-src",
    "script-src-attr": "script-src",
    "style-src-elem": "style-src",
    "style-src-attr": "style-src",
}
_SCRIPT = frozenset({"script-src", "worker-src"})
_UNSAFE_INLINE = (
    "WARNING: 'unsafe-inline' would allow this too, and with it any script an "
    "attacker manages to inject: do not add it"
)


@dataclass(frozen=True)
class Advice:
    """What to change; ``source`` is the one to add to ``directive``, if any.

    ``source`` is ``None`` when the fix belongs in the page or the code.
    ``warning`` says how allowing it weakens script protection.
    """

    change: str
    directive: str | None = None
    source: str | None = None
    warning: str | None = None


def advise(group: Group) -> Advice:
    """The change for ``group``.

    >>> advise(Group("img-src", "https://cdn.example")).change
    'csp_header: img-src: add https://cdn.example'
    """
    base = _BASE.get(group.directive, group.directive)
    origin = group.origin
    if "://" in origin:
        return _origin(group, base)
    if origin == "inline":
        return _inline(group.directive, base)
    if origin == "eval":
        return Advice(
            "remove eval(), new Function() and setTimeout/setInterval with a string "
            "from the code; only where that cannot be done: csp_header: "
            f"{base}: add 'unsafe-eval'",
            warning="WARNING: 'unsafe-eval' lets a string an attacker injects run "
            "as code",
        )
    if origin == "wasm-eval":
        return _add(base, "'wasm-unsafe-eval'")
    if origin == "trusted-types-policy":
        name = group.samples[0] if group.samples else None
        if name is None:
            return Advice("csp_header: trusted-types: add the policy's name")
        return _add("trusted-types", name)
    if origin == "trusted-types-sink":
        return Advice(
            "give the sink a TrustedScript or TrustedHTML made by a Trusted Types "
            "policy (the sample names the sink)"
        )
    if origin == "self":
        return _add(base, "'self'")
    if origin in ("data", "blob") and base in _SCRIPT:
        return Advice(
            f"serve the script from a file of the site instead of a {origin}: URL",
            warning=f"WARNING: {origin}: in {base} lets an injected script run "
            f"from a {origin}: URL: do not add it",
        )
    if origin and origin.isalpha():
        return _add(base, f"{origin}:")  # data:, blob:, mediastream: ...
    return Advice("no suggestion: the reports name nothing that was blocked")


def _origin(group: Group, base: str) -> Advice:
    # A page's own origin blocked means 'self' is missing, not a host.
    pages = {_page_origin(page) for page in group.pages}
    source = "'self'" if pages == {group.origin} else group.origin
    if group.directive == "frame-ancestors":
        return Advice(f"csp_frame_ancestors: add {source}", "frame-ancestors", source)
    return _add(base, source)


def _inline(directive: str, base: str) -> Advice:
    hashes = "python -m secheaders_wsgi hashes TEMPLATE"
    if directive.endswith("-attr"):
        script = base == "script-src"
        kind = "event handler" if script else "style attribute"
        instead = "addEventListener in a script file" if script else "a class"
        return Advice(
            f"replace the {kind} with {instead}; or add 'unsafe-hashes' and its hash "
            f"({hashes}) to csp_header: {directive}",
            warning=_UNSAFE_INLINE if script else None,
        )
    what = "script" if base in _SCRIPT else "style"
    return Advice(
        f"give the inline {what} a nonce (csp_nonce(environ) in the template) or "
        f"add its hash ({hashes}) to csp_header: {base}",
        warning=_UNSAFE_INLINE if base in _SCRIPT else None,
    )


def _add(directive: str, source: str) -> Advice:
    return Advice(f"csp_header: {directive}: add {source}", directive, source)


def _page_origin(page: str) -> str:
    try:
        parts = urlsplit(page)
        port = f":{parts.port}" if parts.port is not None else ""
    except ValueError:
        return ""
    return f"{parts.scheme}://{parts.hostname}{port}"
