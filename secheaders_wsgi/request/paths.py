"""Longest-prefix lookup of request paths, by whole path segments.

Used for per-path rules (``paths:``) and ``force_https_exempt``. A prefix
matches whole segments: ``/embed/`` (or ``/embed``, the trailing slash changes
nothing) matches ``/embed``, ``/embed/`` and ``/embed/x``, never ``/embedded``;
``/`` matches every path.

The table is a trie of segments, so a lookup walks the request path once: its
cost grows with the length of the path, not with the number of prefixes
(1,000 rules cost what one costs).

A path is matched as the application will route it, not as it is spelt:
empty segments are dropped, so ``//admin``, ``///admin/x`` and ``/admin//x``
are ``/admin`` here as they are for werkzeug (Flask) and Falcon, which strip
leading slashes and merge repeated ones. Gunicorn and waitress pass such paths
through unchanged and a client may send them as written.

``.`` and ``..`` segments are kept, matched literally: browsers resolve them
before they send a request, so one arrives only percent-encoded (``%2e%2e``,
decoded by the server into ``PATH_INFO``) or from a hand-made request, and
werkzeug and Falcon route such a path literally too (``/admin/%2e%2e/embed``
is served by an ``/admin/<path>`` view). Resolving them here would give that
admin page the rule of ``/embed``. Matching is case-sensitive, as routing is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

__all__ = ["PrefixTable", "canonical_path"]

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
        depth = 0
        for prefix, value in items:
            node = self._root
            segments = _prefix_segments(prefix)
            depth = max(depth, len(segments))
            for segment in segments:
                node = node.children.setdefault(segment, _Node())
            node.value = value
        #: Every prefix is one segment ("/admin/", "/api/"), as most are: the
        #: path's first segment decides, in one lookup.
        self._flat = depth <= 1

    def longest(self, path: str) -> T | None:
        """The value of the longest prefix that matches ``path``, or ``None``.

        One step per segment of ``path``, however big the table; a plain
        loop, as it runs on every request of a site with rules.
        """
        root = self._root
        found = root.value
        children = root.children
        if self._flat:
            segment = path.lstrip("/").partition("/")[0]
            node = children.get(segment) if segment else None
            return found if node is None or node.value is None else node.value
        for segment in path.split("/"):
            if segment:  # "//a", "/a//b", "/a/": empty segments are not routed
                node = children.get(segment)
                if node is None:
                    return found
                if node.value is not None:
                    found = node.value
                children = node.children
        return found


def _prefix_segments(prefix: str) -> list[str]:
    # PEP 3333: PATH_INFO holds the path's bytes (UTF-8 for every browser)
    # decoded as latin-1, so "/café" arrives as "/cafÃ©"; match it that way.
    # A prefix is canonical too: "/a//b/" is "/a/b", or it could never match.
    return _segments(prefix.encode("utf-8").decode("latin-1"))


def _segments(path: str) -> list[str]:
    # "/a/b", "/a/b/", "//a//b": ["a", "b"]; empty segments are not routed.
    return [segment for segment in path.split("/") if segment]


def canonical_path(path: str) -> str:
    """``path`` as a router sees it: ``//a//b/`` -> ``/a/b``, ``/`` stays ``/``.

    Only empty segments go; see the module docstring for why ``..`` stays.
    """
    return "/" + "/".join(_segments(path))
