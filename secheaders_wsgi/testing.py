"""Check your pages' security headers in your own test suite.

Use it where your tests already get a response from your app::

    from secheaders_wsgi.testing import assert_secure_headers

    def test_home_page(client):
        assert_secure_headers(client.get("/"), "security.yaml")

It takes the response of WebTest, Werkzeug's and Flask's test client, httpx
and Starlette's ``TestClient`` (ASGI), or Django's test ``Client`` and
``AsyncClient`` (through :class:`secheaders_wsgi.django.SecureHeadersMiddleware`
or a wrapped ``wsgi.py``), and raises :class:`AssertionError` listing every
problem, each naming the header, the value and the fix:

- a ``Content-Security-Policy`` with ``'unsafe-inline'`` or ``'unsafe-eval'``
  in a directive where the config's policy for that response has none (the
  app's own header, another library's, or a view's change, won over ours);
- a ``nonce="..."`` in the page that is not the nonce of the response's
  policy, or a nonced page whose policy carries no nonce where the config's
  would (a cached page, another library's nonce, a template variable that
  rendered empty);
- ``Strict-Transport-Security`` missing from an https response whose config
  sends it;
- any other header the config sends, missing.

"The config's policy for that response" is what the middleware sends for the
request's path (its ``paths`` rule or framework page) and scheme, with the
named ``overrides`` a view used. The scheme is decided as the middleware
decides it: the request's own (Django's ``request.scheme``), https for every
request under ``server_secured``, or a trusted proxy's ``X-Forwarded-Proto``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from .config import Config, ConfigSource, load_config
from .config.csp_grammar import effective
from .inline.markup import scan
from .plan import MARK, Plan, Side
from .request.paths import PrefixTable
from .rollout.advice import policy_directives
from .variants import Variants

__all__ = ["assert_secure_headers", "header_problems"]

_POLICIES = ("content-security-policy", "content-security-policy-report-only")
_UNSAFE = ("'unsafe-inline'", "'unsafe-eval'")
_HSTS = "strict-transport-security"
_NONCE_SOURCE = re.compile(r"'nonce-([^']*)'", re.IGNORECASE)


def assert_secure_headers(
    response: Any,
    config: ConfigSource | Any,
    *,
    path: str | None = None,
    https: bool | None = None,
    overrides: Sequence[str] = (),
    dropped: Iterable[str] = (),
) -> None:
    """Raise :class:`AssertionError` unless ``response`` has the headers
    ``config`` sends for it.

    ``config``: what the app's middleware was given (a mapping, a YAML path),
    or the middleware itself (its ``.config`` is used: needed for FastAPI's
    ``framework_pages``, whose hashes come from the app). ``path`` and
    ``https``: the request's, when the response cannot tell (they are read
    from the response's request otherwise). ``overrides``: the named overrides
    the view used (``use_override``, ``@override``), in order. ``dropped``:
    headers the view leaves out on purpose (``drop_headers``, ``@omit_headers``).

    >>> from webtest import TestApp
    >>> from secheaders_wsgi import SecureHeaders
    >>> def page(environ, start_response):
    ...     own = ("Content-Security-Policy", "script-src 'self' 'unsafe-inline'")
    ...     start_response("200 OK", [("Content-Type", "text/html"), own])
    ...     return [b"<p>hi</p>"]
    >>> config = {"preset": "strict", "server_secured": True}
    >>> response = TestApp(SecureHeaders(page, config)).get("/")
    >>> assert_secure_headers(response, config)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    AssertionError: 1 problem with the security headers of / (https, the top level):
    - Content-Security-Policy: script-src has 'unsafe-inline', ...
    """
    seen, expected, problems = _check(response, config, path, https, overrides, dropped)
    if problems:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        raise AssertionError(
            f"{count} with the security headers of {seen.shown_path} "
            f"({'https' if expected.https else 'http'}, {expected.plan.where}):\n"
            + "\n".join(f"- {problem}" for problem in problems)
        )


def header_problems(
    response: Any,
    config: ConfigSource | Any,
    *,
    path: str | None = None,
    https: bool | None = None,
    overrides: Sequence[str] = (),
    dropped: Iterable[str] = (),
) -> list[str]:
    """What :func:`assert_secure_headers` reports, as a list (empty: none)."""
    return _check(response, config, path, https, overrides, dropped)[2]


def _check(
    response: Any,
    config: ConfigSource | Any,
    path: str | None,
    https: bool | None,
    overrides: Sequence[str],
    dropped: Iterable[str],
) -> tuple[_Seen, _Expected, list[str]]:
    seen = _Seen.of(response, path)
    expected = _Expected.of(_config(config), seen, https, overrides)
    present = {name.lower() for name, _ in seen.headers}
    present |= {name.lower() for name in dropped}
    missing = [name for name in expected.required if name not in present]
    if missing and len(missing) == len(expected.required):
        return seen, expected, [_none_sent(expected)]  # one message, not each
    problems = [*_unsafe(seen, expected), *_nonces(seen, expected)]
    problems += [_missing_one(expected, name) for name in missing]
    return seen, expected, problems


def _config(source: ConfigSource | Any) -> Config:
    # The middleware itself (WSGI, ASGI, Django's): its config, bound to the app.
    own = getattr(source, "config", None)
    return load_config(own if isinstance(own, Config) else source)


@dataclass(frozen=True)
class _Seen:
    """What a test client's response tells: headers, body, path, scheme."""

    headers: list[tuple[str, str]]
    body: str | None
    #: PEP 3333's spelling (the UTF-8 bytes as latin-1), as the paths table
    #: matches it; ``shown_path`` as a browser shows it.
    path: str
    shown_path: str
    #: The request's scheme as the client sent it, or as the app saw it
    #: (Django's ``request.scheme``); the config's rules come on top.
    scheme: str | None
    request_header: Callable[[str], str | None]

    @classmethod
    def of(cls, response: Any, path: str | None) -> _Seen:
        headers, body = _headers_and_body(response)
        scheme: str | None = None
        seen_path: str | None = None
        header: Callable[[str], str | None] = _no_header
        # Django's test clients keep the request the view got.
        django = getattr(response, "wsgi_request", None) or getattr(
            response, "asgi_request", None
        )
        request = _request_of(response) if django is None else None
        environ = getattr(request, "environ", None)
        if django is not None:
            seen_path, scheme = django.path_info, django.scheme
            header = django.headers.get
        elif isinstance(environ, dict):  # WebTest, Werkzeug
            seen_path = _shown(str(environ.get("PATH_INFO", "")))
            scheme = str(environ.get("wsgi.url_scheme", "http"))
            header = _environ_header(environ)
        elif request is not None and hasattr(request, "url"):  # httpx
            url = urlsplit(str(request.url))
            seen_path, scheme = unquote(url.path) or "/", url.scheme
            header = request.headers.get
        shown = path if path is not None else seen_path
        if shown is None:
            raise TypeError(
                f"cannot tell which request a {type(response).__name__} answered: "
                "pass path= (and https=) to assert_secure_headers"
            )
        return cls(
            headers=headers,
            body=body,
            path=shown.encode("utf-8").decode("latin-1"),
            shown_path=shown,
            scheme=scheme,
            request_header=header,
        )


def _no_header(name: str) -> str | None:
    return None


def _environ_header(environ: dict[str, Any]) -> Callable[[str], str | None]:
    def header(name: str) -> str | None:
        value = environ.get("HTTP_" + name.upper().replace("-", "_"))
        return None if value is None else str(value)

    return header


def _request_of(response: Any) -> Any:
    try:
        return getattr(response, "request", None)
    except RuntimeError:  # an httpx.Response made without a request
        return None


def _headers_and_body(response: Any) -> tuple[list[tuple[str, str]], str | None]:
    if hasattr(response, "headerlist"):  # WebTest
        headers = list(response.headerlist)
        raw = response.body
    elif hasattr(response, "get_data"):  # Werkzeug, Flask
        headers = response.headers.to_wsgi_list()
        raw = response.get_data()
    elif hasattr(getattr(response, "headers", None), "multi_items"):  # httpx
        headers = response.headers.multi_items()
        raw = response.content
    elif hasattr(response, "items") and hasattr(response, "cookies"):  # Django
        headers = list(response.items())  # one value a name; cookies aside
        raw = None if getattr(response, "streaming", False) else response.content
    else:
        raise TypeError(
            f"cannot read the headers of a {type(response).__name__}: pass the "
            "response of WebTest, Werkzeug's or Flask's test client, httpx or "
            "Starlette's TestClient, or Django's test Client"
        )
    kind = next((v for n, v in headers if n.lower() == "content-type"), "")
    if raw is None or "html" not in kind.lower():
        return headers, None
    charset = kind.lower().partition("charset=")[2].split(";")[0].strip()
    return headers, raw.decode(charset or "utf-8", errors="replace")


def _shown(path_info: str) -> str:
    # PATH_INFO holds the bytes as latin-1 (PEP 3333): show them as typed.
    return path_info.encode("latin-1").decode("utf-8", errors="replace")


@dataclass(frozen=True)
class _Expected:
    """What the config sends for this response: the side and its plan."""

    plan: Plan
    https: bool
    side: Side
    #: Lower-case names of the headers every response of the side carries
    #: (a sampled report header is on only some).
    required: dict[str, str]

    @classmethod
    def of(
        cls, config: Config, seen: _Seen, https: bool | None, overrides: Sequence[str]
    ) -> _Expected:
        top = Plan.build(config)
        rules = PrefixTable((prefix, (prefix, rule)) for prefix, rule in config.paths)
        found = rules.longest(seen.path)
        plan = (
            top if found is None else Plan.build(found[1], f"paths rule {found[0]!r}")
        )
        variants = Variants(config, top)
        for name in overrides:
            plan = variants.plan(plan, variants.check(name))
        if https is None:
            https = _https(plan.config, seen)
        side = plan.https if https else plan.http
        required = {name.lower(): value for name, value in side.headers}
        if side.unsampled is not None:
            sometimes = required.keys() - {n.lower() for n, _ in side.unsampled.headers}
            for name in sometimes:
                del required[name]
        return cls(plan, https, side, required)

    def value(self, name: str) -> str | None:
        """Our value of header ``name`` (lower-case) on this side, if any."""
        return next((v for n, v in self.side.headers if n.lower() == name), None)

    def spelt(self, name: str) -> str:
        """Header ``name`` (lower-case, one of ours) as the config spells it."""
        return next(n for n, _ in self.side.headers if n.lower() == name)

    @property
    def takes_nonce(self) -> bool:
        return any(MARK in value for _, value in self.side.marked)


def _https(config: Config, seen: _Seen) -> bool:
    # What the core decides: server_secured makes every request https; a
    # trusted proxy's X-Forwarded-Proto is believed.
    if seen.scheme == "https" or config.server_secured:
        return True
    count = config.trusted_proxies
    if count:  # as ProxyFix reads it: the count-th value from the right
        values = (seen.request_header("x-forwarded-proto") or "").split(",")
        return len(values) >= count and values[-count].strip() == "https"
    return False


def _policy(value: str) -> dict[str, tuple[str, ...]]:
    # Keywords are compared without case, as browsers do.
    return {
        name: tuple(source.lower() for source in sources)
        for name, sources in policy_directives(value).items()
    }


def _unsafe(seen: _Seen, expected: _Expected) -> Iterable[str]:
    for sent_as, value in seen.headers:
        name = sent_as.lower()
        ours = expected.value(name)
        if name not in _POLICIES or ours is None:
            continue  # the config sends no such policy: nothing to hold it to
        name = expected.spelt(name)  # ASGI sends names lower-case
        allowed = _policy(ours)
        for directive, sources in _policy(value).items():
            config_sources = effective(allowed, directive) or ()
            for keyword in _UNSAFE:
                if keyword in sources and keyword not in config_sources:
                    yield (
                        f"{name}: {directive} has {keyword}, which the config "
                        f"does not allow there (its {directive}: "
                        f"{' '.join(config_sources) or 'none'}). The policy is "
                        "not the config's: the app, another library "
                        "(django-csp, Django's SECURE_CSP, Flask-Talisman) or a "
                        "view's update_csp set it, and an app's own header wins "
                        f"over ours. Remove that, or list {name} in "
                        "remove_headers so that ours is sent"
                    )


def _nonces(seen: _Seen, expected: _Expected) -> Iterable[str]:
    if seen.body is None:
        return
    sent = {
        nonce
        for name, value in seen.headers
        if name.lower() in _POLICIES
        for nonce in _NONCE_SOURCE.findall(value)
    }
    reported: set[str] = set()
    for element in scan(seen.body).elements:
        nonce = dict(element.attributes).get("nonce")
        if nonce is None or nonce in sent or nonce in reported:
            continue
        if not sent and not expected.takes_nonce:
            return  # 'unsafe-inline' is in force: the policy takes no nonce
        reported.add(nonce)
        tag = f'<{element.name} nonce="{nonce}"> (line {element.line})'
        if nonce == "":
            why = (
                "its nonce is empty: the template's nonce variable rendered as "
                "nothing (Django: list secheaders_wsgi.django.nonce in "
                "context_processors, or use request.csp_nonce; Flask: "
                "{{ csp_nonce() }}, with the parentheses)"
            )
        elif sent:
            why = (
                f"the response's policy has 'nonce-{sorted(sent)[0]}', so the "
                "browser refuses it: the nonce must be this response's "
                "(csp_nonce(environ or scope), {{ csp_nonce() }} in Flask, "
                "{{ csp_nonce }} in Django), not a cached page's or another "
                "library's"
            )
        else:
            why = (
                "the response's Content-Security-Policy carries no nonce, so "
                "the browser refuses it: the nonce did not come from "
                "secheaders_wsgi for this response (csp_nonce(environ or "
                "scope), {{ csp_nonce() }} in Flask, {{ csp_nonce }} in "
                "Django), or the app sent its own policy"
            )
        yield f"{tag}: {why}"


def _none_sent(expected: _Expected) -> str:
    names = ", ".join(n for n, _ in expected.side.headers)
    return (
        f"none of the headers the config sends are on the response ({names}): "
        "the app is not wrapped, or the client goes around the wrapper. Flask: "
        "init_app(app, config) (SecureHeaders(app) is skipped by "
        "app.test_client()); Django: 'secheaders_wsgi.django."
        "SecureHeadersMiddleware' first in MIDDLEWARE (the test Client does "
        "not go through wsgi.py); ASGI: secheaders_wsgi.asgi.SecureHeaders("
        "app, config), outermost"
    )


def _missing_one(expected: _Expected, name: str) -> str:
    spelt = expected.spelt(name)
    value = expected.required[name]
    if name == _HSTS:
        return (
            f"{spelt} is missing from an https response; the config sends "
            f"{value!r}. Another layer dropped it, or the request became https "
            "only after our middleware ran (ProxyFix inside it, Django's "
            "SECURE_PROXY_SSL_HEADER): tell the config how TLS reaches the "
            "app, with server_secured: true or trusted_proxies: N"
        )
    return (
        f"{spelt} is missing; the config sends {value!r}. Another layer "
        "dropped it; if the view leaves it out on purpose (drop_headers, "
        f"@omit_headers), pass dropped=[{spelt!r}]"
    )
