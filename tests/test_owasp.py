"""The OWASP Secure Headers Project (OSHP): ``preset: strict`` meets its list,
``remove_headers: [owasp]`` strips its remove list, ``audit`` reports the gaps."""

from __future__ import annotations

import importlib.util
import re
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from wsgiref.validate import validator

import pytest
from webtest import TestApp

from secheaders_wsgi import ConfigError, SecureHeaders, load_config
from secheaders_wsgi.audit import audit
from secheaders_wsgi.config.owasp import SITE_WIDE_KEYS, lists
from secheaders_wsgi.config.permissions_grammar import FEATURES, OBSOLETE

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

STRICT = {"preset": "strict", "server_secured": True}

# What preset: strict sends over https, every header but the CSP exactly.
STRICT_PERMISSIONS = (
    "accelerometer=(), autoplay=(), camera=(), cross-origin-isolated=(), "
    "display-capture=(), encrypted-media=(), fullscreen=(), geolocation=(), "
    "gyroscope=(), keyboard-map=(), magnetometer=(), microphone=(), midi=(), "
    "payment=(), picture-in-picture=(), publickey-credentials-get=(), "
    "screen-wake-lock=(), sync-xhr=(), usb=(), xr-spatial-tracking=(), "
    "clipboard-read=(), clipboard-write=(), gamepad=(), hid=(), "
    "idle-detection=(), serial=()"
)
STRICT_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self' "
    "'strict-dynamic'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; form-action 'self'; object-src "
    "'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-XSS-Protection": "0",
    "Referrer-Policy": "same-origin",
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "Permissions-Policy": STRICT_PERMISSIONS,
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "X-Permitted-Cross-Domain-Policies": "none",
}
# On OSHP's Permissions-Policy but left out (the docs name them too): OSHP
# lists them, strict leaves them out: browsers log an error for the
# first, the second only stands in while Chrome removes the unload event, and
# Chromium on Linux (the browser these tests run) does not know the third.
RETIRED = {"interest-cohort", "unload", "web-share"}
# OSHP's CSP directives strict leaves out, and why (the docs say so too):
# block-all-mixed-content is obsolete (browsers block or upgrade mixed content
# themselves); upgrade-insecure-requests would upgrade the plain-http pages
# strict also serves, and strict's sources are 'self' only, so a page over https
# loads nothing over http anyway.
CSP_LEFT_OUT = {"block-all-mixed-content", "upgrade-insecure-requests"}


def _page(headers: list[tuple[str, str]], status: str = "200 OK") -> Any:
    def app(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        start_response(status, list(headers))
        return [b"<p>the body</p>"]

    return app


def _get(
    config: Any,
    headers: Iterable[tuple[str, str]] = (),
    lint_app: bool = True,
    **kw: Any,
) -> Any:
    app = _page([("Content-Type", "text/html"), *headers], **kw)
    # wsgiref's validator allows only letters, digits, - and _ in a name, so
    # it cannot check an app that sends OSHP's "$wsep"; the middleware's own
    # output is still checked.
    wrapped = validator(SecureHeaders(validator(app) if lint_app else app, config))
    return TestApp(wrapped).get("/", status="*")


def _csp(value: str) -> dict[str, set[str]]:
    return {
        words[0]: set(words[1:])
        for words in (part.split() for part in value.split(";"))
        if words
    }


def _permissions(value: str) -> dict[str, set[str]]:
    found = re.findall(r"([a-z-]+)=\(([^)]*)\)", value)
    return {feature: set(allow.split()) for feature, allow in found}


def _csp_at_least(oshp: str, ours: str) -> bool:
    theirs, mine = _csp(oshp), _csp(ours)
    for name, sources in theirs.items():
        if name in CSP_LEFT_OUT:
            continue
        have = mine.get(
            name, mine.get("default-src") if name.endswith("-src") else None
        )
        # 'none' allows nothing; otherwise ours may only allow less.
        if have is None or not (have == {"'none'"} or have <= sources):
            return False
    return True


def _hsts_at_least(oshp: str, ours: str) -> bool:
    def max_age(value: str) -> int:
        return int(re.search(r"max-age=(\d+)", value).group(1))  # type: ignore[union-attr]

    return max_age(ours) >= max_age(oshp) and "includesubdomains" in ours.lower()


def _permissions_at_least(oshp: str, ours: str) -> bool:
    mine = _permissions(ours)
    return all(
        feature in mine and mine[feature] <= allow
        for feature, allow in _permissions(oshp).items()
        if feature not in RETIRED
    )


# Referrer policies that send nothing at all to another origin.
_NOTHING_CROSS_ORIGIN = {"no-referrer", "same-origin"}

AT_LEAST: dict[str, Callable[[str, str], bool]] = {
    "Content-Security-Policy": _csp_at_least,
    "Strict-Transport-Security": _hsts_at_least,
    "Permissions-Policy": _permissions_at_least,
    "Referrer-Policy": lambda oshp, ours: ours in _NOTHING_CROSS_ORIGIN,
}


def test_strict_sends_exactly_these_headers_over_https() -> None:
    response = _get(STRICT)

    sent = {name: response.headers[name] for name in STRICT_HEADERS}
    assert sent == STRICT_HEADERS


@pytest.mark.parametrize("name", sorted(SITE_WIDE_KEYS))
def test_strict_sends_each_oshp_header_with_its_value_or_stronger(name: str) -> None:
    oshp = dict(lists().add)[name]
    ours = _get(STRICT).headers.get(name)

    assert ours is not None, f"{name} is missing"
    same = ours.lower() == oshp.lower()
    assert same or AT_LEAST.get(name, lambda a, b: False)(oshp, ours), (oshp, ours)


def test_site_wide_headers_are_oshp_add_list_but_the_per_page_two() -> None:
    names = {name for name, _ in lists().add}

    assert set(SITE_WIDE_KEYS) == names - {"Cache-Control", "Clear-Site-Data"}
    assert len(SITE_WIDE_KEYS) == 10


def test_strict_denies_every_feature_on_oshp_list_browsers_still_know() -> None:
    oshp = set(_permissions(dict(lists().add)["Permissions-Policy"]))
    ours = _permissions(_get(STRICT).headers["Permissions-Policy"])

    assert set(ours) == oshp - RETIRED
    assert all(allow == set() for allow in ours.values())
    assert set(ours) <= set(FEATURES)
    assert RETIRED <= oshp and "interest-cohort" in OBSOLETE


@pytest.mark.parametrize(
    ("override", "name", "expected"),
    [
        pytest.param(
            {"permissions_policy": {"camera": ["self"]}},
            "Permissions-Policy",
            "camera=(self)",
            id="permissions_policy",
        ),
        pytest.param(
            {"permissions_policy": False}, "Permissions-Policy", None, id="pp-false"
        ),
        pytest.param(
            {"cross_origin_opener_policy": "same-origin-allow-popups"},
            "Cross-Origin-Opener-Policy",
            "same-origin-allow-popups",
            id="coop",
        ),
        pytest.param(
            {"cross_origin_embedder_policy": "credentialless"},
            "Cross-Origin-Embedder-Policy",
            "credentialless",
            id="coep",
        ),
        pytest.param(
            {"cross_origin_embedder_policy": False},
            "Cross-Origin-Embedder-Policy",
            None,
            id="coep-false",
        ),
        pytest.param(
            {"cross_origin_resource_policy": "same-site"},
            "Cross-Origin-Resource-Policy",
            "same-site",
            id="corp",
        ),
        pytest.param(
            {"x_permitted_cross_domain_policies": "master-only"},
            "X-Permitted-Cross-Domain-Policies",
            "master-only",
            id="x_permitted_cross_domain_policies",
        ),
        pytest.param(
            {"referrer_policy": "no-referrer"},
            "Referrer-Policy",
            "no-referrer",
            id="referrer_policy",
        ),
        pytest.param(
            {"referrer_policy": False}, "Referrer-Policy", None, id="referrer-false"
        ),
    ],
)
def test_every_key_beside_the_preset_overrides_it(
    override: dict[str, Any], name: str, expected: str | None
) -> None:
    headers = _get({**STRICT, **override}).headers

    assert headers.get(name) == expected
    # The override touches its own header only.
    others = {k: v for k, v in STRICT_HEADERS.items() if k != name}
    assert {k: headers[k] for k in others} == others


def test_strict_in_a_path_rule_sends_the_oshp_headers_there_only() -> None:
    config = {"paths": [{"prefix": "/account/", "preset": "strict"}]}
    app = SecureHeaders(_page([("Content-Type", "text/html")]), config)

    assert "Cross-Origin-Embedder-Policy" not in TestApp(app).get("/").headers
    account = TestApp(app).get("/account/").headers
    assert account["Cross-Origin-Embedder-Policy"] == "require-corp"
    assert account["Permissions-Policy"] == STRICT_PERMISSIONS


# Mozilla Observatory's scoring (developer.mozilla.org/en-US/observatory/docs/
# tests_and_scoring): the best result of each test it runs on headers, and the
# bonus it gives. 100 + bonuses >= 100 is an A+; any penalty would show here.
def _observatory_modifiers(headers: Any) -> dict[str, int]:
    csp = _csp(headers["Content-Security-Policy"])
    scripts = csp.get("script-src", csp["default-src"])
    styles = csp.get("style-src", csp["default-src"])
    unsafe = {"'unsafe-inline'", "'unsafe-eval'", "data:", "*", "http:", "https:"}
    hsts = headers.get("Strict-Transport-Security", "")
    found = {
        # csp-implemented-with-no-unsafe-default-src-none: +10
        "csp": 10
        if csp["default-src"] == {"'none'"} and not (scripts | styles) & unsafe
        else -25,
        # referrer-policy-private: +5
        "referrer": 5
        if headers.get("Referrer-Policy")
        in (
            "no-referrer",
            "same-origin",
            "strict-origin",
            "strict-origin-when-cross-origin",
        )
        else 0,
        # hsts-implemented-max-age-at-least-six-months: 0
        "hsts": 0
        if _hsts_at_least("max-age=15768000; includeSubDomains", hsts)
        else -20,
        # x-content-type-options-nosniff: 0
        "nosniff": 0 if headers.get("X-Content-Type-Options") == "nosniff" else -5,
        # x-frame-options-implemented-via-csp: +5
        "framing": 5 if csp.get("frame-ancestors") == {"'none'"} else -20,
        # corp-implemented-with-same-origin: 0 (cross-origin would be -5 ... )
        "corp": 0
        if headers.get("Cross-Origin-Resource-Policy") == "same-origin"
        else -5,
    }
    return found


def test_strict_keeps_the_top_observatory_grade() -> None:
    modifiers = _observatory_modifiers(_get(STRICT).headers)

    assert modifiers == {
        "csp": 10,
        "referrer": 5,
        "hsts": 0,
        "nosniff": 0,
        "framing": 5,
        "corp": 0,
    }
    assert 100 + sum(modifiers.values()) == 120  # A+ from 100 up


def test_strict_has_no_audit_finding_the_csp_evaluator_way() -> None:
    config = {**STRICT, "csp_report_path": "/_/csp-reports"}

    assert audit(load_config(config)) == ()


# remove_headers: [owasp]


def test_owasp_token_strips_every_name_on_the_list_and_nothing_else() -> None:
    leaks = lists().remove
    # Half in lower case: apps and servers spell header names as they like.
    sent = [(n.lower() if i % 2 else n, "leak") for i, n in enumerate(leaks)]
    own = [
        ("Set-Cookie", "a=1; Path=/"),
        ("Set-Cookie", "b=2; Path=/"),
        ("X-Request-Id", "r-42"),
        ("Cache-Control", "no-store"),
    ]

    response = _get(
        {"remove_headers": ["owasp"]},
        [*sent, *own],
        lint_app=False,
        status="201 Created",
    )

    names = {name.lower() for name, _ in response.headerlist}
    assert names.isdisjoint(n.lower() for n in leaks)
    assert [h for h in response.headerlist if h in own] == own
    assert response.headers["Content-Type"] == "text/html"
    assert (response.status, response.body) == ("201 Created", b"<p>the body</p>")


def test_without_the_token_the_list_goes_through() -> None:
    sent = [("X-AspNet-Version", "4.0"), ("X-Powered-By", "PHP")]

    response = _get({}, sent)

    assert response.headers["X-AspNet-Version"] == "4.0"
    assert "X-Powered-By" not in response.headers


def test_default_remove_headers_is_still_x_powered_by() -> None:
    assert load_config({}).remove_headers == ("X-Powered-By",)
    assert load_config(STRICT).remove_headers == ("X-Powered-By",)


def test_the_token_goes_beside_header_names_once_each() -> None:
    config = load_config({"remove_headers": ["X-Debug", "owasp", "x-powered-by"]})

    assert config.remove_headers[0] == "X-Debug"
    assert len(config.remove_headers) == len(lists().remove) + 1
    assert [n.lower() for n in config.remove_headers].count("x-powered-by") == 1


def test_the_token_names_server_without_the_server_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        config = load_config({"remove_headers": ["owasp"]})

    assert "Server" in config.remove_headers


def test_the_token_works_from_yaml(yaml_file: Any) -> None:
    config = load_config(yaml_file("remove_headers: [owasp]\n"))

    assert config.remove_headers == lists().remove


@pytest.mark.parametrize(
    "near",
    [
        pytest.param("OWASP", id="upper-case"),
        pytest.param("Owasp", id="capitalised"),
        pytest.param(" owasp", id="space"),
        pytest.param("owsap", id="swapped"),
        pytest.param("oswap", id="swapped-2"),
        pytest.param("owasp-", id="trailing-dash"),
    ],
)
def test_a_near_miss_of_the_token_is_refused_with_did_you_mean(near: str) -> None:
    expected = (
        f"remove_headers[1]: {near!r} is not the token 'owasp' (OWASP's list of "
        "headers that reveal the stack), which is written exactly so, in lower "
        "case. Did you mean 'owasp'?"
    )

    with pytest.raises(ConfigError, match=f"^{re.escape(expected)}$"):
        load_config({"remove_headers": ["X-Debug", near]})


def test_the_token_alone_as_a_string_asks_for_a_list() -> None:
    with pytest.raises(
        ConfigError, match=r"is not a list .* Did you mean \[owasp\]\?$"
    ):
        load_config({"remove_headers": "owasp"})


def test_a_header_name_unlike_the_token_is_taken_as_it_is() -> None:
    assert load_config({"remove_headers": ["X-Wasp-Id"]}).remove_headers == (
        "X-Wasp-Id",
    )


# The data and its refresh script


def test_the_list_is_data_with_its_source_and_date() -> None:
    oshp = lists()

    assert "github.com/OWASP/www-project-secure-headers" in oshp.source
    assert re.fullmatch(r"[0-9a-f]{40}", oshp.commit)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", oshp.last_update)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", oshp.retrieved)
    low = [name.lower() for name in oshp.remove]
    assert len(low) == len(set(low)) >= 60
    for name in ("Server", "X-AspNet-Version", "X-Nextjs-Cache", "SourceMap"):
        assert name in oshp.remove
    # Every name is a valid header name, so the config check accepts it.
    assert all(re.fullmatch(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+", n) for n in oshp.remove)


def _refresh_module() -> Any:
    path = Path(__file__).parents[1] / "scripts" / "refresh_oshp.py"
    spec = importlib.util.spec_from_file_location("refresh_oshp", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_refresh_script_writes_what_the_package_reads(tmp_path: Path) -> None:
    refresh = _refresh_module()
    add = {
        "last_update_utc": "2030-01-02 03:04:05",
        "headers": [*map(lambda h: {"name": h[0], "value": h[1]}, lists().add)],
    }
    remove = {"last_update_utc": "2030-01-02 03:04:05", "headers": ["X-New", "Server"]}

    data = refresh.build(add, remove, commit="a" * 40, today="2030-02-03")

    assert data["headers_remove"] == ["X-New", "Server"]
    assert data["oshp_last_update_utc"] == "2030-01-02 03:04:05"
    assert data["retrieved"] == "2030-02-03"
    assert data["headers_add"] == [{"name": n, "value": v} for n, v in lists().add]


# audit: each OSHP site-wide header the config does not send


@pytest.mark.parametrize(
    ("left_out", "header", "key"),
    [
        pytest.param(
            {"csp_header": False},
            "Content-Security-Policy",
            "csp_header",
            id="csp",
        ),
        pytest.param(
            {"cross_origin_embedder_policy": False},
            "Cross-Origin-Embedder-Policy",
            "cross_origin_embedder_policy: require-corp",
            id="coep",
        ),
        pytest.param(
            {"cross_origin_opener_policy": False},
            "Cross-Origin-Opener-Policy",
            "cross_origin_opener_policy: same-origin",
            id="coop",
        ),
        pytest.param(
            {"cross_origin_resource_policy": False},
            "Cross-Origin-Resource-Policy",
            "cross_origin_resource_policy: same-origin",
            id="corp",
        ),
        pytest.param(
            {"permissions_policy": False},
            "Permissions-Policy",
            "permissions_policy:",
            id="permissions-policy",
        ),
        pytest.param(
            {"referrer_policy": False},
            "Referrer-Policy",
            "referrer_policy: same-origin",
            id="referrer-policy",
        ),
        pytest.param(
            {"server_secured": False},
            "Strict-Transport-Security",
            "server_secured: true",
            id="hsts",
        ),
        pytest.param(
            {"x_frame_options": False},
            "X-Frame-Options",
            "x_frame_options: DENY",
            id="x-frame-options",
        ),
        pytest.param(
            {"x_permitted_cross_domain_policies": False},
            "X-Permitted-Cross-Domain-Policies",
            "x_permitted_cross_domain_policies: none",
            id="x-permitted-cross-domain-policies",
        ),
    ],
)
def test_audit_reports_a_missing_oshp_header_as_low_with_its_key(
    left_out: dict[str, Any], header: str, key: str
) -> None:
    config = load_config({**STRICT, "csp_report_path": "/r", **left_out})

    found = [f for f in audit(config) if f.rule.startswith("oshp-")]

    assert found[0].rule == f"oshp-{header.lower()}"
    assert found[0].severity == "low"
    assert found[0].fix.startswith(key)
    assert header in found[0].message
    # No CSP means no nosniff either: the only case with two.
    extra = ["oshp-x-content-type-options"] if header.startswith("Content") else []
    assert [f.rule for f in found[1:]] == extra


def test_audit_of_the_defaults_lists_the_seven_oshp_headers_they_lack() -> None:
    found = [f.rule for f in audit(load_config({})) if f.rule.startswith("oshp-")]

    assert found == [
        "oshp-cross-origin-embedder-policy",
        "oshp-cross-origin-opener-policy",
        "oshp-cross-origin-resource-policy",
        "oshp-permissions-policy",
        "oshp-strict-transport-security",
        "oshp-x-frame-options",
        "oshp-x-permitted-cross-domain-policies",
    ]


# The docs' OSHP table says what strict sends


def _readme_table() -> dict[str, list[str]]:
    text = (Path(__file__).parents[1] / "docs" / "configuration.md").read_text("utf-8")
    start = text.index("## The OWASP Secure Headers Project")
    section = text[start : text.index("\n#", start + 1)]
    rows = re.findall(r"^\| `([A-Za-z-]+)` \| (.*) \|$", section, re.MULTILINE)
    return {name: cells.split(" | ") for name, cells in rows}


def test_readme_table_covers_each_oshp_header_with_strict_values() -> None:
    table = _readme_table()
    sent = _get(STRICT).headers

    assert set(table) == set(SITE_WIDE_KEYS)
    for name, (oshp, _defaults, strict) in table.items():
        single = re.fullmatch(r"`([^`]*)`", strict)
        if single:  # a one-value cell quotes the header exactly
            assert single.group(1) == sent[name], name
        if re.fullmatch(r"`[^`]*`", oshp):
            assert oshp.strip("`") == dict(lists().add)[name], name


def test_readme_names_the_retired_features_strict_leaves_out() -> None:
    text = (Path(__file__).parents[1] / "docs" / "configuration.md").read_text("utf-8")
    strict = text[text.index("## The strict preset") :]

    for feature in RETIRED:
        assert f"`{feature}` (" in strict
