"""X-Frame-Options: for browsers that do not know CSP frame-ancestors."""

from __future__ import annotations

from ..config import Config, Sources
from ..config.csp_policy import csp_directives, frame_ancestors


def x_frame_options_value(config: Config) -> str | None:
    """Explicit, or for browsers without frame-ancestors, derived from it.

    The frame-ancestors the CSP sends: ``'none'`` gives ``DENY``, exactly
    ``'self'`` gives ``SAMEORIGIN``; anything else has no X-Frame-Options spelling.
    With ``csp_header: false`` there is no CSP to carry it, and X-Frame-Options
    alone says what ``csp_frame_ancestors`` asks for.
    """
    if isinstance(config.x_frame_options, str):
        return config.x_frame_options
    if config.x_frame_options is False or config.csp_report_only:
        return None  # a report-only frame-ancestors enforces nothing: neither do we
    if config.csp_header is False:
        ancestors = frame_ancestors(config)
    else:
        ancestors = dict(csp_directives(config) or ()).get("frame-ancestors")
    return frame_options_for(ancestors)


def frame_options_for(ancestors: Sources | None) -> str | None:
    """The X-Frame-Options spelling of a frame-ancestors, if it has one.

    >>> frame_options_for(("'none'",)), frame_options_for(("https://a.example",))
    ('DENY', None)
    """
    return _SPELLINGS.get(ancestors or ())


_SPELLINGS: dict[Sources, str] = {("'none'",): "DENY", ("'self'",): "SAMEORIGIN"}
