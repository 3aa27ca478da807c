"""An answer the middleware gives itself, instead of the app, in no adapter's shape.

The redirect, the report receiver and the cross-origin refusal decide a status,
headers and a body; the WSGI adapter turns a :class:`Reply` into a
``start_response`` call and an iterable, the ASGI one into two messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..policy import Header

__all__ = ["Reply", "text_reply"]


@dataclass(frozen=True, slots=True)
class Reply:
    """A status line (``"204 No Content"``), headers in order, and the body."""

    status: str
    headers: tuple[Header, ...]
    body: bytes = b""

    @property
    def code(self) -> int:
        return int(self.status[:3])


def text_reply(
    status: str, body: bytes, headers: tuple[Header, ...] = (), *, head: bool = False
) -> Reply:
    """A short plain-text answer; ``head``: a HEAD request, no body but its length."""
    return Reply(
        status,
        (
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            *headers,
        ),
        b"" if head else body,
    )
