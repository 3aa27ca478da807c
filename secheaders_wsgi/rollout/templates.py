"""``audit --templates DIR``: the inline blocks a policy would block or only lets by.

Every page or template under the directory is read with the same parser as
``hashes``. A block whose hash the policy lacks is blocked once
``'unsafe-inline'`` is gone: ``medium``, because the page breaks, though
nothing is exposed. A block that runs only because of ``'unsafe-inline'`` is
``low``: the audit's own ``script-unsafe-inline`` finding already rates the
policy; this one says which hash to add so that ``'unsafe-inline'`` can go.
A tag with a ``nonce`` attribute is left out where the policy takes nonces.
``style`` attributes count only where they are blocked: one finding for each
one that ``'unsafe-inline'`` lets by would bury the rest.
The top-level policy is used; ``paths`` rules are not matched to templates.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

from ..audit import Finding
from ..config import Config, Sources
from ..policy import csp_directives
from .hashes import ATTRIBUTES, Block, find_blocks

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


def template_files(directory: Path) -> list[Path]:
    """The pages and templates under ``directory``, sorted."""
    return sorted(
        path
        for path in directory.rglob("*")
        if path.is_file() and path.suffix.lower() in TEMPLATE_SUFFIXES
    )


def template_findings(config: Config, directory: Path) -> list[Finding]:
    """A finding for each inline block the top-level policy does not allow by hash."""
    directives = csp_directives(config)
    if directives is None:
        return []  # no policy: everything runs, and the audit says no-csp
    policy = dict(directives)
    nonces = bool(config.csp_nonce_directives)
    findings: list[Finding] = []
    for path in template_files(directory):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            findings.append(
                Finding(
                    "template-unreadable",
                    "low",
                    f"{path}: cannot be read ({exc})",
                    "save it as UTF-8",
                )
            )
            continue
        for block in find_blocks(str(path), text):
            if block.nonced and nonces and block.kind not in ATTRIBUTES:
                continue
            findings.extend(_judge(block, policy))
    return findings


def _judge(block: Block, policy: Mapping[str, Sources]) -> Iterator[Finding]:
    name, sources = _effective(block, policy)
    if sources is None:
        return  # the policy does not restrict this kind of block
    where = f"{block.file}:{block.line} <{block.label}>"
    if block.label not in ("script", "style"):
        where = f"{block.file}:{block.line} {block.label}"
    needs = (
        "'unsafe-hashes' and " if block.kind in ATTRIBUTES else ""
    ) + f"{block.source}"
    fix = f"add {needs} to csp_header: {name}" if block.source else (block.reason or "")
    if block.source is not None and block.source in sources:
        if block.kind not in ATTRIBUTES or "'unsafe-hashes'" in sources:
            return
    inline = "'unsafe-inline'" in sources and not any(
        s.startswith(_HASH_OR_NONCE) for s in sources
    )
    if inline and block.kind == "style-attr":
        return  # style attributes are everywhere; 'unsafe-inline' there is low
    if inline:
        yield Finding(
            "template-inline-unhashed",
            "low",
            f"{where} runs only because {name} allows 'unsafe-inline'",
            f"{fix}, then csp_unsafe_inline: false",
        )
        return
    why = "its hash is not" if block.source else "it cannot be hashed, and no nonce is"
    yield Finding(
        "template-inline-blocked",
        "medium",
        f"{where} is blocked by browsers: {why} in {name}",
        fix,
    )


def _effective(
    block: Block, policy: Mapping[str, Sources]
) -> tuple[str, Sources | None]:
    for name in _FALLBACK[block.kind]:
        if name in policy:
            return name, policy[name]
    return block.directive, None
