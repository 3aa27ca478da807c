"""Per-response control: use_override, update_csp, replace_csp, drop_headers."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from secheaders_wsgi import (
    ConfigError,
    SecureHeaders,
    SecurityWarning,
    csp_nonce,
    drop_headers,
    load_config,
    replace_csp,
    update_csp,
    use_override,
)
from secheaders_wsgi import response as response_module
from tests.support import DEFAULT_CSP, HTTPS, TestApp, csp_of, values

View = Callable[[dict[str, Any]], None]

EMBED = {"csp_frame_ancestors": ["'self'", "https://partner.example"]}
STRICT = {"csp_unsafe_inline": False, "csp_unsafe_eval": False}
# The defaults, set on purpose: these tests are not about the warning a custom
# policy with the switches left at their defaults gives.
UNSAFE = {"csp_unsafe_inline": True, "csp_unsafe_eval": True}


def app_with(
    view: View,
    headers: list[tuple[str, str]] | None = None,
    nonce: bool = False,
) -> Callable[..., list[bytes]]:
    """A WSGI app that runs ``view(environ)`` before it starts the response."""

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        view(environ)
        body = csp_nonce(environ).encode() if nonce else b"<p>hi</p>"
        start_response("200 OK", [("Content-Type", "text/html"), *(headers or [])])
        return [body]

    return app


def get(
    config: Any,
    view: View,
    path: str = "/",
    headers: list[tuple[str, str]] | None = None,
    nonce: bool = False,
    **extra: Any,
) -> Any:
    app = TestApp(SecureHeaders(app_with(view, headers, nonce), config))
    return app.get(path, extra_environ=extra or None)


def csp(response: Any, name: str = "Content-Security-Policy") -> dict[str, list[str]]:
    (value,) = values(response, name)
    return csp_of(value)


def nothing(environ: dict[str, Any]) -> None:
    pass


# --- use_override ------------------------------------------------------------


def test_use_override_applies_the_named_rule_to_this_response_only() -> None:
    config = {"overrides": {"embed": EMBED}}
    framed = get(config, lambda e: use_override(e, "embed"))
    plain = get(config, nothing)
    assert csp(framed)["frame-ancestors"] == ["'self'", "https://partner.example"]
    assert values(framed, "X-Frame-Options") == []
    assert values(plain, "Content-Security-Policy") == [DEFAULT_CSP]


def test_use_override_merges_csp_directive_by_directive() -> None:
    config = {
        **UNSAFE,
        "overrides": {"cdn": {"csp_header": {"img-src": "https://cdn.example"}}},
    }
    policy = csp(get(config, lambda e: use_override(e, "cdn")))
    assert policy["img-src"] == ["https://cdn.example"]
    assert policy["default-src"] == ["'self'"]


def test_use_override_with_replace_true_replaces_the_whole_policy() -> None:
    rule = {"replace": True, "csp_header": {"default-src": "'none'"}, **STRICT}
    policy = csp(
        get({"overrides": {"locked": rule}}, lambda e: use_override(e, "locked"))
    )
    assert policy == {"default-src": ["'none'"]}


@pytest.mark.parametrize(
    ("rule", "name", "value"),
    [
        pytest.param(
            {"referrer_policy": "no-referrer"},
            "Referrer-Policy",
            "no-referrer",
            id="referrer",
        ),
        pytest.param(
            {"cross_origin_opener_policy": "same-origin"},
            "Cross-Origin-Opener-Policy",
            "same-origin",
            id="coop",
        ),
        pytest.param(
            {"x_frame_options": "SAMEORIGIN"}, "X-Frame-Options", "SAMEORIGIN", id="xfo"
        ),
        pytest.param(
            {"hsts_header": "max-age=60"},
            "Strict-Transport-Security",
            "max-age=60",
            id="hsts",
        ),
        pytest.param(
            {"permissions_policy": {"camera": []}},
            "Permissions-Policy",
            "camera=()",
            id="pp",
        ),
    ],
)
def test_use_override_on_other_headers(rule: Any, name: str, value: str) -> None:
    response = get({"overrides": {"o": rule}}, lambda e: use_override(e, "o"), **HTTPS)
    assert values(response, name) == [value]


def test_overrides_stack_in_call_order() -> None:
    config = {
        "overrides": {
            "a": {"referrer_policy": "no-referrer", "csp_frame_ancestors": ["'self'"]},
            "b": {"referrer_policy": "same-origin"},
        }
    }

    def view(environ: dict[str, Any]) -> None:
        use_override(environ, "a")
        use_override(environ, "b")

    response = get(config, view)
    assert values(response, "Referrer-Policy") == ["same-origin"]
    assert values(response, "X-Frame-Options") == ["SAMEORIGIN"]


def test_use_override_on_a_path_rule_merges_onto_the_rule() -> None:
    config = {
        "paths": [{"prefix": "/api/", "referrer_policy": "no-referrer"}],
        "overrides": {"embed": EMBED},
    }
    response = get(config, lambda e: use_override(e, "embed"), path="/api/x")
    assert values(response, "Referrer-Policy") == ["no-referrer"]
    assert csp(response)["frame-ancestors"] == ["'self'", "https://partner.example"]


def test_use_override_under_the_strict_preset() -> None:
    config = {"preset": "strict", "overrides": {"embed": EMBED}}
    response = get(config, lambda e: use_override(e, "embed"), **HTTPS)
    assert csp(response)["frame-ancestors"] == ["'self'", "https://partner.example"]
    assert values(response, "Cross-Origin-Opener-Policy") == ["same-origin"]


# --- update_csp / replace_csp -------------------------------------------------


def test_csp_update_adds_sources_starting_from_the_fallback() -> None:
    config = {**UNSAFE, "csp_header": {"default-src": "'self'"}}
    policy = csp(
        get(config, lambda e: update_csp(e, {"img-src": ["https://cdn.example"]}))
    )
    assert policy["img-src"] == ["'self'", "https://cdn.example"]
    assert policy["default-src"] == ["'self'"]


def test_two_csp_updates_on_one_directive_both_count() -> None:
    def view(environ: dict[str, Any]) -> None:
        update_csp(environ, {"img-src": "https://a.example"})
        update_csp(environ, {"img-src": "https://b.example"})

    policy = csp(get({**UNSAFE, "csp_header": {"default-src": "'self'"}}, view))
    assert policy["img-src"] == ["'self'", "https://a.example", "https://b.example"]


def test_csp_replace_sets_sources_and_none_drops_a_directive() -> None:
    config = {
        "csp_header": {"default-src": "'self'", "upgrade-insecure-requests": ""},
        **STRICT,
    }

    def view(environ: dict[str, Any]) -> None:
        replace_csp(
            environ,
            {
                "frame-ancestors": ["https://partner.example"],
                "upgrade-insecure-requests": None,
            },
        )

    policy = csp(get(config, view))
    assert policy == {
        "default-src": ["'self'"],
        "frame-ancestors": ["https://partner.example"],
    }


def test_csp_update_then_replace_then_update_in_call_order() -> None:
    def view(environ: dict[str, Any]) -> None:
        update_csp(environ, {"img-src": "https://a.example"})
        replace_csp(environ, {"img-src": "https://b.example"})
        update_csp(environ, {"img-src": "https://c.example"})

    policy = csp(get({**UNSAFE, "csp_header": {"default-src": "'self'"}}, view))
    assert policy["img-src"] == ["https://b.example", "https://c.example"]


def test_csp_changes_come_after_the_override() -> None:
    config = {
        **UNSAFE,
        "overrides": {"cdn": {"csp_header": {"img-src": "https://cdn.example"}}},
    }

    def view(environ: dict[str, Any]) -> None:
        replace_csp(environ, {"img-src": "'self'"})  # recorded first, applied after
        use_override(environ, "cdn")

    assert csp(get(config, view))["img-src"] == ["'self'"]


def test_csp_update_with_a_nonce_adds_both() -> None:
    def view(environ: dict[str, Any]) -> None:
        update_csp(environ, {"script-src": "https://cdn.example"})

    response = get(STRICT, view, nonce=True)
    nonce = response.text
    assert csp(response)["script-src"] == [
        "'self'",
        "https://cdn.example",
        f"'nonce-{nonce}'",
    ]
    assert f"'nonce-{nonce}'" in csp(response)["style-src"]
    assert values(response, "Cache-Control") == ["private"]


def test_csp_update_without_a_nonce_sends_none() -> None:
    response = get(
        STRICT, lambda e: update_csp(e, {"script-src": "https://cdn.example"})
    )
    assert csp(response)["script-src"] == ["'self'", "https://cdn.example"]
    assert values(response, "Cache-Control") == []


def test_csp_replace_of_frame_ancestors_derives_x_frame_options() -> None:
    config = {"csp_frame_ancestors": ["'none'"]}
    assert values(get(config, nothing), "X-Frame-Options") == ["DENY"]
    partner = get(
        config, lambda e: replace_csp(e, {"frame-ancestors": "https://p.example"})
    )
    assert values(partner, "X-Frame-Options") == []
    same = get(config, lambda e: replace_csp(e, {"frame-ancestors": "'self'"}))
    assert values(same, "X-Frame-Options") == ["SAMEORIGIN"]


def test_report_only_changes_the_trial_policy_only() -> None:
    config = {
        "csp_report_only_header": {"default-src": "'none'"},
        "csp_report_uri": "/r",
    }
    response = get(
        config, lambda e: update_csp(e, {"img-src": "'self'"}, report_only=True)
    )
    assert csp(response, "Content-Security-Policy-Report-Only") == {
        "default-src": ["'none'"],
        "img-src": ["'self'"],
        "report-uri": ["/r"],
        "report-to": ["csp-endpoint"],
    }
    assert "img-src * data: blob:" in values(response, "Content-Security-Policy")[0]


def test_report_only_false_changes_the_main_policy_sent_as_report_only() -> None:
    response = get(
        {"csp_report_only": True, "csp_report_uri": "/r"},
        lambda e: replace_csp(e, {"img-src": "'self'"}),
    )
    assert csp(response, "Content-Security-Policy-Report-Only")["img-src"] == ["'self'"]


def test_csp_update_without_a_policy_changes_nothing() -> None:
    response = get(
        {"csp_header": False}, lambda e: update_csp(e, {"img-src": "'self'"})
    )
    assert values(response, "Content-Security-Policy") == []


def test_app_set_header_still_wins() -> None:
    config = {"overrides": {"embed": EMBED}}

    def view(environ: dict[str, Any]) -> None:
        use_override(environ, "embed")
        update_csp(environ, {"img-src": "https://cdn.example"})

    response = get(
        config, view, headers=[("Content-Security-Policy", "default-src 'none'")]
    )
    assert values(response, "Content-Security-Policy") == ["default-src 'none'"]


# --- drop_headers ---------------------------------------------------------------


def test_omit_headers_removes_ours_by_name_any_case() -> None:
    response = get(
        None, lambda e: drop_headers(e, "x-frame-options", "Referrer-Policy")
    )
    assert values(response, "X-Frame-Options") == []
    assert values(response, "Referrer-Policy") == []
    assert values(response, "Content-Security-Policy") == [DEFAULT_CSP]


def test_omit_headers_comes_after_the_nonce() -> None:
    def view(environ: dict[str, Any]) -> None:
        drop_headers(environ, "Content-Security-Policy")

    response = get(STRICT, view, nonce=True)
    assert values(response, "Content-Security-Policy") == []
    assert values(response, "Cache-Control") == []  # no nonce goes out to cache


def test_omit_headers_leaves_the_apps_own_header() -> None:
    response = get(
        None,
        lambda e: drop_headers(e, "X-Frame-Options"),
        headers=[("X-Frame-Options", "SAMEORIGIN")],
    )
    assert values(response, "X-Frame-Options") == ["SAMEORIGIN"]


# --- errors ---------------------------------------------------------------------


def test_unknown_override_name_gets_did_you_mean() -> None:
    config = {"overrides": {"embed": EMBED}}
    # The hint ends the message; main's did_you_mean brings its own '.'.
    message = (
        re.escape(
            "use_override: 'embedd' is not a named override (allowed: embed; add "
            "it to the config's overrides:)"
        )
        + r"\.? Did you mean 'embed'\?$"
    )
    with pytest.raises(ConfigError, match=message):
        get(config, lambda e: use_override(e, "embedd"))


def test_unknown_override_name_without_overrides_says_none_are_configured() -> None:
    with pytest.raises(ConfigError, match=r"\(allowed: none are configured;"):
        get(None, lambda e: use_override(e, "embed"))


def test_bad_directive_is_a_config_error_like_the_configs() -> None:
    with pytest.raises(
        ConfigError,
        match=re.escape("update_csp.img-scr: 'img-scr' is not a CSP directive."),
    ):
        get(None, lambda e: update_csp(e, {"img-scr": "'self'"}))


def test_unquoted_keyword_is_a_config_error_like_the_configs() -> None:
    with pytest.raises(
        ConfigError,
        match=re.escape("replace_csp.img-src[0]: 'self' must be quoted as \"'self'\""),
    ):
        get(None, lambda e: replace_csp(e, {"img-src": ["self"]}))


def test_none_is_only_for_csp_replace() -> None:
    with pytest.raises(ConfigError, match="to drop the directive, use replace_csp"):
        get(None, lambda e: update_csp(e, {"img-src": None}))  # type: ignore[dict-item]


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda e: use_override(e, "embed"), id="use_override"),
        pytest.param(lambda e: update_csp(e, {"img-src": "'self'"}), id="update_csp"),
        pytest.param(lambda e: replace_csp(e, {"img-src": "'self'"}), id="replace_csp"),
        pytest.param(lambda e: drop_headers(e, "X-Frame-Options"), id="drop_headers"),
    ],
)
def test_a_call_after_start_response_is_a_runtime_error(call: View) -> None:
    raised: list[BaseException] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html")])
        try:
            call(environ)
        except RuntimeError as exc:
            raised.append(exc)
        return [b"hi"]

    TestApp(SecureHeaders(app, {"overrides": {"embed": EMBED}})).get("/")
    assert "after the response started" in str(raised[0])


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(lambda e: use_override(e, "embed"), id="use_override"),
        pytest.param(lambda e: update_csp(e, {"img-src": "'self'"}), id="update_csp"),
        pytest.param(lambda e: replace_csp(e, {"img-src": "'self'"}), id="replace_csp"),
        pytest.param(lambda e: drop_headers(e, "X-Frame-Options"), id="drop_headers"),
    ],
)
def test_a_call_without_the_middleware_is_a_runtime_error(call: View) -> None:
    with pytest.raises(
        RuntimeError, match="did not go through secheaders_wsgi.SecureHeaders"
    ):
        call({"PATH_INFO": "/"})


def test_a_response_without_calls_is_what_it_was() -> None:
    config = {"overrides": {"embed": EMBED}}
    with_overrides = get(config, nothing).headerlist
    without = get(None, nothing).headerlist
    assert with_overrides == without


# --- more combinations -------------------------------------------------------------


def test_report_only_change_gets_the_nonce_too() -> None:
    config = {
        **STRICT,
        "csp_report_only_header": {"default-src": "'self'"},
        "csp_report_uri": "/r",
    }

    def view(environ: dict[str, Any]) -> None:
        update_csp(environ, {"script-src": "https://cdn.example"}, report_only=True)

    response = get(config, view, nonce=True)
    trial = csp(response, "Content-Security-Policy-Report-Only")
    assert trial["script-src"] == [
        "'self'",
        "https://cdn.example",
        f"'nonce-{response.text}'",
    ]
    assert f"'nonce-{response.text}'" in csp(response)["script-src"]


def test_csp_update_expands_safe_src() -> None:
    config = {**STRICT, "csp_safe_src": ["'self'", "https://static.example"]}
    response = get(config, lambda e: update_csp(e, {"form-action": "'safe-src'"}))
    assert csp(response)["form-action"] == ["'self'", "https://static.example"]


def test_csp_update_reads_any_iterable_once() -> None:
    def view(environ: dict[str, Any]) -> None:
        update_csp(environ, {"img-src": (s for s in ["https://a.example"])})

    policy = csp(get({**UNSAFE, "csp_header": {"default-src": "'self'"}}, view))
    assert policy["img-src"] == ["'self'", "https://a.example"]


def test_override_then_change_then_omit_on_a_path_rule_under_a_preset() -> None:
    config = {
        "preset": "strict",
        "paths": [{"prefix": "/docs/", "referrer_policy": "same-origin"}],
        "overrides": {"embed": EMBED},
    }

    def view(environ: dict[str, Any]) -> None:
        drop_headers(environ, "Cross-Origin-Embedder-Policy")
        update_csp(environ, {"img-src": "https://cdn.example"})
        use_override(environ, "embed")

    response = get(config, view, path="/docs/a", **HTTPS)
    policy = csp(response)
    assert policy["frame-ancestors"] == ["'self'", "https://partner.example"]
    assert "https://cdn.example" in policy["img-src"]
    assert values(response, "Referrer-Policy") == ["same-origin"]
    assert values(response, "Cross-Origin-Embedder-Policy") == []
    assert values(response, "Cross-Origin-Opener-Policy") == ["same-origin"]


def test_the_same_override_twice_counts_once_at_its_last_place() -> None:
    config = {
        "overrides": {
            "a": {"referrer_policy": "no-referrer"},
            "b": {"referrer_policy": "same-origin"},
        }
    }

    def view(environ: dict[str, Any]) -> None:
        for name in ("a", "b", "a"):
            use_override(environ, name)

    assert values(get(config, view), "Referrer-Policy") == ["no-referrer"]


def test_stacked_overrides_that_contradict_fail_naming_both() -> None:
    config = {
        **UNSAFE,
        "overrides": {
            "a": {"csp_frame_ancestors": ["'self'"]},
            "b": {"csp_header": {"frame-ancestors": "'none'"}},
        },
    }

    raised: list[ConfigError] = []

    def calling(environ: dict[str, Any]) -> None:
        use_override(environ, "a")
        with pytest.raises(ConfigError) as info:
            use_override(environ, "b")  # fails at the call, not at start_response
        raised.append(info.value)

    get(config, calling)
    assert str(raised[0]).startswith(
        "overrides.b after overrides.a: csp_frame_ancestors: the custom "
        "csp_header sets frame-ancestors too"
    )


# --- what is built, and when ----------------------------------------------------


def test_a_named_override_builds_no_plan_per_request(monkeypatch: Any) -> None:
    from secheaders_wsgi import plan as plan_module

    config = {
        "paths": [{"prefix": "/api/", "referrer_policy": "no-referrer"}],
        "overrides": {"embed": EMBED},
    }
    app = TestApp(SecureHeaders(app_with(lambda e: use_override(e, "embed")), config))
    built: list[object] = []
    original = plan_module.Plan.build.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(
        plan_module.Plan,
        "build",
        classmethod(lambda cls, *a: built.append(a) or original(cls, *a)),
    )
    for _ in range(3):
        app.get("/")  # top level + override: built at start-up
    assert built == []
    for _ in range(3):
        app.get("/api/x")  # rule + override: once, on first use
    assert len(built) == 1


def test_a_csp_change_is_built_once_per_distinct_change(monkeypatch: Any) -> None:
    from secheaders_wsgi.plan import Side

    calls: list[object] = []
    original = Side.derived
    monkeypatch.setattr(
        Side, "derived", lambda *args: calls.append(args) or original(*args)
    )
    host = {"host": "a"}

    def view(environ: dict[str, Any]) -> None:
        update_csp(environ, {"img-src": f"https://{host['host']}.example"})

    app = TestApp(SecureHeaders(app_with(view)))
    for _ in range(3):
        app.get("/")
    host["host"] = "b"
    response = app.get("/")
    assert len(calls) == 2
    assert "https://b.example" in csp(response)["img-src"]


def test_past_the_cache_limit_changes_are_built_per_request(monkeypatch: Any) -> None:
    from secheaders_wsgi import variants

    monkeypatch.setattr(variants, "CACHE_LIMIT", 2)
    count = iter(range(100))

    def view(environ: dict[str, Any]) -> None:
        update_csp(environ, {"img-src": f"https://h{next(count)}.example"})

    app = TestApp(SecureHeaders(app_with(view)))
    images = [csp(app.get("/"))["img-src"][-1] for _ in range(5)]
    assert images == [f"https://h{i}.example" for i in range(5)]


def test_use_override_updates_the_eval_switch_the_app_reads() -> None:
    config = {"overrides": {"no-eval": {"csp_unsafe_eval": False}}}
    seen: list[object] = []

    def view(environ: dict[str, Any]) -> None:
        seen.append(environ["secheaders.csp_unsafe_eval"])
        use_override(environ, "no-eval")
        seen.append(environ["secheaders.csp_unsafe_eval"])

    response = get(config, view)
    assert seen == [True, False]
    assert "'unsafe-eval'" not in values(response, "Content-Security-Policy")[0]


def test_the_state_is_under_one_namespaced_key() -> None:
    from secheaders_wsgi.response import STATE_KEY, ResponseState

    seen: list[object] = []
    get(None, lambda e: seen.append(e.get(STATE_KEY)))
    assert isinstance(seen[0], ResponseState)


def test_every_state_is_of_one_class_whatever_its_scheme_plan_or_middleware() -> None:
    # The core's attribute reads and writes stay fast (specialised by CPython
    # 3.11) only where they keep meeting one class: a class per plan or
    # scheme cost a site whose requests came in turn about 10% a request.
    from secheaders_wsgi.response import STATE_KEY, ResponseState

    seen: list[object] = []

    def view(environ: dict[str, Any]) -> None:
        seen.append(environ[STATE_KEY])

    rules = {
        "paths": [{"prefix": "/r/", "referrer_policy": "no-referrer"}],
        "csp_report_uri": "/csp",
        "csp_report_sample_rate": 0.5,
        "overrides": {"embed": EMBED},
    }
    for config in (None, rules):
        for path in ("/", "/r/x"):
            for scheme in ({}, HTTPS):
                get(config, view, path=path, **scheme)
    assert len(seen) == 8
    assert {type(state) for state in seen} == {ResponseState}


EVERY_HEADER = {
    "preset": "strict",
    "server_secured": True,
    "csp_report_uri": "/r",
    "csp_report_only_header": {"default-src": "'self'"},
    "x_dns_prefetch_control": "off",
}


def _ours_under_every_header() -> list[str]:
    from secheaders_wsgi.policy import headers as policy_headers

    return [name for name, _ in policy_headers(load_config(EVERY_HEADER), https=True)]


@pytest.mark.parametrize("name", _ours_under_every_header())
def test_omit_headers_removes_each_of_ours_and_nothing_else(name: str) -> None:
    plain = get(EVERY_HEADER, nothing).headerlist
    omitted = get(EVERY_HEADER, lambda e: drop_headers(e, name)).headerlist
    assert [h for h in plain if h[0] != name] == omitted
    assert len(omitted) == len(plain) - 1


def test_omit_headers_reaches_the_nonces_cache_control_too() -> None:
    response = get(STRICT, lambda e: drop_headers(e, "cache-control"), nonce=True)
    assert f"'nonce-{response.text}'" in csp(response)["script-src"]
    assert values(response, "Cache-Control") == []


def test_a_changed_response_passes_the_wsgi_validator() -> None:
    from wsgiref.validate import validator

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        use_override(environ, "embed")
        update_csp(environ, {"img-src": "https://cdn.example"})
        drop_headers(environ, "Referrer-Policy")
        body = csp_nonce(environ).encode()
        start_response("200 OK", [("Content-Type", "text/html")])
        return [body]

    config = {"csp_unsafe_inline": False, "overrides": {"embed": EMBED}}
    wrapped = validator(SecureHeaders(validator(app), config))
    response = TestApp(wrapped).get("/")
    assert "https://cdn.example" in csp(response)["img-src"]
    assert values(response, "Referrer-Policy") == []


def test_a_named_override_with_a_nonce_carries_the_nonce() -> None:
    config = {**STRICT, "overrides": {"embed": EMBED}}
    response = get(config, lambda e: use_override(e, "embed"), nonce=True)
    policy = csp(response)
    assert f"'nonce-{response.text}'" in policy["script-src"]
    assert policy["frame-ancestors"] == ["'self'", "https://partner.example"]
    assert values(response, "Cache-Control") == ["private"]


def test_an_override_that_turns_unsafe_inline_on_sends_no_nonce() -> None:
    config = {**STRICT, "overrides": {"legacy": {"csp_unsafe_inline": True}}}
    with pytest.warns(SecurityWarning, match="under overrides.legacy, whose"):
        response = get(config, lambda e: use_override(e, "legacy"), nonce=True)
    assert "'nonce-" not in values(response, "Content-Security-Policy")[0]
    assert "'unsafe-inline'" in csp(response)["script-src"]


@pytest.mark.parametrize(
    "sources", [{"https://a.example"}, frozenset({"https://a.example"})]
)
@pytest.mark.parametrize("call", [update_csp, replace_csp])
def test_a_set_of_sources_is_refused_as_in_the_config(call: Any, sources: Any) -> None:
    # A set's order, and so the header, would differ between processes.
    raised: list[BaseException] = []

    def view(environ: dict[str, Any]) -> None:
        try:
            call(environ, {"img-src": sources})
        except ConfigError as exc:
            raised.append(exc)

    get(None, view)
    assert str(raised[0]) == (
        f"{call.__name__}.img-src: {sources!r} is not allowed (allowed: a string "
        "of space-separated sources or a list of sources)"
    )


@pytest.mark.parametrize("draw", [0.0, 0.99])
def test_an_override_on_a_rule_that_samples_is_merged_on_the_rule(
    monkeypatch: pytest.MonkeyPatch, draw: float
) -> None:
    # The states of a rule that samples start as the top level's; the swaps
    # built at start-up on the top level are not this rule's, so the first
    # use_override must merge on the rule, not swap in the top's override.
    monkeypatch.setattr(response_module, "random", lambda: draw)
    config = {
        "csp_report_path": "/_/csp",
        "overrides": {"embed": EMBED},
        "paths": [
            {
                "prefix": "/sampled/",
                "referrer_policy": "no-referrer",
                "csp_report_sample_rate": 0.5,
            }
        ],
    }
    view = app_with(lambda environ: use_override(environ, "embed"))
    response = TestApp(SecureHeaders(view, config)).get("/sampled/x")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://partner.example" in policy
    assert ("report-uri /_/csp" in policy) is (draw < 0.5)


READY = {
    **STRICT,
    "hsts_header": "max-age=600",  # the http and https sides differ
    "overrides": {"embed": EMBED, "eval": {"csp_unsafe_eval": True}},
    "paths": [{"prefix": "/rule/", "referrer_policy": "no-referrer"}],
}


@pytest.mark.parametrize(
    ("views", "path"),
    [
        pytest.param(["embed"], "/", id="override"),
        pytest.param(["eval"], "/", id="override-changes-eval"),
        pytest.param(["embed", "nonce"], "/", id="then-nonce"),
        pytest.param(["nonce", "embed"], "/", id="nonce-first"),
        pytest.param(["embed", "update"], "/", id="then-update"),
        pytest.param(["update", "embed"], "/", id="update-first"),
        pytest.param(["embed", "drop"], "/", id="then-drop"),
        pytest.param(["embed", "eval"], "/", id="two-overrides"),
        pytest.param(["embed"], "/rule/x", id="on-a-rule-path"),
    ],
)
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_first_override_answers_as_the_general_path_does(
    views: list[str], path: str, scheme: str
) -> None:
    # The first use_override of a response only swaps the plan and the wire
    # built at start-up; with those tables emptied every call takes the
    # general path. Both must send the same headers and show the app the
    # same eval switch.
    calls: dict[str, View] = {
        "embed": lambda e: use_override(e, "embed"),
        "eval": lambda e: use_override(e, "eval"),
        "nonce": lambda e: csp_nonce(e),
        "update": lambda e: update_csp(e, {"img-src": ["https://cdn.example"]}),
        "drop": lambda e: drop_headers(e, "X-Frame-Options"),
    }
    seen: list[object] = []

    def view(environ: dict[str, Any]) -> None:
        for name in views:
            calls[name](environ)
        seen.append(environ.get("secheaders.csp_unsafe_eval"))

    answers = []
    for ready in (True, False):
        middleware = SecureHeaders(app_with(view), READY)
        tables = [t for pair in middleware._core._starts.values() for *_, t in pair]
        assert any(tables)  # the top level's states know both overrides
        if not ready:
            for table in tables:
                table.clear()  # type: ignore[attr-defined]
        extra = HTTPS if scheme == "https" else {}
        response = TestApp(middleware).get(path, extra_environ=extra)
        headers = sorted(
            (name.lower(), re.sub(r"'nonce-[^']+'", "'nonce-N'", value))
            for name, value in response.headerlist
        )
        answers.append(headers)
    assert answers[0] == answers[1]
    assert seen[0] == seen[1]
