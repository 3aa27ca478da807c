"""A linear HTML tokenizer: the start tags of a page, and the text of its scripts.

``hashes`` and ``audit --templates`` need each start tag with its attributes
(as the DOM has them: character references decoded) and the text of each
``<script>`` and ``<style>`` (as written: never decoded). This follows the
tokenizer of the HTML standard (section 13.2.5) that far, and no further:
comments, doctypes and end tags are skipped, and so is the text of the other
raw-text elements (``<textarea>``, ``<title>``, ``<iframe>``, ...), where a
``<script>`` is text and never runs.

It replaces ``html.parser``, which raised ``AssertionError`` on ``<![ b`` and
rescanned the rest of the page at every ``<`` it could not finish: 80 KB of
``<a `` took over a minute. Here every step starts where the last one ended,
so the work is linear in the page; :attr:`Scan.examined` counts the
characters the steps looked at (tests bound it). Like a browser, a page that
ends inside a tag, a comment or a quoted attribute value has nothing after
that point: :attr:`Scan.unfinished` says where.

Not modelled: foreign content (``<svg>``, ``<math>``), where the text of a
``<style>`` is parsed as markup; an SVG page's inline style may hash wrong.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.entities import html5

from ..errors import clipped

__all__ = ["Element", "Scan", "scan"]

# The elements whose content is text up to their end tag (HTML section
# 13.2.6.4.7: RAWTEXT and RCDATA). <noscript> is not one of them here: with
# scripting off, a browser parses its content, and a <style> in it applies.
_RAW_TEXT = frozenset(
    {"style", "xmp", "iframe", "noembed", "noframes", "textarea", "title"}
)
#: The elements whose text :func:`scan` keeps.
KEPT_TEXT = frozenset({"script", "style"})

_SPACE = "\t\n\f "
_SPACES = re.compile(r"[\t\n\f ]*")
_SPACES_OR_SLASH = re.compile(r"[\t\n\f /]*")
_TAG_NAME = re.compile(r"[^\t\n\f />]*")
# An attribute name may start with "=" (a parse error the standard allows).
_ATTRIBUTE_NAME = re.compile(r"[^\t\n\f />][^\t\n\f />=]*")
_UNQUOTED = re.compile(r"[^\t\n\f >]*")
_MARKUP = re.compile(r"<(?:!--|!|\?|/?[A-Za-z]|/)")
# Script data (section 13.2.5.4 and the escape states after it): "<!--"
# starts an escaped part, where "<script" starts a double-escaped one, in
# which "</script" does not end the script.
_SCRIPT_DATA = re.compile(r"<!--|</script[\t\n\f />]", re.IGNORECASE)
_SCRIPT_ESCAPED = re.compile(r"-->|</script[\t\n\f />]|<script[\t\n\f />]", re.I)
_SCRIPT_DOUBLE = re.compile(r"-->|</script[\t\n\f />]", re.IGNORECASE)
_CHARREF = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z0-9]{1,32};?)")
_END_TAGS = {
    name: re.compile(f"</{name}[\t\n\f />]", re.IGNORECASE) for name in _RAW_TEXT
}


@dataclass(frozen=True)
class Element:
    """A start tag, and for script and style the text up to the end tag."""

    name: str
    line: int
    #: Each attribute once (the first, as the standard keeps), decoded.
    attributes: tuple[tuple[str, str], ...]
    #: The raw text of a script or style; ``None`` for other elements, and
    #: for a script the page ends inside (browsers never run it).
    text: str | None = None


@dataclass
class Scan:
    """What :func:`scan` found in one page."""

    elements: list[Element] = field(default_factory=list)
    #: ``(line, what)``: the page ends inside ``what`` (a tag, a comment, a
    #: quoted attribute value) opened at ``line``; nothing after was read.
    unfinished: tuple[int, str] | None = None
    #: Characters the steps looked at: at most a few times the page's length.
    examined: int = 0


class _Unfinished(Exception):
    def __init__(self, what: str) -> None:
        self.what = what


def scan(page: str) -> Scan:
    """The start tags of ``page`` (CR LF already made LF), in order.

    >>> found = scan("<p id=a><script>x()</script>").elements
    >>> [(e.name, e.attributes, e.text) for e in found]
    [('p', (('id', 'a'),), None), ('script', (), 'x()')]
    """
    return _Scanner(page).run()


class _Scanner:
    def __init__(self, page: str) -> None:
        self.page = page
        self.result = Scan()
        self._line = 1
        self._counted = 0  # the position self._line counts up to

    def run(self) -> Scan:
        page, pos = self.page, 0
        while True:
            found = self._search(_MARKUP, pos)
            if found is None:
                return self.result
            start = found.start()
            try:
                pos = self._markup(start, found.group())
            except _Unfinished as exc:
                self.result.unfinished = (self._line_at(start), exc.what)
                return self.result
            if pos >= len(page):
                return self.result

    def _markup(self, start: int, opening: str) -> int:
        """Read the markup at ``start``; return where the data after it starts."""
        if opening == "<!--":
            # "<!-->" and "<!--->" end at once (abrupt closing of an empty comment).
            for short in (">", "->"):
                if self.page.startswith(short, start + 4):
                    return start + 4 + len(short)
            return self._after(start + 4, "-->", "a comment")
        if opening in ("<!", "<?", "</"):
            # A doctype, a CDATA section outside SVG, a processing instruction
            # or "</" and no letter: a bogus comment, up to the next ">".
            if opening == "</" and self.page.startswith(">", start + 2):
                return start + 3  # "</>" is dropped
            return self._after(start + 2, ">", f"a {opening!r} declaration")
        closing = opening.startswith("</")
        name_start = start + (2 if closing else 1)
        name = self._match(_TAG_NAME, name_start).group().lower()
        attributes, pos = self._attributes(name_start + len(name), name)
        if closing:
            return pos
        line = self._line_at(start)
        if name == "script":
            return self._script(line, attributes, pos)
        if name in _RAW_TEXT:
            text, pos = self._raw_text(name, pos)
            kept = text if name in KEPT_TEXT else None
            self.result.elements.append(Element(name, line, attributes, kept))
            return pos
        self.result.elements.append(Element(name, line, attributes))
        if name == "plaintext":
            return len(self.page)  # everything after it is text
        return pos

    def _attributes(
        self, pos: int, tag: str
    ) -> tuple[tuple[tuple[str, str], ...], int]:
        """The attributes from ``pos`` to the tag's ``>``, and the position after it."""
        page, found = self.page, dict[str, str]()
        while True:
            pos = self._match(_SPACES_OR_SLASH, pos).end()
            if pos >= len(page):
                raise _Unfinished(f"the tag <{clipped(tag)}")
            if page[pos] == ">":
                return tuple(found.items()), pos + 1
            name = self._match(_ATTRIBUTE_NAME, pos).group()
            pos = self._match(_SPACES, pos + len(name)).end()
            value = ""
            if pos < len(page) and page[pos] == "=":
                pos = self._match(_SPACES, pos + 1).end()
                quote = page[pos : pos + 1]
                if quote in ("'", '"'):
                    end = self._find(quote, pos + 1)
                    if end < 0:
                        raise _Unfinished(f"a quoted value in the tag <{clipped(tag)}")
                    value, pos = _decoded(page[pos + 1 : end]), end + 1
                else:
                    unquoted = self._match(_UNQUOTED, pos).group()
                    value, pos = _decoded(unquoted), pos + len(unquoted)
            found.setdefault(name.lower(), value.replace("\0", "\ufffd"))

    def _script(
        self, line: int, attributes: tuple[tuple[str, str], ...], pos: int
    ) -> int:
        start, escaped, double = pos, False, False
        while True:
            state = _SCRIPT_DOUBLE if double else _SCRIPT_ESCAPED
            found = self._search(state if escaped else _SCRIPT_DATA, pos)
            if found is None:
                # A script the page ends inside never runs: no element.
                raise _Unfinished("a <script>")
            token = found.group().lower()
            if token == "<!--":
                # The dashes of "<!--" may end it at once: "<!-->".
                escaped, pos = True, found.end() - 2
            elif token == "-->":
                escaped, double, pos = False, False, found.end()
            elif token.startswith("<script"):
                double, pos = True, found.end() - 1
            elif double:  # "</script" in a double-escaped part: escaped again
                double, pos = False, found.end() - 1
            else:
                # The end tag first: a page that ends inside it never runs it.
                after = self._attributes(found.start() + len("</script"), "/script")
                text = self.page[start : found.start()].replace("\0", "\ufffd")
                self.result.elements.append(Element("script", line, attributes, text))
                return after[1]

    def _raw_text(self, name: str, pos: int) -> tuple[str, int]:
        """The text up to ``</name``; at the page's end, the rest of the page."""
        found = self._search(_END_TAGS[name], pos)
        if found is None:
            return self.page[pos:].replace("\0", "\ufffd"), len(self.page)
        text = self.page[pos : found.start()].replace("\0", "\ufffd")
        return text, self._attributes(found.end() - 1, f"/{name}")[1]

    # Every look at the page goes through these three, which count it.

    def _search(self, pattern: re.Pattern[str], pos: int) -> re.Match[str] | None:
        found = pattern.search(self.page, pos)
        self.result.examined += (found.end() if found else len(self.page)) - pos
        return found

    def _match(self, pattern: re.Pattern[str], pos: int) -> re.Match[str]:
        found = pattern.match(self.page, pos)
        assert found is not None  # each pattern matches the empty string
        self.result.examined += found.end() - pos + 1
        return found

    def _find(self, text: str, pos: int) -> int:
        end = self.page.find(text, pos)
        self.result.examined += (end + len(text) if end >= 0 else len(self.page)) - pos
        return end

    def _after(self, pos: int, text: str, what: str) -> int:
        end = self._find(text, pos)
        if end < 0:
            raise _Unfinished(what)
        return end + len(text)

    def _line_at(self, pos: int) -> int:
        # Positions only grow, so each newline is counted once.
        self._line += self.page.count("\n", self._counted, pos)
        self._counted = pos
        return self._line


def _decoded(value: str) -> str:
    """An attribute value as the DOM has it: character references decoded."""
    if "&" not in value:
        return value
    return _CHARREF.sub(lambda found: _reference(value, found), value)


def _reference(value: str, found: re.Match[str]) -> str:
    ref = found.group(1)
    if ref.startswith("#") or (ref.endswith(";") and ref in html5):
        return html.unescape(found.group())
    # A name without ";" counts by its longest known prefix (&notit -> ¬it),
    # except in an attribute, where a prefix followed by "=" or a letter or
    # digit stays as written (HTML section 13.2.5.73), so that URLs such as
    # "?a=1&copy=2" keep their parameters.
    for end in range(len(ref), 1, -1):
        if ref[:end] in html5:
            after = value[found.start(1) + end : found.start(1) + end + 1]
            if after == "=" or (after.isascii() and after.isalnum()):
                return found.group()
            return html5[ref[:end]] + ref[end:]
    return found.group()
