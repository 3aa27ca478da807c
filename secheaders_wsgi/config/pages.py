"""``framework_pages``: the pages a framework ships work under every preset.

The Django admin, Django REST framework's browsable API, FastAPI's ``/docs``
and ``/redoc``, and Django's debug pages were written before strict policies:
their ``<script src>`` tags carry no nonce (refused under ``'strict-dynamic'``),
and some have inline blocks or load from a CDN. Each name turns on a rule for
its prefix that changes **only that path's Content-Security-Policy**, and only
as much as the page needs (:mod:`.frameworks` reads what from the framework at
start-up): every other header of the path stays the site's, and every other
path keeps the site's policy.

    framework_pages: [django_admin, fastapi_docs]       # the default prefixes
    framework_pages: {django_admin: /backoffice/}       # or your own

A page's rule is one more ``paths`` entry, built on what its path gets without
it (the top level, or the ``paths`` rule covering it); a ``paths`` rule at or
under its prefix gets the page's needs too. ``django_debug`` has no prefix:
Django's debug pages answer any URL, so its hashes go into every policy.
"""

from __future__ import annotations

from dataclasses import replace

from .csp_grammar import SAFE_SRC, effective
from .csp_policy import csp_directives
from .frameworks import KNOWN, Needs, Page, app_prefix
from .model import Config
from .presets import default_policy
from .values import Directive, Sources, normalize_prefix


def with_pages(config: Config, app: object = None) -> Config:
    """``config`` with each of its ``framework_pages`` merged into ``paths``.

    ``app``: the wrapped application, for the pages that read its settings
    (FastAPI's); ``None`` reads a default app (``show`` and ``audit``).
    """
    resolved = []
    paths = dict(config.paths)
    top = config
    # Shorter prefixes first: a page under another page's prefix builds on it.
    pages = sorted(config.framework_pages, key=lambda page: _depth(_prefix(page, app)))
    for page in pages:
        needs = KNOWN[page.name][2](app)
        prefix = _prefix(page, app)
        if prefix is None:
            top = relaxed(top, needs)
            paths = {p: relaxed(rule, needs) for p, rule in paths.items()}
            resolved.append(Page(page.name, None))
            continue
        key = normalize_prefix(prefix)
        same = next((p for p in paths if normalize_prefix(p) == key), None)
        for p in paths:
            if _under(normalize_prefix(p), key):
                paths[p] = relaxed(paths[p], needs)
        if same is None:
            paths[prefix] = relaxed(_covering(top, paths, key), needs)
        resolved.append(Page(page.name, prefix, same is None))
    return replace(top, paths=tuple(paths.items()), framework_pages=tuple(resolved))


def reads_app(config: Config) -> bool:
    """Whether one of the config's pages reads the wrapped app's settings."""
    return any(KNOWN[page.name][1] is not None for page in config.framework_pages)


def relaxed(config: Config, needs: Needs) -> Config:
    """``config`` whose policy lets a page with ``needs`` work; nothing else changes.

    Hashes are added only where inline code is restricted: beside
    'unsafe-inline' a hash would switch it off and break the rest of the page.
    """
    if config.csp_header is False:
        return config
    raw = dict(_policy(config))
    sent = dict(csp_directives(config) or ())
    if needs.hosts:
        script = effective(raw, "script-src") or ()
        kept = tuple(s for s in script if s not in ("'strict-dynamic'", "'none'"))
        raw["script-src"] = _unique((SAFE_SRC, *kept))
    for directive, added in needs.sources:
        base = effective(sent, directive)
        if base is None:
            continue  # the policy does not restrict this kind at all
        if "'unsafe-inline'" in base and not any(_is_inline(s) for s in base):
            added = tuple(s for s in added if not _is_inline(s))
            if directive.endswith("-attr") or not added:
                continue
        current = raw.get(directive)
        if current is None:
            current = () if directive.endswith("-attr") else effective(raw, directive)
        kept = tuple(s for s in current or () if s != "'none'")
        if "'unsafe-inline'" in added:  # a hash beside it would switch it off
            kept = tuple(s for s in kept if not _is_inline(s))
        raw[directive] = _unique((*kept, *added))
    return replace(config, csp_header=tuple(raw.items()))


def _policy(config: Config) -> tuple[Directive, ...]:
    """The config's policy as written ('safe-src' kept), the default spelt out."""
    if config.csp_header is True:
        return default_policy(config.server_secured)
    assert isinstance(config.csp_header, tuple)
    return config.csp_header


def _is_inline(source: str) -> bool:
    return source.startswith(("'sha", "'nonce-")) or source == "'unsafe-hashes'"


def _prefix(page: Page, app: object) -> str | None:
    return page.prefix or app_prefix(page.name, app) or KNOWN[page.name][0]


def _depth(prefix: str | None) -> int:
    return -1 if prefix is None else len(normalize_prefix(prefix))


def _under(path: str, prefix: str) -> bool:
    return prefix == "/" or path == prefix or path.startswith(prefix + "/")


def _covering(top: Config, paths: dict[str, Config], key: str) -> Config:
    """What a path at ``key`` gets from the rules: the longest one covering it."""
    covering = [p for p in paths if _under(key, normalize_prefix(p))]
    if not covering:
        return top
    return paths[max(covering, key=lambda p: len(normalize_prefix(p)))]


def _unique(sources: tuple[str, ...]) -> Sources:
    return tuple(dict.fromkeys(sources))
