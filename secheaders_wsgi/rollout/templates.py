"""``audit --templates DIR``: the inline blocks a policy would block or only lets by.

Every page or template under the directory is read with the same scanner as
``hashes``. A block whose hash the policy lacks is blocked once
``'unsafe-inline'`` is gone: ``medium``, because the page breaks, though
nothing is exposed. A block that runs only because of ``'unsafe-inline'`` is
``low``: the audit's own ``script-unsafe-inline`` finding already rates the
policy; this one says which hash to add so that ``'unsafe-inline'`` can go.
``style`` attributes count only where they are blocked: one finding for each
one that ``'unsafe-inline'`` lets by would bury the rest.

A tag with a ``nonce`` attribute is left out only where the policy sends a
nonce for it, and a nonce is suggested only there: while ``'unsafe-inline'``
is in force, or where ``csp_nonce_directives`` leaves the directive out, no
nonce is sent (:func:`~secheaders_wsgi.policy.csp.with_nonce`), so the fix
names the setting to change first. A file that cannot be read, or that ends
inside a tag or a comment, is a finding of its own.

The top-level policy is used; ``paths`` rules are not matched to templates.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path

from ..audit import Finding
from ..config import Config, Sources
from ..inline.hashes import ATTRIBUTES, Block, Skipped, read_page, scan_page
from ..policy import csp_directives, headers
from ..policy.csp import CSP, CSP_REPORT_ONLY

__all__ = ["TEMPLATE_SUFFIXES", "template_files", "template_findings"]

TEMPLATE_SUFFIXES = frozenset(
    {
        ".html", ".htm", ".xhtml", ".jinja", ".jinja2", ".j2", ".njk", ".tmpl",
        ".tpl", ".mako", ".erb", ".ejs", ".hbs", ".mustache", ".twig", ".jsp",
    }
)  # fmt: skip
# The directives a browser consults for each kind of block, most specific first.
_FALLBACK = {
    "script": ("script-src-elem", "script-src", "default-src"),
    "style": ("style-src-elem", "style-src", "default-src"),
    "handler": ("script-src-attr", "script-src", "default-src"),
    "style-attr": ("style-src-attr", "style-src", "default-src"),
}
_HASH_OR_NONCE = ("'sha256-", "'sha384-", "'sha512-", "'nonce-")
# Stands in for the per-response nonce when the policy is built with one.
_MARK = "secheaders-audit-nonce"
_GIVE_NONCE = 'give it a nonce (nonce="{{ csp_nonce() }}" in the tag)'


def template_files(directory: Path) -> list[Path]:
    """The pages and templates under ``directory``, sorted."""
    return sorted(
        path
        for path in directory.rglob("*")
        if path.is_file() and path.suffix.lower() in TEMPLATE_SUFFIXES
    )


def template_findings(config: Config, directory: Path) -> list[Finding]:
    """A finding for each inline block the top-level policy does not allow by
    hash (or by nonce, where it sends one), and for each file not fully read."""
    directives = csp_directives(config)
    if directives is None:
        return []  # no policy: everything runs, and the audit says no-csp
    policy = _Policy(config, dict(directives))
    findings: list[Finding] = []
    for path in template_files(directory):
        try:
            page = scan_page(str(path), read_page(path))
        except Skipped as exc:
            findings.append(
                Finding("template-unreadable", "low", f"{path}: {exc}", exc.fix)
            )
            continue
        if page.unfinished is not None:
            line, problem = page.unfinished
            findings.append(
                Finding(
                    "template-unfinished",
                    "low",
                    f"{path}:{line}: {problem}",
                    "close it; a template that is cut there on purpose is "
                    "checked only up to it",
                )
            )
        for block in page.blocks:
            findings.extend(_judge(block, policy))
    return findings


class _Policy:
    """The top-level policy as sent, and where a response's nonce goes."""

    def __init__(self, config: Config, directives: Mapping[str, Sources]) -> None:
        self.config = config
        self.directives = directives
        self._nonce_fixes: dict[str, str | None] = {}

    def effective(self, block: Block) -> tuple[str, Sources | None]:
        """The directive that decides ``block``, and its sources (``None``:
        the policy does not restrict this kind of block)."""
        for name in _FALLBACK[block.kind]:
            if name in self.directives:
                return name, self.directives[name]
        return block.directive, None

    def nonce_fix(self, block: Block) -> str | None:
        """``""`` when a response's nonce reaches the directive that decides
        ``block``; otherwise the settings to change so that one does, or
        ``None`` when no change of settings would."""
        if block.kind in ATTRIBUTES:
            return None  # a nonce never covers an attribute
        if block.kind not in self._nonce_fixes:
            name = self.effective(block)[0]
            self._nonce_fixes[block.kind] = _nonce_fix(
                self.config, _FALLBACK[block.kind], name
            )
        return self._nonce_fixes[block.kind]


def _nonce_fix(config: Config, fallback: tuple[str, ...], name: str) -> str | None:
    # Each answer comes from headers() itself, so what decides where a nonce
    # goes (with_nonce: never beside 'unsafe-inline') is asked, not repeated.
    if _takes_nonce(config, fallback):
        return ""
    no_inline = {"csp_unsafe_inline": False, "debug": False}
    listed = {"csp_nonce_directives": (*config.csp_nonce_directives, name)}
    add = f"add {name} to csp_nonce_directives"
    trials = (
        ("set csp_unsafe_inline: false", no_inline),
        (add, listed),
        (f"set csp_unsafe_inline: false and {add}", {**no_inline, **listed}),
    )
    for fix, changes in trials:
        if _takes_nonce(replace(config, **changes), fallback):
            return fix
    return None


def _takes_nonce(config: Config, fallback: tuple[str, ...]) -> bool:
    """Whether a response that used a nonce sends it where ``fallback`` looks."""
    for name, value in headers(config, https=True, nonce=_MARK):
        if name in (CSP, CSP_REPORT_ONLY):
            # The policy csp_header sets comes first; a trial policy after it
            # only reports, so its nonce allows nothing.
            words = [part.split() for part in value.split(";")]
            policy = {first: rest for first, *rest in filter(None, words)}
            sources = next((policy[n] for n in fallback if n in policy), [])
            return f"'nonce-{_MARK}'" in sources
    return False


def _judge(block: Block, policy: _Policy) -> Iterator[Finding]:
    name, sources = policy.effective(block)
    if sources is None:
        return  # the policy does not restrict this kind of block
    nonce_fix = policy.nonce_fix(block)
    if block.covered_by_nonce and nonce_fix == "":
        return  # its nonce= allows it
    if block.source is not None and block.source in sources:
        if block.kind not in ATTRIBUTES or "'unsafe-hashes'" in sources:
            return
    where = f"{block.file}:{block.line} <{block.label}>"
    if block.label not in ("script", "style"):
        where = f"{block.file}:{block.line} {block.label}"
    fix = _fix(block, name, nonce_fix)
    inline = "'unsafe-inline'" in sources and not any(
        s.startswith(_HASH_OR_NONCE) for s in sources
    )
    if inline and block.kind == "style-attr":
        return  # style attributes are everywhere; 'unsafe-inline' there is low
    if inline:
        then = (
            ""
            if "csp_unsafe_inline: false" in fix
            else ", then csp_unsafe_inline: false"
        )
        yield Finding(
            "template-inline-unhashed",
            "low",
            f"{where} runs only because {name} allows 'unsafe-inline'",
            f"{fix}{then}",
        )
        return
    why = f"its hash is not in {name}"
    if block.source is None:
        why = "it cannot be hashed, and " + (
            "it has no nonce attribute" if nonce_fix == "" else f"{name} gets no nonce"
        )
    yield Finding(
        "template-inline-blocked",
        "medium",
        f"{where} is blocked by browsers: {why}",
        fix,
    )


def _fix(block: Block, name: str, nonce_fix: str | None) -> str:
    """What makes ``block`` run: its hash, a nonce where the policy can send
    one (and the settings that let it), or a file of its own."""
    if block.covered_by_nonce and nonce_fix:
        # It has its nonce= already: what is missing is a policy that sends one.
        hashed = (
            f"add {block.source} to csp_header: {name}, or " if block.source else ""
        )
        return f"{hashed}{nonce_fix} so that its nonce= counts"
    if block.source is not None:
        needs = "'unsafe-hashes' and " if block.kind in ATTRIBUTES else ""
        nonce = f", or {_GIVE_NONCE}" if nonce_fix == "" else ""
        return f"add {needs}{block.source} to csp_header: {name}{nonce}"
    mark = f"it holds template syntax {block.mark!r}, so no hash fits"
    if nonce_fix == "":
        return f"{_GIVE_NONCE} or move it to a file ({mark})"
    if nonce_fix:
        return f"move it to a file ({mark}), or {nonce_fix} and {_GIVE_NONCE}"
    if block.kind in ATTRIBUTES:
        return f"move it to a file ({mark}; a nonce does not cover an attribute)"
    return f"move it to a file ({mark}, and this policy sends no nonce to {name})"
