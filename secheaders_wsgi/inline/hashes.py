"""The CSP hash sources of the inline code in HTML pages and templates.

A browser runs an inline ``<script>`` (or applies a ``<style>``) under a
policy without ``'unsafe-inline'`` when the policy lists the hash of its text:
``'sha256-'`` + base64(SHA-256(UTF-8 bytes)). The text is exactly what lies
between the tags, as the HTML parser sees it: no trimming, no re-indenting,
and nothing decoded, because script and style contents are raw text in HTML.
Only the input-stream rule applies first: every CR LF and lone CR becomes LF
(HTML section 13.2.3.5), so a file saved with Windows line ends hashes the same
as the page the browser parsed.

Event-handler attributes (``onclick="..."``) and ``style`` attributes are
hashed too, as their value after entity decoding; a policy allows them with
``'unsafe-hashes'`` and the hash in ``script-src-attr`` (``style-src-attr``).

A block holding template syntax (``{{``, ``{%``, ``<%``, ...) changes when the
template renders, so its hash as written would be wrong: it is reported as not
hashable instead. ``${`` counts as template syntax except inside a script that
uses backticks, where it is a JavaScript template literal.

A ``<script>`` or ``<style>`` with a ``nonce`` attribute needs no hash where
the policy takes nonces: :attr:`Block.nonced` says so, and the snippet leaves
it out. Pages are read by :mod:`.markup`, in time linear in their size, and
only up to :data:`MAX_BYTES` (:func:`read_page`).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .markup import Element, scan

__all__ = [
    "MAX_BYTES",
    "Block",
    "Page",
    "Skipped",
    "find_blocks",
    "hash_source",
    "read_page",
    "scan_page",
    "yaml_snippet",
]

Kind = Literal["script", "style", "handler", "style-attr"]
#: The kinds a policy allows only with 'unsafe-hashes' beside their hash.
ATTRIBUTES = frozenset({"handler", "style-attr"})
#: A page or template larger than this is skipped, and said so: the scan
#: reads about a megabyte a second of the most tag-dense markup.
MAX_BYTES = 2 * 1024 * 1024

_DIRECTIVES: dict[Kind, str] = {
    "script": "script-src",
    "handler": "script-src-attr",
    "style": "style-src",
    "style-attr": "style-src-attr",
}
_TEMPLATE_MARKS = ("{{", "{%", "{#", "<%", "<?", "${")
# Script types a browser runs as a script, and so checks against script-src;
# any other type is a data block (JSON-LD, templates) that CSP ignores.
_SCRIPT_TYPES = frozenset(
    {
        "",
        "module",
        "importmap",
        "speculationrules",
        "text/javascript",
        "application/javascript",
        "application/ecmascript",
        "text/ecmascript",
        "text/jscript",
        "application/x-javascript",
    }
)


@dataclass(frozen=True)
class Block:
    """One inline script, style, event handler or style attribute, and its hash.

    ``source`` is ``None`` when the block is not hashable; ``reason`` says why.
    ``nonced``: the tag carries a nonce attribute, so a nonce policy allows it.
    """

    file: str
    line: int
    kind: Kind
    #: ``script``/``style``, or ``onclick on <button>`` for an attribute.
    label: str
    text: str
    source: str | None
    reason: str | None = None
    nonced: bool = False
    #: The template syntax that makes it not hashable (``{{``), if any.
    mark: str | None = None

    @property
    def directive(self) -> str:
        """The directive whose sources decide whether the block runs."""
        return _DIRECTIVES[self.kind]

    @property
    def covered_by_nonce(self) -> bool:
        """A script or style with ``nonce=``: a policy that takes nonces needs
        no hash for it. (A nonce never covers an attribute.)"""
        return self.nonced and self.kind not in ATTRIBUTES


@dataclass(frozen=True)
class Page:
    """The inline blocks of one page or template, in order."""

    file: str
    blocks: tuple[Block, ...]
    #: ``(line, problem)`` when the page ends inside a tag or a comment opened
    #: at ``line``: browsers ignore the rest, and so did the scan.
    unfinished: tuple[int, str] | None = None


class Skipped(Exception):
    """A page or template that was not scanned; the message says why."""

    def __init__(self, reason: str, fix: str) -> None:
        super().__init__(reason)
        #: What to do about it.
        self.fix = fix


def hash_source(text: str) -> str:
    """The CSP source allowing exactly ``text``.

    >>> hash_source("alert(1)")
    "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
    """
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def read_page(path: str | Path) -> str:
    """The text of a page or template; :class:`Skipped` if it cannot be scanned.

    Strictly UTF-8: a template read with replaced bytes would hash wrong.
    """
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise Skipped(
            f"cannot be read ({exc.strerror or exc})", "check the path"
        ) from None
    if len(data) > MAX_BYTES:
        raise Skipped(
            f"larger than {MAX_BYTES // 1024 // 1024} MiB, more than a page or "
            "template holds; not scanned",
            "check its inline blocks by hand, or split it",
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Skipped(f"not UTF-8 ({exc.reason})", "save it as UTF-8") from None


def scan_page(file: str, html: str) -> Page:
    """The inline blocks and attributes of one page or template, in order."""
    found = scan(html.replace("\r\n", "\n").replace("\r", "\n"))
    blocks = [block for element in found.elements for block in _blocks(file, element)]
    unfinished = None
    if found.unfinished is not None:
        line, what = found.unfinished
        unfinished = (
            line,
            f"the file ends inside {what} opened here; browsers ignore the rest "
            "of the file, and so did this scan",
        )
    return Page(file, tuple(blocks), unfinished)


def find_blocks(file: str, html: str) -> list[Block]:
    """The inline blocks and attributes of one page or template, in order."""
    return list(scan_page(file, html).blocks)


def yaml_snippet(blocks: Iterable[Block]) -> str:
    """A ``csp_header`` fragment with the hashes, one directive each, no repeats.

    Nonced blocks are left out, and so is ``csp_unsafe_eval``: hashes do not
    cover ``eval()``, so whether it stays is the config's business.
    """
    wanted: dict[str, list[str]] = {}
    for block in blocks:
        if block.source is None or block.covered_by_nonce:
            continue
        sources = wanted.setdefault(block.directive, [])
        if block.kind in ATTRIBUTES and not sources:
            sources.append("'unsafe-hashes'")
        if block.source not in sources:
            sources.append(block.source)
    if not wanted:
        return ""
    lines = [
        "# A hash turns 'unsafe-inline' off in its directive, so the policy goes",
        "# out as written; keep the sources you already have.",
        "csp_unsafe_inline: false",
        "csp_header:",
    ]
    for directive in _DIRECTIVES.values():
        if directive not in wanted:
            continue
        lines.append(f"  {directive}:")
        if not directive.endswith("-attr"):
            lines.append("""    - "'self'\"""")
        lines += [f'    - "{source}"' for source in wanted[directive]]
    return "\n".join(lines) + "\n"


def _template_mark(text: str, kind: Kind) -> str | None:
    for mark in _TEMPLATE_MARKS:
        if mark in text:
            if mark == "${" and kind != "style" and "`" in text:
                continue  # a JavaScript template literal
            return mark
    return None


def _blocks(file: str, element: Element) -> Iterable[Block]:
    """The blocks of one element: its handlers and style attribute, then its
    own text if it is an inline script or style."""
    tag, line, names = element.name, element.line, dict(element.attributes)
    for name, value in element.attributes:
        # An empty handler or style runs nothing, so the policy never sees it.
        if name.startswith("on") and value:
            yield _block(file, line, "handler", f"{name} on <{tag}>", value, False)
        elif name == "style" and value:
            yield _block(file, line, "style-attr", f"style on <{tag}>", value, False)
    if element.text is None:
        return  # not a script or style, or a script the page ends inside
    if tag == "script" and (
        "src" in names or names.get("type", "").strip().lower() not in _SCRIPT_TYPES
    ):
        return  # an external script, or a data block CSP ignores
    kind: Kind = "script" if tag == "script" else "style"
    yield _block(file, line, kind, kind, element.text, bool(names.get("nonce")))


def _block(
    file: str, line: int, kind: Kind, label: str, text: str, nonced: bool
) -> Block:
    mark = _template_mark(text, kind)
    if mark is not None:
        reason = f"holds template syntax {mark!r}: nonce it or move it to a file"
        return Block(file, line, kind, label, text, None, reason, nonced, mark)
    return Block(file, line, kind, label, text, hash_source(text), None, nonced)
