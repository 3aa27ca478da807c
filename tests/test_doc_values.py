"""Every header value the README and docs quote for a built-in config is the one
``python -m secheaders_wsgi show`` prints for that config.

The test finds the quotes itself: every backtick span in prose or a table cell,
and every line of a block that tests/test_docs.py does not run, that reads as a
header line (`X-Frame-Options: SAMEORIGIN`), a CSP fragment (`script-src 'self';
script-src-attr 'none'`) or an HSTS value (`max-age=63072000; includeSubDomains`;
a bare `max-age=N` is taken for HSTS: quote a cache's as `Cache-Control: ...`).
Blocks that run are held to the command's output by tests/test_docs.py already.

Which config a quote speaks of, the first that applies:

1. its table column, when the column's title names a config (`defaults`,
   `preset: strict`, `OSHP`);
2. the nearest heading above it that names one ("The strict preset");
3. the config named nearest to it in its clause, else its sentence, else its
   paragraph, list item or cell: `preset: strict` or "strict preset" (a bare
   "strict" names nothing), the same for standard, "default(s)", or "OSHP" (the
   OWASP Secure Headers Project's list, as shipped in
   ``secheaders_wsgi/data/oshp.json``).

A quote that names no config is a key's effect (`frame-ancestors 'none'` for
``csp_frame_ancestors: false``) and is not checked, except an HSTS value: the
defaults and ``preset: strict`` send different ones, so a page that quotes one
must say whose it is. HSTS is compared as sent once the site is https
(``server_secured: true``); everything else as ``show`` prints the config alone.
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from secheaders_wsgi.cli import main
from secheaders_wsgi.config.owasp import lists

from . import doc_snippets as snippets
from .test_docs import DOCUMENTS, ROOT

STS = "strict-transport-security"
CSP = "content-security-policy"
OSHP = "OSHP"

#: The configs a doc can quote, as the YAML ``show`` reads.
CONFIGS: Mapping[str, str] = {
    "defaults": "",
    "preset: standard": "preset: standard\n",
    "preset: strict": "preset: strict\n",
}
#: The words that name each config (and OSHP) in prose, headings and table
#: columns. A preset is named as one: "rather than strict" names nothing.
NAMES: Mapping[str, re.Pattern[str]] = {
    "preset: strict": re.compile(r"preset:\s+strict|strict\s+preset", re.I),
    "preset: standard": re.compile(r"preset:\s+standard|standard\s+preset", re.I),
    "defaults": re.compile(r"(?<![-\w])defaults?(?![-\w])", re.I),
    OSHP: re.compile(r"(?<![-\w])OSHP(?![-\w])"),
}

_SPAN = re.compile(r"`([^`]+)`")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z`*(\[])")
_CLAUSE_END = re.compile(r"[,;]|(?<!preset):(?=\s)|" + _SENTENCE_END.pattern)
_HSTS = re.compile(r"max-age=\d+")


@cache
def shown(config: str, secured: bool = False) -> dict[str, str]:
    """What ``python -m secheaders_wsgi show`` prints for a config, by lower-case name."""
    text = CONFIGS[config] + ("server_secured: true\n" if secured else "")
    out = io.StringIO()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "security.yaml"
        path.write_text(text, encoding="utf-8")
        with contextlib.redirect_stdout(out):
            assert main(["show", str(path)]) == 0
    lines = (line.split(": ", 1) for line in out.getvalue().splitlines())
    return {name.lower(): value for name, value in lines}


def sent(config: str) -> dict[str, str]:
    """The headers a quote about ``config`` is held to, by lower-case name."""
    if config == OSHP:
        return {name.lower(): value for name, value in lists().add}
    headers = shown(config)
    return {**headers, STS: shown(config, secured=True)[STS]}


def _all_sent() -> list[dict[str, str]]:
    return [sent(config) for config in [*CONFIGS, OSHP]]


def csp_of(value: str) -> dict[str, list[str]]:
    """``{directive: sources}`` of a policy or a fragment of one.

    >>> csp_of("script-src 'self'; script-src-attr 'none'; upgrade-insecure-requests")
    {'script-src': ["'self'"], 'script-src-attr': ["'none'"], 'upgrade-insecure-requests': []}
    """
    parts = (part.split() for part in value.split(";"))
    return {words[0]: words[1:] for words in parts if words}


@cache
def _directives() -> frozenset[str]:
    return frozenset(d for h in _all_sent() if CSP in h for d in csp_of(h[CSP]))


@cache
def _header_names() -> frozenset[str]:
    return frozenset(name for h in _all_sent() for name in h)


def claim(text: str) -> tuple[str, str] | None:
    """``(header, value)`` that a quote states, or ``None`` when it states none.

    >>> claim("X-Frame-Options: SAMEORIGIN")
    ('x-frame-options', 'SAMEORIGIN')
    >>> claim("max-age=63072000; includeSubDomains")
    ('strict-transport-security', 'max-age=63072000; includeSubDomains')
    >>> claim("object-src * data: blob:")
    ('content-security-policy', 'object-src * data: blob:')
    >>> [claim(t) for t in ("script-src", "max-age=N", "hsts_header: x", "csp_header")]
    [None, None, None, None]
    """
    if not text:
        return None
    name, colon, value = text.partition(": ")
    if colon and name.lower() in _header_names():
        return name.lower(), value
    if _HSTS.match(text):
        return STS, text
    parts = csp_of(text)
    first = text.split(None, 1)[0]
    if parts.get(first) and set(parts) <= _directives():
        return CSP, text
    return None


@dataclass(frozen=True)
class Quote:
    """A quoted header value, where it stands and the config its context names."""

    document: str
    line: int
    text: str
    config: str | None

    def where(self) -> str:
        return f"{self.document}:{self.line}: `{self.text}`"


@dataclass(frozen=True)
class _Unit:
    """A paragraph, list item, table cell or block line: the context of its quotes."""

    line: int
    text: str
    #: The config the unit's table column or heading names, which wins.
    named: str | None
    #: A line of a block that does not run: the whole line is the quote.
    whole: bool = False

    def spans(self) -> Iterator[tuple[int, int]]:
        """Where the unit's quotes stand in its text (without the backticks)."""
        if self.whole:
            yield 0, len(self.text)
        else:
            yield from (m.span(1) for m in _SPAN.finditer(self.text))


def _named_in(text: str, start: int, end: int) -> str | None:
    """The config named nearest to ``text[start:end]``, outside it."""
    best: tuple[int, str] | None = None
    for config, pattern in NAMES.items():
        for found in pattern.finditer(text):
            if found.end() <= start:
                distance = start - found.end()
            elif found.start() >= end:
                distance = found.start() - end
            else:
                continue  # inside the quote itself
            if best is None or distance < best[0]:
                best = (distance, config)
    return best[1] if best else None


def _around(text: str, start: int, end: int, ends: re.Pattern[str]) -> tuple[int, int]:
    """The bounds of the clause or sentence (as ``ends`` says) holding
    ``text[start:end]``; punctuation inside backticks ends nothing."""
    spans = [m.span() for m in _SPAN.finditer(text)]
    found = [
        m.end()
        for m in ends.finditer(text)
        if not any(a < m.start() < b for a, b in spans)
    ]
    return (
        max((e for e in found if e <= start), default=0),
        min((e for e in found if e >= end), default=len(text)),
    )


def _config_of(unit: _Unit, start: int, end: int) -> str | None:
    """The config the quote ``unit.text[start:end]`` speaks of (see the module doc)."""
    if unit.named is not None:
        return unit.named
    for ends in (_CLAUSE_END, _SENTENCE_END):
        low, high = _around(unit.text, start, end, ends)
        named = _named_in(unit.text[low:high], start - low, end - low)
        if named is not None:
            return named
    return _named_in(unit.text, start, end)


def _cells(row: str) -> list[str]:
    """A table row's cells; a ``|`` inside backticks is no border."""
    cells, cell, quoted = [], "", False
    for char in row.strip().strip("|"):
        if char == "`":
            quoted = not quoted
        if char == "|" and not quoted:
            cells.append(cell)
            cell = ""
        else:
            cell += char
    return [*cells, cell]


def _named_by(title: str) -> str | None:
    """The one config a heading or a table column's title names, if any."""
    named = [config for config, pattern in NAMES.items() if pattern.search(title)]
    return named[0] if len(named) == 1 else None


def _heading_config(headings: Mapping[int, str]) -> str | None:
    """The config the innermost heading that names one names."""
    for level in sorted(headings, reverse=True):
        named = _named_by(headings[level])
        if named is not None:
            return named
    return None


def _units(markdown: str) -> Iterator[_Unit]:
    unrun: dict[int, snippets.Block] = {}
    fenced: set[int] = set()
    for block in snippets.blocks(markdown):
        fenced.update(range(block.line, block.line + block.code.count("\n") + 2))
        if not (snippets.is_checked(block) and snippets.skip_reason(block) is None):
            unrun[block.line] = block
    headings: dict[int, str] = {}
    columns: list[str | None] | None = None  # inside a table: its columns' configs
    paragraph: list[str] = []
    start = 0

    def flush() -> Iterator[_Unit]:
        if paragraph:
            yield _Unit(start, "\n".join(paragraph), _heading_config(headings))
            paragraph.clear()

    for number, line in enumerate(markdown.split("\n"), 1):
        stripped = line.strip()
        if not stripped.startswith("|"):
            columns = None
        if number in fenced or not stripped or stripped.startswith(("#", "|")):
            yield from flush()
        if number in unrun:
            code = unrun[number].code.split("\n")
            for offset, text in enumerate(code, 1):
                yield _Unit(number + offset, text, _heading_config(headings), True)
        if number in fenced or not stripped:
            continue
        if stripped.startswith("#"):
            level = len(stripped) - len(stripped.lstrip("#"))
            headings = {k: v for k, v in headings.items() if k < level}
            headings[level] = stripped.lstrip("#")
        elif stripped.startswith("|"):
            cells = _cells(stripped)
            if columns is None:
                columns = [_named_by(cell) for cell in cells]
            elif not all(set(cell.strip()) <= set("-:") for cell in cells):
                for index, cell in enumerate(cells):
                    named = columns[index] if index < len(columns) else None
                    yield _Unit(number, cell, named or _heading_config(headings))
        else:
            if re.match(r"([-*]|\d+\.) ", stripped):
                yield from flush()  # a list item is a unit of its own
            if not paragraph:
                start = number
            paragraph.append(line)
    yield from flush()


def quotes(document: str, markdown: str) -> list[Quote]:
    """Every quoted header value of ``markdown``, with the config it speaks of."""
    found = []
    for unit in _units(markdown):
        for start, end in unit.spans():
            text = " ".join(unit.text[start:end].split())
            if claim(text) is None:
                continue
            line = unit.line + unit.text.count("\n", 0, start)
            config = _config_of(unit, start, end)
            found.append(Quote(document, line, text, config))
    return found


def mistake(quote: Quote) -> str | None:
    """What is wrong with a quote, or ``None``."""
    stated = claim(quote.text)
    assert stated is not None
    header, value = stated
    if quote.config is None:
        if header != STS:
            return None
        values = {config: shown(config, secured=True)[STS] for config in CONFIGS}
        return (
            f"{quote.where()} names no config, and they differ "
            f"({', '.join(f'{c}: {v}' for c, v in values.items())}): say whose it is"
        )
    headers = sent(quote.config)
    actual = headers.get(header)
    if header == CSP and actual is not None:
        policy = csp_of(actual)
        wrong = {d: s for d, s in csp_of(value).items() if policy.get(d) != s}
        if not wrong:
            return None
        actual = "; ".join(f"{d} {' '.join(policy.get(d, ['(none)']))}" for d in wrong)
    elif actual == value:
        return None
    return f"{quote.where()} is quoted for {quote.config}, which sends {actual!r}"


def _all_quotes() -> list[Quote]:
    found = []
    for document in DOCUMENTS:
        found += quotes(document, (ROOT / document).read_text(encoding="utf-8"))
    return found


@pytest.mark.parametrize("quote", _all_quotes(), ids=Quote.where)
def test_a_quoted_value_is_what_show_prints(quote: Quote) -> None:
    assert mistake(quote) is None


# The test of the test: the quotes it finds, whose it takes them for, and what
# it says about a wrong one.

#: docs/deployment.md said this under "What server_secured does", on a page
#: whose production config is preset: strict (which sends two years).
OLD_DEPLOYMENT = """\
- `Strict-Transport-Security: max-age=31556926; includeSubDomains` is sent (change it
  with `hsts_header`, drop it with `hsts_header: false`);
"""


def _mistakes(markdown: str) -> list[str]:
    found = (mistake(quote) for quote in quotes("page.md", markdown))
    return [text for text in found if text is not None]


def test_an_hsts_value_that_names_no_config_fails() -> None:
    assert _mistakes(OLD_DEPLOYMENT) == [
        "page.md:1: `Strict-Transport-Security: max-age=31556926; includeSubDomains` "
        "names no config, and they differ (defaults: max-age=31556926; "
        "includeSubDomains, preset: standard: max-age=31556926; includeSubDomains, "
        "preset: strict: max-age=63072000; includeSubDomains): say whose it is"
    ]


@pytest.mark.parametrize(
    ("markdown", "wrong"),
    [
        pytest.param(
            "Under `preset: strict`, `max-age=31556926; includeSubDomains` is sent.\n",
            "`max-age=31556926; includeSubDomains` is quoted for preset: strict, "
            "which sends 'max-age=63072000; includeSubDomains'",
            id="hsts-in-the-sentence",
        ),
        pytest.param(
            # The README's old claim, as a quote.
            "- **`preset: standard`**: styles from your own origin (`style-src "
            "'self'`), plus `X-Frame-Options: SAMEORIGIN`.\n",
            "`style-src 'self'` is quoted for preset: standard, which sends "
            "\"style-src 'self' https: 'unsafe-inline'\"",
            id="csp-in-a-list-item",
        ),
        pytest.param(
            "| header | defaults | `preset: strict` |\n|---|---|---|\n"
            "| X-Frame-Options | none | `X-Frame-Options: SAMEORIGIN` |\n",
            "`X-Frame-Options: SAMEORIGIN` is quoted for preset: strict, which "
            "sends 'DENY'",
            id="table-column",
        ),
        pytest.param(
            "## The strict preset\n\nIt frames nothing: `frame-ancestors 'self'`.\n",
            "`frame-ancestors 'self'` is quoted for preset: strict, which sends "
            "\"frame-ancestors 'none'\"",
            id="heading",
        ),
        pytest.param(
            "## The standard preset\n\n```console\n# not run: an excerpt\n"
            "X-Frame-Options: DENY\n```\n",
            "`X-Frame-Options: DENY` is quoted for preset: standard, which sends "
            "'SAMEORIGIN'",
            id="block-that-does-not-run",
        ),
        pytest.param(
            "The defaults send `Referrer-Policy: same-origin`.\n",
            "`Referrer-Policy: same-origin` is quoted for defaults, which sends "
            "'strict-origin-when-cross-origin'",
            id="defaults",
        ),
        pytest.param(
            "OSHP's HSTS is `max-age=31556926; includeSubDomains`.\n",
            "`max-age=31556926; includeSubDomains` is quoted for OSHP, which sends "
            "'max-age=31536000; includeSubDomains'",
            id="oshp",
        ),
    ],
)
def test_a_wrong_quote_fails(markdown: str, wrong: str) -> None:
    (found,) = _mistakes(markdown)
    assert found.split(": ", 1)[1] == wrong


def test_each_value_goes_to_the_config_named_in_its_clause() -> None:
    found = quotes(
        "page.md",
        "unset: `max-age=31556926; includeSubDomains` by default, "
        "`max-age=63072000; includeSubDomains` under `preset: strict`.\n",
    )
    assert [(q.text[:16], q.config) for q in found] == [
        ("max-age=31556926", "defaults"),
        ("max-age=63072000", "preset: strict"),
    ]
    assert (
        _mistakes(
            "- HSTS: `max-age=31556926; includeSubDomains` by default, "
            "`max-age=63072000; includeSubDomains` under `preset:\n  strict`.\n"
        )
        == []
    )


def test_a_quote_that_names_no_config_is_a_keys_effect_and_not_checked() -> None:
    markdown = (
        "`csp_frame_ancestors: false` sends `frame-ancestors 'none'`, and "
        "`origin_agent_cluster: true` sends `Origin-Agent-Cluster: ?1`.\n"
    )
    assert [q.config for q in quotes("page.md", markdown)] == [None, None]
    assert _mistakes(markdown) == []


def test_settings_and_names_are_not_quotes() -> None:
    markdown = (
        'Set `hsts_header: "max-age=63072000; preload"` or `max-age=N` in '
        "`script-src` under `preset: strict`; a blocked `script-src-elem`.\n"
        '```python\nheaders = {"X-Frame-Options": "SAMEORIGIN"}\n```\n'
    )
    assert quotes("page.md", markdown) == []
