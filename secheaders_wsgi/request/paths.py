"""Longest-prefix lookup of request paths, by whole path segments.

Used for per-path rules (``paths:``) and ``force_https_exempt``. A prefix
matches whole segments: ``/embed/`` (or ``/embed``, the trailing slash changes
nothing) matches ``/embed``, ``/embed/`` and ``/embed/x``, never ``/embedded``;
``/`` matches every path.

The table is a trie of segments, so a lookup walks the request path once: its
cost grows with the length of the path, not with the number of prefixes
(1,000 rules cost what one costs).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

from ..config.values import normalize_prefix

__all__ = ["PrefixTable"]

T = TypeVar("T")


class _Node(Generic[T]):
    __slots__ = ("children", "value")

    def __init__(self) -> None:
        self.children: dict[str, _Node[T]] = {}
        self.value: T | None = None


class PrefixTable(Generic[T]):
    """Map path prefixes to values; :meth:`longest` finds the best match.

    >>> table = PrefixTable([("/embed/", "embed"), ("/", "root")])
    >>> table.longest("/embed/x"), table.longest("/embedded")
    ('embed', 'root')
    """

    def __init__(self, items: Iterable[tuple[str, T]] = ()) -> None:
        self._root: _Node[T] = _Node()
        for prefix, value in items:
            node = self._root
            for segment in _prefix_segments(prefix):
                node = node.children.setdefault(segment, _Node())
            node.value = value

    def longest(self, path: str) -> T | None:
        """The value of the longest prefix that matches ``path``, or ``None``."""
        found = None
        for node in self._walk(path):
            if node.value is not None:
                found = node.value
        return found

    def _walk(self, path: str) -> Iterator[_Node[T]]:
        """The nodes along ``path``: at most one per segment, however big the table."""
        node = self._root
        yield node
        for segment in _segments(path):
            child = node.children.get(segment)
            if child is None:
                return
            node = child
            yield node


def _prefix_segments(prefix: str) -> list[str]:
    prefix = normalize_prefix(prefix)
    return [] if prefix == "/" else prefix.split("/")[1:]


def _segments(path: str) -> list[str]:
    # "/a/b" -> ["a", "b"]; "/a/b/" -> ["a", "b", ""]: the empty last segment
    # matches no prefix (prefixes are normalized), so "/a/b/" falls back to "/a/b".
    return path.split("/")[1:] if path.startswith("/") else path.split("/")
