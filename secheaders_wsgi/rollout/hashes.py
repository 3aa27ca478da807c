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
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Literal

__all__ = ["Block", "find_blocks", "hash_source", "yaml_snippet"]

Kind = Literal["script", "style", "handler", "style-attr"]
#: The kinds a policy allows only with 'unsafe-hashes' beside their hash.
ATTRIBUTES = frozenset({"handler", "style-attr"})

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

    @property
    def directive(self) -> str:
        """The directive whose sources decide whether the block runs."""
        return _DIRECTIVES[self.kind]


def hash_source(text: str) -> str:
    """The CSP source allowing exactly ``text``.

    >>> hash_source("alert(1)")
    "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
    """
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def find_blocks(file: str, html: str) -> list[Block]:
    """The inline blocks and attributes of one page or template, in order."""
    parser = _Parser(file)
    parser.feed(html.replace("\r\n", "\n").replace("\r", "\n"))
    parser.close()
    return parser.blocks


def yaml_snippet(blocks: Iterable[Block]) -> str:
    """A ``csp_header`` fragment with the hashes, one directive each, no repeats."""
    wanted: dict[str, list[str]] = {}
    for block in blocks:
        if block.source is None:
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
        "csp_unsafe_eval: false",
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


class _Parser(HTMLParser):
    def __init__(self, file: str) -> None:
        # convert_charrefs: attribute values come decoded, as the DOM has them;
        # script and style contents are raw text and never decoded.
        super().__init__(convert_charrefs=True)
        self.file = file
        self.blocks: list[Block] = []
        self._open: tuple[Kind, int, bool] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        names = dict(attrs)
        for name, value in attrs:
            if name.startswith("on") and value is not None:
                self._add("handler", line, f"{name} on <{tag}>", value, False)
            elif name == "style" and value:
                self._add("style-attr", line, f"style on <{tag}>", value, False)
        if tag == "style" or (
            tag == "script"
            and "src" not in names
            and (names.get("type") or "").strip().lower() in _SCRIPT_TYPES
        ):
            self._open = (
                "script" if tag == "script" else "style",
                line,
                "nonce" in names,
            )
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._open is not None and tag == self._open[0]:
            kind, line, nonced = self._open
            self._open = None
            self._add(kind, line, kind, "".join(self._text), nonced)

    def _add(self, kind: Kind, line: int, label: str, text: str, nonced: bool) -> None:
        mark = _template_mark(text, kind)
        if mark is not None:
            reason = f"holds template syntax {mark!r}: nonce it or move it to a file"
            self.blocks.append(
                Block(self.file, line, kind, label, text, None, reason, nonced)
            )
            return
        source = hash_source(text)
        self.blocks.append(
            Block(self.file, line, kind, label, text, source, None, nonced)
        )
