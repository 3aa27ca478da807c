"""A FastAPI app whose ``/docs`` and ``/redoc`` work under ``preset: strict``.

Run it: ``pip install -e '.[examples]'``, then ``python examples/fastapi_docs.py``
(or ``uvicorn examples.fastapi_docs:app``) and open http://127.0.0.1:8000/docs.

Swagger UI and ReDoc come from FastAPI's CDN (cdn.jsdelivr.net) with an inline
script: the one line ``framework_pages`` lets exactly those files and that
script (by its hash, read from this app's settings at start-up) on those two
paths, and every other page keeps the strict policy (docs/framework-pages.md).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel

from secheaders_wsgi import ConfigSource, csp_nonce
from secheaders_wsgi.asgi import SecureHeaders

CONFIG: dict[str, Any] = {
    "preset": "strict",
    "framework_pages": ["fastapi_docs", "fastapi_redoc"],
}

api = FastAPI(title="Notes")


class Note(BaseModel):
    text: str


@api.post("/notes")
async def add_note(note: Note) -> dict[str, str]:
    return {"saved": note.text}


@api.get("/", response_class=HTMLResponse)
async def index(request: Request) -> str:
    """A page of the site itself: its inline script carries the nonce."""
    nonce = csp_nonce(request.scope)
    return (
        '<!doctype html><title>Notes</title><p id="status">waiting</p>'
        f'<script nonce="{nonce}">'
        'document.getElementById("status").textContent = "ran";</script>'
    )


def make_app(config: ConfigSource = None) -> SecureHeaders:
    return SecureHeaders(api, CONFIG if config is None else config)


app = make_app()

if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=8000)
