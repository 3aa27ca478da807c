"""What each page a framework ships needs from a Content-Security-Policy.

Read from the framework itself at start-up, never written down by hand: the
hash of every inline block in its own template (through the same parser as the
``hashes`` command), the exact URLs its page loads from a CDN, and, for FastAPI,
its docs page rendered with the app's own settings. A framework upgrade that
changes a template changes the hashes with it.

Each function returns a :class:`Needs`; :mod:`.pages` merges it into the
policy of the page's path. A framework that is not installed is a
``ConfigError`` naming the page.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from ..errors import ConfigError, did_you_mean
from ..inline.hashes import ATTRIBUTES, find_blocks, hash_source
from .values import Directive, is_list, path_prefix


@dataclass(frozen=True)
class Needs:
    """What one framework page needs, on top of the policy of its path."""

    #: Its ``<script src>`` tags carry no nonce: script-src must allow the
    #: site's own origin by host ('safe-src'), without 'strict-dynamic'.
    hosts: bool
    #: Directive -> the sources to add (hashes, exact URLs, keywords).
    sources: tuple[Directive, ...]


def django_admin(app: object) -> Needs:
    # Django 5.2's admin templates have no inline script, style or handler,
    # only <script src> from STATIC_URL (Django 6 adds {% csp_nonce_attr %}).
    _require("django_admin", "django.contrib.admin", "django")
    return Needs(hosts=True, sources=())


def drf_browsable_api(app: object) -> Needs:
    base = _package_file(
        "drf_browsable_api",
        "rest_framework",
        "djangorestframework",
        "templates/rest_framework/base.html",
    )
    sources = dict(_template_hashes(base))
    # <style>{{ code_style }}</style>: Pygments' stylesheet, when Pygments is
    # installed; the same text on every page, so its hash is known now.
    from rest_framework.compat import pygments_css  # type: ignore[import-untyped]

    css = pygments_css(_drf_code_style())
    if css is not None:
        sources.setdefault("style-src", ())
        sources["style-src"] += (hash_source(css),)
    return Needs(hosts=True, sources=tuple(sources.items()))


#: ``BrowsableAPIRenderer.code_style`` as DRF ships it, for when the renderer
#: cannot be imported (it reads Django's settings: ``show`` has none).
DRF_CODE_STYLE = "emacs"


def _drf_code_style() -> str:
    from django.conf import settings  # type: ignore[import-untyped]

    if not settings.configured:
        return DRF_CODE_STYLE
    from rest_framework.renderers import (  # type: ignore[import-untyped]
        BrowsableAPIRenderer,
    )

    return str(BrowsableAPIRenderer.code_style)


def django_debug(app: object) -> Needs:
    # The technical 404 and 500 pages (DEBUG = True): their <style> and
    # <script> blocks are the same on every page. The 500 page's onclick
    # handlers hold the frame id, so they cannot be hashed (docs say so).
    folder = _package_file("django_debug", "django", "django", "views/templates")
    sources: dict[str, tuple[str, ...]] = {}
    for name in ("technical_404.html", "technical_500.html"):
        for directive, found in _template_hashes(folder / name):
            sources[directive] = _unique(sources.get(directive, ()) + found)
    return Needs(hosts=False, sources=tuple(sources.items()))


def fastapi_docs(app: object) -> Needs:
    """Swagger UI at ``docs_url``, rendered as FastAPI renders it for ``app``."""
    from fastapi.openapi.docs import (
        get_swagger_ui_html,
        get_swagger_ui_oauth2_redirect_html,
    )

    api = _fastapi("fastapi_docs", app)
    pages = []
    for root in _root_paths(api):
        redirect = api.swagger_ui_oauth2_redirect_url
        pages.append(
            get_swagger_ui_html(
                openapi_url=root + api.openapi_url,
                title=f"{api.title} - Swagger UI",
                oauth2_redirect_url=root + redirect if redirect else None,
                init_oauth=api.swagger_ui_init_oauth,
                swagger_ui_parameters=api.swagger_ui_parameters,
            )
        )
    if api.swagger_ui_oauth2_redirect_url:
        pages.append(get_swagger_ui_oauth2_redirect_html())
    return Needs(hosts=True, sources=_page_sources(bytes(p.body) for p in pages))


#: What Redoc's bundle does once loaded, which no template shows: styled-
#: components inserts <style> elements (no nonce can reach them: the page is
#: FastAPI's), the search index runs in a worker made from a blob: URL, and
#: the "API docs by Redocly" badge is an image from Redocly's CDN.
REDOC_RUNTIME: tuple[Directive, ...] = (
    ("style-src", ("'unsafe-inline'",)),
    ("worker-src", ("blob:",)),
    ("img-src", ("https://cdn.redoc.ly/redoc/logo-mini.svg",)),
)
#: Google Fonts' stylesheet loads its font files from here.
GOOGLE_FONTS = "https://fonts.gstatic.com"


def fastapi_redoc(app: object) -> Needs:
    """ReDoc at ``redoc_url``, rendered as FastAPI renders it for ``app``."""
    from fastapi.openapi.docs import get_redoc_html

    api = _fastapi("fastapi_redoc", app)
    pages = [
        bytes(
            get_redoc_html(
                openapi_url=root + api.openapi_url, title=f"{api.title} - ReDoc"
            ).body
        )
        for root in _root_paths(api)
    ]
    sources = dict(_page_sources(pages))
    for directive, added in REDOC_RUNTIME:
        kept = sources.get(directive, ())
        if "'unsafe-inline'" in added:  # a hash would switch it off
            kept = tuple(s for s in kept if not s.startswith("'sha"))
        sources[directive] = _unique(kept + added)
    if any("fonts.googleapis.com" in s for s in sources.get("style-src", ())):
        sources["font-src"] = (GOOGLE_FONTS,)
    return Needs(hosts=True, sources=tuple(sources.items()))


#: Each page: where it lives unless told, whether it depends on the app, and
#: what it needs. ``None``: every path (the debug pages answer any URL).
Known = tuple[str | None, Callable[[Any], str | None] | None, Callable[[Any], Needs]]
KNOWN: dict[str, Known] = {
    "django_admin": ("/admin/", None, django_admin),
    "drf_browsable_api": ("/api/", None, drf_browsable_api),
    "django_debug": (None, None, django_debug),
    "fastapi_docs": ("/docs", lambda api: api.docs_url, fastapi_docs),
    "fastapi_redoc": ("/redoc", lambda api: api.redoc_url, fastapi_redoc),
}


_ALLOWED = (
    f"a list of page names ({', '.join(KNOWN)}), or a mapping of page name to "
    "path prefix, e.g. {django_admin: /backoffice/}"
)


@dataclass(frozen=True)
class Page:
    """One entry of ``framework_pages``: its name and prefix.

    As checked, ``prefix`` is the one given (``None``: the default, or the
    app's own for FastAPI's pages); once merged, the one in force (``None``:
    every path) and ``own_entry`` says whether it made a ``paths`` entry of
    its own (no rule had its prefix).
    """

    name: str
    prefix: str | None
    own_entry: bool = False


def framework_pages(where: str, value: object) -> tuple[Page, ...]:
    """The check of ``framework_pages``: names, each with an optional prefix."""
    listed = is_list(value)
    if isinstance(value, (list, tuple)):
        entries: list[tuple[object, object]] = [(name, None) for name in value]
    elif isinstance(value, Mapping):
        entries = list(value.items())
    else:
        raise ConfigError(f"{where}: {value!r} is not allowed (allowed: {_ALLOWED})")
    pages: dict[str, Page] = {}
    for index, (name, prefix) in enumerate(entries):
        place = f"{where}[{index}]" if listed else f"{where}.{name}"
        if not isinstance(name, str) or name not in KNOWN:
            hint = did_you_mean(name, tuple(KNOWN)) if isinstance(name, str) else ""
            raise ConfigError(
                f"{place}: {name!r} is not a framework page (allowed: "
                f"{', '.join(KNOWN)}){hint}"
            )
        if name in pages:
            raise ConfigError(f"{place}: {name!r} is listed twice")
        if not listed:
            if KNOWN[name][0] is None:
                raise ConfigError(
                    f"{place}: {prefix!r} is not allowed: {name} covers every "
                    "path (its pages answer any URL); list it without a prefix"
                )
            prefix = path_prefix(place, prefix)
        pages[name] = Page(name, None if prefix is None else str(prefix))
    return tuple(pages.values())


def app_prefix(name: str, app: object) -> str | None:
    """The page's prefix as the app sets it (FastAPI's ``docs_url``), or ``None``."""
    prefix_of = KNOWN[name][1]
    if prefix_of is None or app is None:
        return None
    prefix = prefix_of(_fastapi(name, app))
    if prefix is None:
        raise ConfigError(
            f"framework_pages.{name}: the app turned this page off "
            f"({'docs_url' if name == 'fastapi_docs' else 'redoc_url'}=None); "
            "remove it from framework_pages"
        )
    return prefix


def _fastapi(name: str, app: object) -> Any:
    """The FastAPI app inside ``app`` (through ``.app`` of other middleware)."""
    _require(name, "fastapi", "fastapi")
    from fastapi import FastAPI

    if app is None:  # show and audit: a FastAPI() with its default settings
        return FastAPI()
    found: object = app
    for _ in range(16):
        if isinstance(found, FastAPI):
            return found
        found = getattr(found, "app", None)
    raise ConfigError(
        f"framework_pages.{name}: the wrapped app is not a FastAPI app "
        f"({type(app).__name__}), so its docs page cannot be read; wrap the "
        "FastAPI app itself (its settings decide the page's hashes)"
    )


def _root_paths(api: Any) -> tuple[str, ...]:
    # FastAPI puts the request's root_path before openapi_url: "" when served
    # at the top, and the app's own root_path when it sets one.
    return _unique(("", str(api.root_path or "").rstrip("/")))


def _require(name: str, module: str, package: str) -> None:
    try:
        importlib.import_module(module)
    except ImportError:
        raise ConfigError(
            f"framework_pages.{name}: {module} cannot be imported (pip install "
            f"{package}); remove {name} if the site does not use it"
        ) from None


def _package_file(name: str, module: str, package: str, relative: str) -> Path:
    _require(name, module, package)
    spec = importlib.import_module(module).__file__
    assert spec is not None  # a regular package has a file
    return Path(spec).parent / relative


def _template_hashes(path: Path) -> Iterable[Directive]:
    """Directive -> hashes of every inline block of a template that never varies."""
    blocks = find_blocks(str(path), path.read_text(encoding="utf-8"))
    found: dict[str, tuple[str, ...]] = {}
    for block in blocks:
        if block.source is None:
            continue
        sources = found.get(block.directive, ())
        if block.kind in ATTRIBUTES and not sources:
            sources = ("'unsafe-hashes'",)
        found[block.directive] = _unique(sources + (block.source,))
    return found.items()


def _page_sources(pages: Iterable[bytes]) -> tuple[Directive, ...]:
    """The hashes of a page's inline blocks and the exact URLs it loads."""
    found: dict[str, tuple[str, ...]] = {}
    for page in pages:
        html = page.decode("utf-8")
        for block in find_blocks("page", html):
            if block.source is not None:
                found[block.directive] = _unique(
                    found.get(block.directive, ()) + (block.source,)
                )
        loads = _Loads()
        loads.feed(html)
        for directive, url in loads.urls:
            found[directive] = _unique(found.get(directive, ()) + (url,))
    return tuple(found.items())


class _Loads(HTMLParser):
    """The absolute URLs a page's tags load: scripts, stylesheets, icons."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        rel = (names.get("rel") or "").lower().split()
        if tag == "script" and names.get("src"):
            self._add("script-src", names["src"])
        elif tag == "link" and "stylesheet" in rel:
            self._add("style-src", names.get("href"))
        elif tag == "link" and "icon" in rel:
            self._add("img-src", names.get("href"))

    def _add(self, directive: str, url: str | None) -> None:
        # A relative URL is the site's own: 'self' covers it already. The
        # query is left out: CSP matches a source's path, never its query.
        if url and url.startswith("https://"):
            self.urls.append((directive, url.split("?", 1)[0]))


def _unique(sources: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(sources))
