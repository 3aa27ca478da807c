"""The view decorators of the Flask and Django helpers, made once for both.

:func:`decorators` makes ``override``, ``csp_update``, ``csp_replace`` and
``omit_headers`` for a framework, given how it finds the request's environ (or
scope) from a view's arguments. A decorator's arguments are checked when the
module is imported, with the config's grammar and messages (a bad directive
fails at start-up, not on the first request), and frozen (a generator of
sources would otherwise be used up by the first request). The change itself is
made on each request, before the view runs, by the core's calls
(:func:`~secheaders_wsgi.use_override` and the others); only an override's
name waits for the request, since only the running config knows it.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from typing import Any, NamedTuple, TypeVar, cast

from .config.overrides import csp_change, header_names, override_name
from .response import drop_headers, replace_csp, update_csp, use_override

__all__ = ["Decorators", "decorators"]

Carrier = MutableMapping[str, Any]
#: How a framework finds the environ (or scope) from the view's positional arguments.
CarrierOf = Callable[[tuple[Any, ...]], Carrier]
#: What one decorator does to a response: one call of the core on the carrier.
Change = Callable[[Carrier], None]

View = TypeVar("View", bound=Callable[..., Any])
Decorator = Callable[[View], View]


class Decorators(NamedTuple):
    """The four view decorators of one framework."""

    override: Callable[[str], Decorator[Any]]
    csp_update: Callable[..., Decorator[Any]]
    csp_replace: Callable[..., Decorator[Any]]
    omit_headers: Callable[..., Decorator[Any]]


def decorators(carrier_of: CarrierOf) -> Decorators:
    """The decorators for a framework whose views reach the request through
    ``carrier_of(args)``."""

    def override(name: str) -> Decorator[View]:
        """Give this view's responses the config's named override ``name``.

        ``use_override(environ, name)`` before the view runs; an unknown name
        raises :class:`~secheaders_wsgi.ConfigError` with a did-you-mean.
        """
        _without_arguments("override", name, '"embed"')
        checked = override_name("override", name)
        return _decorator(lambda carrier: use_override(carrier, checked), carrier_of)

    def csp_update(
        directives: Mapping[str, Iterable[str] | str], *, report_only: bool = False
    ) -> Decorator[View]:
        """Add sources to this view's CSP: ``@csp_update({"img-src": [...]})``.

        Like django-csp's ``@csp_update``, but two of them on one directive
        both count. With ``report_only=True`` the report-only policy changes
        instead.
        """
        _without_arguments("csp_update", directives, _EXAMPLE)
        frozen = dict(csp_change("csp_update", directives, allow_none=False))
        # csp_change refused None above: every value is a tuple of sources.
        sources = {key: value or () for key, value in frozen.items()}
        return _decorator(
            lambda carrier: update_csp(carrier, sources, report_only=report_only),
            carrier_of,
        )

    def csp_replace(
        directives: Mapping[str, Iterable[str] | str | None],
        *,
        report_only: bool = False,
    ) -> Decorator[View]:
        """Replace directives of this view's CSP; ``None`` drops a directive.

        With ``report_only=True`` the report-only policy changes instead.
        """
        _without_arguments("csp_replace", directives, _EXAMPLE)
        frozen = dict(csp_change("csp_replace", directives, allow_none=True))
        return _decorator(
            lambda carrier: replace_csp(carrier, frozen, report_only=report_only),
            carrier_of,
        )

    def omit_headers(*names: str) -> Decorator[View]:
        """Send none of our headers by these names on this view's responses.

        A header the view sets itself is still sent.
        """
        if len(names) == 1:
            _without_arguments("omit_headers", names[0], '"X-Frame-Options"')
        header_names("omit_headers", names)
        return _decorator(lambda carrier: drop_headers(carrier, *names), carrier_of)

    return Decorators(override, csp_update, csp_replace, omit_headers)


_EXAMPLE = '{"img-src": ["https://cdn.example"]}'


def _without_arguments(name: str, value: object, example: str) -> None:
    # `@override` without the call passes the view itself as the argument: say
    # so, rather than that a function is not a mapping.
    if callable(value):
        raise TypeError(
            f"{name}() was used without its arguments: write @{name}({example}), "
            f"not @{name}"
        )


def _decorator(change: Change, carrier_of: CarrierOf) -> Decorator[View]:
    return lambda view: wrap_view(view, change, carrier_of)


def wrap_view(view: View, change: Change, carrier_of: CarrierOf) -> View:
    """``view``, making ``change`` before it runs; an async view stays async.

    Stacked decorators make their changes top to bottom, the order they read in.
    """
    if inspect.iscoroutinefunction(view) or _marked_coroutine(view):

        @functools.wraps(view)
        async def async_view(*args: Any, **kwargs: Any) -> Any:
            change(carrier_of(args))
            return await view(*args, **kwargs)

        return cast(View, async_view)

    @functools.wraps(view)
    def sync_view(*args: Any, **kwargs: Any) -> Any:
        change(carrier_of(args))
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
