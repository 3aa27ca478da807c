"""What goes out in no adapter's shape: a header, and an answer of the middleware's.

The redirect, the report receiver and the cross-origin refusal decide a status,
headers and a body; the WSGI adapter turns a :class:`Reply` into a
``start_response`` call and an iterable, the ASGI one into two messages.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Header", "Reply", "text_reply"]

#: A response header: its name and its value, as text.
Header = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Reply:
    """A status line (``"204 No Content"``), headers in order, and the body."""

    status: str
    headers: tuple[Header, ...]
    body: bytes = b""

    @property
    def code(self) -> int:
        return int(self.status[:3])

    def with_ours(self, ours: tuple[Header, ...]) -> Reply:
        """This reply with our headers added, where it does not set them."""
        present = {name.lower() for name, _ in self.headers}
        extra = tuple(h for h in ours if h[0].lower() not in present)
        return Reply(self.status, self.headers + extra, self.body)


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
