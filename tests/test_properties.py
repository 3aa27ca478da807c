"""Property tests: whatever the config or the cookie, the output stays well-formed."""

from __future__ import annotations

import re
import warnings
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secheaders_wsgi import ConfigError, SecurityWarning, load_config
from secheaders_wsgi.config.csp_grammar import KEYWORDS, KNOWN_DIRECTIVES
from secheaders_wsgi.policy import csp_directives, headers
from tests.support import csp_of, served

_TOKEN = re.compile(r"[A-Za-z0-9-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

# Mostly valid pieces, with enough junk mixed in to reach every error path.
valid_sources = st.one_of(
    st.sampled_from(
        [
            *KEYWORDS,
            "https:",
            "data:",
            "*",
            "*.example.com",
            "https://a.example:8443/p/",
        ]
    ),
    st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,8}){0,2}", fullmatch=True),
)
sources = st.one_of(valid_sources, valid_sources, st.text(max_size=12))
valid_lists = st.lists(valid_sources.filter(lambda s: s != "'none'"), max_size=4)
source_lists = st.one_of(valid_lists, st.lists(sources, max_size=4))
directive_names = st.one_of(
    st.sampled_from([d for d in KNOWN_DIRECTIVES if "src" in d]),
    st.sampled_from(KNOWN_DIRECTIVES),
    st.text(min_size=1, max_size=12),
)
directive_values = st.one_of(
    valid_lists,
    valid_lists.map(" ".join),
    source_lists,
    st.none(),
    st.integers(),
)
junk_configs = st.fixed_dictionaries(
    {},
    optional={
        "server_secured": st.one_of(st.booleans(), st.sampled_from(["false", 1])),
        "hsts_header": st.one_of(
            st.booleans(),
            st.sampled_from(["max-age=60", "max-age=1; preload", "nope"]),
            st.text(max_size=20),
        ),
        "csp_header": st.one_of(
            st.booleans(),
            st.dictionaries(directive_names, directive_values, max_size=6),
        ),
        "csp_safe_src": source_lists,
        "csp_unsafe_inline": st.booleans(),
        "csp_unsafe_eval": st.booleans(),
        "csp_frame_ancestors": st.one_of(st.booleans(), source_lists),
        "referrer_policy": st.one_of(
            st.booleans(),
            st.sampled_from(["no-referrer", "origin, unsafe-url", "bogus"]),
            st.text(max_size=20),
        ),
        "debug": st.booleans(),
    },
)
# Valid by construction, so the output properties are exercised on many policies.
fetch_names = st.sampled_from([d for d in KNOWN_DIRECTIVES if d.endswith("-src")])
hosts = st.sampled_from(["'self'", "https:", "*.example.com", "https://a.example/p/"])
valid_configs = st.fixed_dictionaries(
    {},
    optional={
        "server_secured": st.booleans(),
        "hsts_header": st.sampled_from([False, "max-age=60", "max-age=1; preload"]),
        "csp_header": st.one_of(
            st.booleans(),
            st.dictionaries(
                st.one_of(fetch_names, fetch_names.map(str.upper)),
                st.one_of(valid_lists, valid_lists.map(" ".join)),
                min_size=1,
                max_size=8,
            ),
        ),
        "csp_safe_src": valid_lists.filter(bool),
        "csp_unsafe_inline": st.booleans(),
        "csp_unsafe_eval": st.booleans(),
        "csp_frame_ancestors": st.one_of(st.booleans(), st.lists(hosts, max_size=3)),
        "referrer_policy": st.sampled_from(
            [False, "no-referrer", "origin, unsafe-url"]
        ),
        "debug": st.booleans(),
    },
)
# The other keys (headers, nonce, reporting, cookies), valid values and near
# misses, inside rules too.
other_keys = {
    "xss_protection": st.sampled_from([False, "0", "1; mode=block", 0, "2"]),
    "x_frame_options": st.sampled_from([False, "DENY", "sameorigin", "ALLOW-FROM x"]),
    "permissions_policy": st.sampled_from(
        [False, {"camera": []}, {"geolocation": ["self", "https://m.example"]}]
    ),
    "cross_origin_opener_policy": st.sampled_from([False, "same-origin", "nope"]),
    "cross_origin_resource_policy": st.sampled_from([False, "same-site"]),
    "origin_agent_cluster": st.booleans(),
    "x_dns_prefetch_control": st.sampled_from([True, False, "on", "maybe"]),
    "csp_nonce_directives": st.sampled_from([[], ["script-src"], ["img-src"]]),
    "csp_report_uri": st.sampled_from(["/r", "https://r.example/c", "http://x"]),
    "csp_report_only": st.booleans(),
    "cookie_samesite": st.sampled_from([False, "Lax", "Strict"]),
    "remove_headers": st.sampled_from([[], ["X-Powered-By", "Via"], ["bad name"]]),
}
rules = st.lists(
    st.fixed_dictionaries(
        {"prefix": st.sampled_from(["/a/", "/b", "/a/b/", "bad"])},
        optional={
            "csp_header": st.one_of(
                st.booleans(), st.fixed_dictionaries({"img-src": valid_lists})
            ),
            "csp_unsafe_inline": st.booleans(),
            **other_keys,
        },
    ),
    max_size=3,
)
layered_configs = st.builds(
    lambda core, other, paths, preset: {
        **core,
        **other,
        **({"paths": paths} if paths else {}),
        **({"preset": "strict"} if preset else {}),
    },
    valid_configs,
    st.fixed_dictionaries({}, optional=other_keys),
    rules,
    st.booleans(),
)
configs = st.one_of(junk_configs, valid_configs, layered_configs)


def _build(config: dict[str, Any]) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        return load_config(config)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_a_config_is_refused_or_gives_clean_headers(config: dict[str, Any]) -> None:
    try:
        loaded = _build(config)
    except ConfigError as exc:
        assert str(exc)
        return
    for each in (loaded, *(rule for _, rule in loaded.paths)):
        _check_headers(each)


def _check_headers(config: Any) -> None:
    for https in (True, False):
        for nonce in (None, "N0nce-_"):
            sent = headers(config, https=https, nonce=nonce)
            names = [name.lower() for name, _ in sent]
            assert len(names) == len(set(names)), f"a header twice: {names}"
            for name, value in sent:
                assert type(name) is str and type(value) is str
                value.encode("latin-1")
                assert not _CONTROL.search(name + value)
    directives = csp_directives(config)
    if directives is None:
        return
    names = [name for name, _ in directives]
    assert len(names) == len(set(names))
    assert all(_TOKEN.fullmatch(name) for name in names)
    sent_dict = dict(headers(config, https=True))
    value = sent_dict.get(
        "Content-Security-Policy", sent_dict.get("Content-Security-Policy-Report-Only")
    )
    assert value is not None
    parsed = csp_of(value)
    # What reporting adds (report-uri, report-to) is the only difference.
    extra = {k: v for k, v in parsed.items() if k not in dict(directives)}
    assert set(extra) <= {"report-uri", "report-to"}
    assert {k: v for k, v in parsed.items() if k not in extra} == {
        name: list(sources) for name, sources in directives
    }


cookie_names = st.from_regex(r"[A-Za-z0-9_]{1,10}", fullmatch=True)
cookie_values = st.from_regex(r"[A-Za-z0-9%._-]{0,12}", fullmatch=True)
attributes = st.lists(
    st.one_of(
        st.sampled_from(
            ["Path=/", "HttpOnly", "Max-Age=60", "Domain=example.com", "SameSite=Lax"]
        ),
        st.sampled_from(["secure", "Secure", "SECURE", " Secure ", "SeCuRe"]),
        st.from_regex(r"[A-Za-z-]{1,8}=[A-Za-z0-9/]{0,6}", fullmatch=True),
    ),
    max_size=5,
)
separators = st.sampled_from(["; ", ";", " ; ", ";  "])


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cookie_names, cookie_values, attributes, separators)
def test_set_cookie_keeps_everything_and_gains_secure_once(
    name: str, value: str, attrs: list[str], separator: str
) -> None:
    line = separator.join([f"{name}={value}", *attrs])
    response = served({"server_secured": True}, headers=[("Set-Cookie", line)]).get("/")
    [sent] = [v for n, v in response.headerlist if n == "Set-Cookie"]
    had_secure = any(a.strip().lower() == "secure" for a in attrs)
    assert sent == (line if had_secure else line + "; Secure")
    parts = [p.strip().lower() for p in sent.split(";")[1:]]
    assert parts.count("secure") == max(
        1, [a.strip().lower() for a in attrs].count("secure")
    )


@given(
    st.one_of(
        st.text(max_size=40),
        st.from_regex(
            r"[a-z]{1,6}=[a-z0-9]{0,6}(; ?[A-Za-z]{1,8}(=[A-Za-z]{1,5})?){0,3}[ ;\t]?",
            fullmatch=True,
        ),
    )
)
def test_the_secure_only_rewrite_function_rewrites_as_the_rewrite_does(
    value: str,
) -> None:
    # server_secured alone takes a shortcut built at start-up; every cookie
    # must come out as the general rewrite makes it.
    from secheaders_wsgi.request.cookies import CookieRewrite

    rewrite = CookieRewrite(secure=True)
    assert rewrite.function() is not rewrite
    assert rewrite.function()(value) == rewrite(value)
    if value.isascii():  # as ASGI carries it: bytes
        assert rewrite.bytes_function()(value.encode()) == rewrite(value).encode()
