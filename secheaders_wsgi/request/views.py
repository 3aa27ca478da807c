"""What the Flask and Django view decorators share: a change, and a view wrapper.

A decorator's arguments are checked when the module is imported, with the
config's grammar and messages (a bad directive fails at start-up, not on the
first request), and frozen (a generator of sources would otherwise be used up
by the first request). The change itself is made on each request, before the
view runs, by the public calls (:func:`~secheaders_wsgi.use_override` and
friends); only an override's name waits for the request, since only the
running config knows it. Each framework passes its own way to the environ.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ..config.overrides import csp_change, header_names, override_name
from .response import csp_replace, csp_update, omit_headers, use_override

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

__all__ = [
    "Change",
    "csp_view_change",
    "omit_change",
    "override_change",
    "wrap_view",
]

#: What one decorator does to a response: one public call on the request's environ.
Change = Callable[["WSGIEnvironment"], None]
#: How a framework finds the environ from the view's positional arguments.
EnvironOf = Callable[[tuple[Any, ...]], "WSGIEnvironment"]

View = TypeVar("View", bound=Callable[..., Any])


def _without_arguments(name: str, value: object, example: str) -> None:
    # `@override` without the call passes the view itself as the argument: say
    # so, rather than that a function is not a mapping.
    if callable(value):
        raise TypeError(
            f"{name}() was used without its arguments: write @{name}({example}), "
            f"not @{name}"
        )


def override_change(name: object) -> Change:
    """``use_override(environ, name)``; the name's spelling is checked now."""
    _without_arguments("override", name, '"embed"')
    checked = override_name("override", name)
    return lambda environ: use_override(environ, checked)


def csp_view_change(replace: bool, directives: object, report_only: bool) -> Change:
    """``csp_update`` (or with ``replace``, ``csp_replace``), checked now."""
    name = "csp_replace" if replace else "csp_update"
    _without_arguments(name, directives, '{"img-src": ["https://cdn.example"]}')
    frozen = dict(csp_change(name, directives, allow_none=replace))
    if replace:
        return lambda environ: csp_replace(environ, frozen, report_only=report_only)
    # csp_change refused None above: every value is a tuple of sources.
    sources = {key: value or () for key, value in frozen.items()}
    return lambda environ: csp_update(environ, sources, report_only=report_only)


def omit_change(names: tuple[object, ...]) -> Change:
    """``omit_headers(environ, *names)``, the names checked now."""
    if len(names) == 1:
        _without_arguments("omit_headers", names[0], '"X-Frame-Options"')
    header_names("omit_headers", names)
    checked = cast(tuple[str, ...], names)
    return lambda environ: omit_headers(environ, *checked)


def wrap_view(view: View, change: Change, environ_of: EnvironOf) -> View:
    """``view``, making ``change`` before it runs; an async view stays async.

    Stacked decorators make their changes top to bottom, the order they read in.
    """
    if inspect.iscoroutinefunction(view) or _marked_coroutine(view):

        @functools.wraps(view)
        async def async_view(*args: Any, **kwargs: Any) -> Any:
            change(environ_of(args))
            return await view(*args, **kwargs)

        return cast(View, async_view)

    @functools.wraps(view)
    def sync_view(*args: Any, **kwargs: Any) -> Any:
        change(environ_of(args))
        return view(*args, **kwargs)

    return cast(View, sync_view)


def _marked_coroutine(view: object) -> bool:
    # Django marks sync callables that return a coroutine (an async class-based
    # view's as_view(), method_decorator's wrapper) with asgiref's marker.
    try:
        from asgiref.sync import iscoroutinefunction
    except ImportError:  # no asgiref: nothing can have marked it
        return False
    return iscoroutinefunction(view)
