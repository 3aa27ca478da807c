"""What the soak tests share: one response's headers and body, the nonce masked
out of headers, and threads started together."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

Headers = list[tuple[str, str]]


def response_of(app: Any, environ: dict[str, Any]) -> tuple[Headers, bytes]:
    """The headers ``app`` starts the response with, and its body."""
    sent: list[Headers] = []
    body = b"".join(app(environ, lambda s, h, e=None: sent.append(h)))
    return sent[0], body


def masked(headers: Headers, nonce: bytes) -> Headers:
    """``headers`` with this response's nonce written as 'nonce-N', to compare."""
    text = f"'nonce-{nonce.decode()}'"
    return [(n, v.replace(text, "'nonce-N'")) for n, v in headers]


def all_finished(count: int, work: Callable[[int], None], timeout: float) -> bool:
    """Run ``work(0)`` .. ``work(count - 1)`` in threads released together (so
    they overlap); True when every thread finished within ``timeout`` seconds."""
    start = threading.Barrier(count)

    def worker(index: int) -> None:
        start.wait()
        work(index)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return not any(thread.is_alive() for thread in threads)
