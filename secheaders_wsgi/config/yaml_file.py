"""Read a YAML config file: its mapping, and the line each key is on.

Whatever the file holds, reading it is prompt and every problem is a
:class:`~secheaders_wsgi.ConfigError` that starts ``file:line:`` (and the
column, for a syntax error) and says what to do:

- a file far larger than a config (:data:`MAX_BYTES`);
- YAML syntax errors, with a hint for the usual causes (a tab, an open quote,
  ``: `` inside an unquoted value, a ``*`` that starts an alias);
- more nesting than a config needs (PyYAML composes recursively, so deep
  nesting would otherwise end in a ``RecursionError``);
- aliases that expand to more values than a config needs: a "billion laughs"
  file of a few hundred bytes stands for billions of strings, and anything that
  walks or prints it whole would never finish;
- numbers too long for any setting (``int()`` of more than 4300 digits raises
  ``ValueError``, and sexagesimal ones like ``1:2:3`` cost quadratic time);
- a key given twice, and tags other than YAML's plain ones.

:class:`YamlConfig` keeps the line of every key and list item under the name
a message gives it (``csp_header.script-src[0]``), so that :mod:`.load` can
put the line in front of an error about it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import ConfigError, clipped, shown

__all__ = ["MAX_ALIASED", "MAX_BYTES", "MAX_DEPTH", "YamlConfig", "read_yaml"]

#: A config is a few kilobytes. PyYAML reads about 100 KB of keys and lists a
#: second, so this bounds start-up to seconds whatever the file holds.
MAX_BYTES = 1024 * 1024

#: Levels of nesting: the deepest a config goes is about six
#: (``overrides.embed.csp_header.script-src[0]``).
MAX_DEPTH = 32
#: Values reached again through an alias. A rule that merges another with
#: ``<<: *base`` repeats a handful; a billion laughs, billions.
MAX_ALIASED = 10_000
#: The longest number any setting takes is 8 digits (csp_report_max_bytes).
_MAX_NUMBER = 32
_INT = "tag:yaml.org,2002:int"
_MERGE = "tag:yaml.org,2002:merge"

# A hint for the usual causes of each PyYAML problem, found by its words.
_HINTS = (
    ("'\\t'", "indent with spaces: YAML does not allow tabs"),
    (
        "end of stream",
        "a quote opened here is not closed; close it on the same line",
    ),
    (
        "mapping values are not allowed",
        "a value holding ': ' must be quoted (key: 'a: b'), and a key must "
        "line up with the keys above it",
    ),
    (
        "could not find expected ':'",
        "every line needs 'key: value'; or a quote opened earlier is not closed",
    ),
    ("expected <block end>", "this line is not indented like the keys above it"),
    ("did not find expected key", "this line is not indented like the keys above it"),
    (
        "did not find expected '-'",
        "this item is not indented like the items above it",
    ),
    (
        "expected alphabetic or numeric character",
        "a value that starts with '*' or '&' must be quoted, e.g. '*.example.com'",
    ),
    ("undefined alias", "an alias *name needs an anchor &name before it"),
    ("expected ',' or ']'", "a '[' list is not closed, or an item in it needs quotes"),
    (
        "expected ',' or '}'",
        "a '{' mapping is not closed, or a value in it needs quotes",
    ),
    (
        "unknown escape character",
        "inside double quotes a backslash starts an escape; use single quotes",
    ),
    (
        "cannot start any token",
        "a value that starts with this character must be quoted",
    ),
    (
        "could not determine a constructor",
        "a config holds plain values only: strings, numbers, true/false, lists "
        "and mappings",
    ),
    ("unhashable key", "a key must be a plain string"),
    ("for merging", "'<<:' merges a mapping: write <<: *name, where &name is one"),
    ("special characters are not allowed", "remove the control character"),
)


@dataclass(frozen=True)
class YamlConfig:
    """A config file's top-level mapping, and where each of its keys is."""

    path: str
    data: Mapping[Any, Any]
    #: The line of each key and list item, by the name a message gives it:
    #: ``server_secured``, ``csp_header.script-src``, ``paths[0].prefix``.
    lines: Mapping[str, int]

    def located(self, error: ConfigError) -> ConfigError:
        """``error`` with the file, and the line of the key it names, in front."""
        line = self.line_of(error)
        where = self.path if line is None else f"{self.path}:{line}"
        return ConfigError(f"{where}: {error}", where=error.where)

    def line_of(self, error: ConfigError) -> int | None:
        """The line of the key ``error`` is about, if the file has it.

        That is ``error.where`` when set; otherwise the longest key name the
        message starts with (``csp_header.script-src[0]: ...`` falls back to
        ``csp_header.script-src``, then ``csp_header``).
        """
        if error.where is not None:
            return self._longest(error.where + ":")
        return self._longest(str(error))

    def _longest(self, message: str) -> int | None:
        # The name ends the message's first "where: ", or comes before it
        # ("overrides.embed on paths[0] ('/a'): ...").
        first = message.find(": ")
        for end in reversed(range(1, first + 1 if first > 0 else len(message))):
            if message[end] in ":.[ " and message[:end] in self.lines:
                return self.lines[message[:end]]
        return None


def read_yaml(path: str) -> YamlConfig:
    """Read the YAML file at ``path``; a :class:`ConfigError` for any problem."""
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_BYTES + 1)
        text = data.decode("utf-8")
    except FileNotFoundError:
        raise _missing(path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc})") from None
    if len(data) > MAX_BYTES:
        raise ConfigError(
            f"{path}: more than {MAX_BYTES // 1024} KiB, far more than a config "
            "needs (a few kilobytes); is it the right file?"
        )
    try:
        value, lines = _load(text, path)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(path, exc) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ConfigError(
            f"{path}:{line}:{column}: not valid YAML: {shown(chr(exc.character))} "
            f"is not allowed; {_hint(exc.reason)}"
        ) from None
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{path}: the top level must be a mapping of keys to values, "
            f"not a {type(value).__name__}"
        )
    return YamlConfig(path, value, lines)


def _load(text: str, path: str) -> tuple[Any, dict[str, int]]:
    """Compose the nodes, walk them (:class:`_Walk`), only then build values."""
    loader = _Loader(text, path)
    try:
        node = loader.get_single_node()
        if node is None:  # an empty file: every key takes its default
            return {}, {}
        lines = _Walk(path).lines(node)
        return loader.construct_document(node), lines
    finally:
        loader.dispose()


def _missing(path: str) -> ConfigError:
    if os.path.isabs(path):
        return ConfigError(f"{path}: no such file")
    # The usual cause: the server starts in another directory than the app's.
    return ConfigError(
        f"{path}: no such file in {os.getcwd()} (a relative path is looked "
        "for in the current directory; pass an absolute path, e.g. "
        "pathlib.Path(__file__).with_name('security.yaml'))"
    )


def _syntax_error(path: str, exc: yaml.MarkedYAMLError) -> ConfigError:
    # Tags as the file writes them: !!python/name, not tag:yaml.org,2002:...
    problem = (exc.problem or exc.context or "").replace("tag:yaml.org,2002:", "!!")
    mark = exc.problem_mark or exc.context_mark
    if "end of stream" in problem and exc.context_mark is not None:
        mark = exc.context_mark  # where the quote (or bracket) was opened
    where = path if mark is None else f"{path}:{mark.line + 1}:{mark.column + 1}"
    hint = _hint(problem)
    return ConfigError(f"{where}: not valid YAML: {problem}; {hint}".rstrip("; "))


def _hint(problem: str) -> str:
    return next((hint for words, hint in _HINTS if words in problem), "")


class _Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` (no python tags) that bounds nesting and refuses a
    key given twice.

    The stock loader keeps the last of two equal keys silently: a second
    ``script-src`` would drop the first one's sources without a word.
    """

    def __init__(self, text: str, path: str) -> None:
        super().__init__(text)
        self.path = path
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        # Checked before PyYAML recurses: a deep file cannot reach Python's
        # recursion limit.
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
                raise ConfigError(
                    f"{self.path}:{mark.line + 1}:{mark.column + 1}: values are "
                    f"nested more than {MAX_DEPTH} levels deep; a config needs a "
                    "handful (check the brackets and the indentation)"
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _unique_mapping(loader: _Loader, node: MappingNode) -> Any:
    lines: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == _MERGE:
            continue  # "<<: *base" then a key overrides it, as YAML means
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            first = lines.get(key)
        except TypeError:  # an unhashable key: PyYAML says so below
            continue
        if first is not None:
            raise ConfigError(
                f"{loader.path}:{line}: {shown(key)} is given twice in one mapping "
                f"(lines {first} and {line}); only the last would count: merge "
                "them into one"
            )
        lines[key] = line
    return loader.construct_mapping(node, deep=True)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


class _Walk:
    """One pass over the composed nodes, before any value is built.

    Records the line of each key and item, and refuses what would make the
    build, the checks or a message unbounded: a cycle, too many values
    reached through aliases, nesting too deep once aliases are followed, a
    number too long. The pass itself stops at :data:`MAX_ALIASED` repeats.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self._lines: dict[str, int] = {}
        self._seen: set[int] = set()
        self._open: set[int] = set()
        self._aliased = 0
        #: The top-level key being walked: where an alias bomb is reported.
        self._top = ""

    def lines(self, root: Node) -> dict[str, int]:
        self._visit(root, "", 0)
        return self._lines

    def _visit(self, node: Node, where: str, depth: int) -> None:
        if id(node) in self._open:
            raise self._error(
                node, where, "an alias refers to a value that holds the alias itself"
            )
        if id(node) in self._seen:
            self._aliased += 1
            if self._aliased > MAX_ALIASED:
                # At the key that holds it: the node that tips the count over
                # is deep inside, and its mark is where its anchor was written.
                line = self._lines.get(self._top)
                place = f"{line}: {self._top}:" if line else ""
                raise ConfigError(
                    f"{self.path}:{place} here the aliases (*name) reach more "
                    f"than {MAX_ALIASED} values, more than any config needs; "
                    "write the values out, or use an alias only for a rule or a "
                    "list you repeat"
                )
        self._seen.add(id(node))
        if depth > MAX_DEPTH:
            raise self._error(
                node,
                where,
                f"values are nested more than {MAX_DEPTH} levels deep once the "
                "aliases are followed; a config needs a handful",
            )
        if isinstance(node, ScalarNode):
            if node.tag == _INT and len(node.value) > _MAX_NUMBER:
                raise self._error(
                    node,
                    where,
                    f"a number of {len(node.value)} characters is longer than any "
                    f"setting takes (allowed: up to {_MAX_NUMBER}; quote it if it "
                    "is text)",
                )
            return
        self._open.add(id(node))
        for child, name, line in self._children(node, where, depth):
            self._lines.setdefault(name, line)
            self._visit(child, name, depth + 1)
        self._open.discard(id(node))

    def _children(
        self, node: Node, where: str, depth: int
    ) -> Iterator[tuple[Node, str, int]]:
        """Each child node, the name a message gives it, and its line."""
        if isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                yield item, f"{where}[{index}]", item.start_mark.line + 1
            return
        assert isinstance(node, MappingNode)
        merged: list[Node] = []
        for key, value in node.value:
            if key.tag == _MERGE:
                merged.append(value)
                continue
            # As messages name it: a long key cut short (errors.clipped).
            name = clipped(str(key.value)) if isinstance(key, ScalarNode) else "?"
            name = f"{where}.{name}" if where else name
            if depth == 0:
                self._top = name
            self._visit(key, where, depth + 1)  # for the checks, not the lines
            yield value, name, key.start_mark.line + 1
        # "<<: *base": its keys count as this mapping's, after the own ones
        # (those win), at the lines where the anchor wrote them.
        for value in merged:
            sources = value.value if isinstance(value, SequenceNode) else [value]
            for source in sources:
                if not isinstance(source, MappingNode):
                    continue  # PyYAML refuses it when it builds the mapping
                if id(source) in self._open:
                    raise self._error(
                        source, where, "'<<:' merges a mapping into itself"
                    )
                self._open.add(id(source))
                yield from self._children(source, where, depth)
                self._open.discard(id(source))

    def _error(self, node: Node, where: str, message: str) -> ConfigError:
        mark = node.start_mark
        place = f"{where}: " if where else ""
        return ConfigError(
            f"{self.path}:{mark.line + 1}:{mark.column + 1}: {place}{message}"
        )
