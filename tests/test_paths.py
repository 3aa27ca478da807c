"""Per-path rules: longest prefix wins, merged onto the base, chosen in O(path); with
presets, nonces, report-only and the receiver inside rules."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from webtest import TestApp

from secheaders_wsgi import (
    ConfigError,
    SecureHeaders,
    SecurityWarning,
    load_config,
)
from secheaders_wsgi.cli import main
from secheaders_wsgi.config.presets import STRICT_HSTS
from secheaders_wsgi.config.values import normalize_prefix as normalize
from secheaders_wsgi.policy import headers
from secheaders_wsgi.request.paths import PrefixTable
from tests.support import DEFAULT_CSP, HTTPS, RecordingApp, csp_of, served, values

PARTNER = "https://partner.example"

SITE = {
    "server_secured": True,
    "permissions_policy": {"camera": [], "geolocation": ["self"]},
    "csp_frame_ancestors": False,
    "paths": [
        {"prefix": "/embed/", "csp_frame_ancestors": ["'self'", PARTNER]},
        {
            "prefix": "/admin/",
            "csp_unsafe_inline": False,
            "csp_unsafe_eval": False,
            "csp_header": {"script-src": "'self'", "form-action": "'self'"},
        },
        {
            "prefix": "/api/",
            "csp_header": False,
            "cross_origin_resource_policy": "same-origin",
        },
        {"prefix": "/admin/reports/", "referrer_policy": "no-referrer"},
    ],
}


def csp(config: Any, path: str) -> str | None:
    app = served(config)
    found = values(app.get(path), "Content-Security-Policy")
    return found[0] if found else None


def sent(config: Any, path: str) -> dict[str, str]:
    app = served(config)
    return {k: v for k, v in app.get(path, extra_environ=HTTPS).headerlist}


@pytest.mark.parametrize(
    ("path", "frame_ancestors"),
    [
        pytest.param("/", "frame-ancestors 'none'", id="root-base"),
        pytest.param("/embed", f"frame-ancestors 'self' {PARTNER}", id="prefix-itself"),
        pytest.param("/embed/", f"frame-ancestors 'self' {PARTNER}", id="prefix-slash"),
        pytest.param("/embed/x/y", f"frame-ancestors 'self' {PARTNER}", id="below"),
        pytest.param("/embedded", "frame-ancestors 'none'", id="segment-boundary"),
        pytest.param("/x/embed/", "frame-ancestors 'none'", id="not-at-start"),
    ],
)
def test_prefix_matches_whole_segments(path: str, frame_ancestors: str) -> None:
    value = csp(SITE, path)
    assert value is not None
    assert value.endswith(frame_ancestors)


def test_embed_rule_drops_x_frame_options_base_has_deny() -> None:
    assert sent(SITE, "/")["X-Frame-Options"] == "DENY"
    assert "X-Frame-Options" not in sent(SITE, "/embed/x")


def test_longest_prefix_wins_and_merges_onto_the_base_not_the_shorter_rule() -> None:
    reports = sent(SITE, "/admin/reports/q")
    assert reports["Referrer-Policy"] == "no-referrer"
    # /admin/'s strict CSP does not apply: rules merge onto the base only.
    assert (
        reports["Content-Security-Policy"]
        == DEFAULT_CSP.replace("http: ws:", "https: wss:") + "; frame-ancestors 'none'"
    )
    admin = sent(SITE, "/admin/users")
    assert admin["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_rule_order_does_not_matter() -> None:
    reordered = {**SITE, "paths": list(reversed(SITE["paths"]))}  # type: ignore[arg-type]
    for path in ("/", "/embed/x", "/admin/x", "/admin/reports/x", "/api/x"):
        assert sent(SITE, path) == sent(reordered, path)


def test_csp_mapping_merges_directive_by_directive_onto_the_default() -> None:
    admin = sent(SITE, "/admin/users")["Content-Security-Policy"]
    assert admin == (
        "default-src 'self'; script-src 'self'; style-src 'self'; manifest-src 'self'; "
        "connect-src https: wss:; img-src * data: blob:; media-src * data: blob:; "
        "frame-src * data: blob:; object-src * data: blob:; form-action 'self'; "
        "frame-ancestors 'none'"
    )


def test_csp_mapping_merges_onto_a_custom_base_mapping() -> None:
    config = {
        "csp_unsafe_inline": False,
        "csp_unsafe_eval": False,
        "csp_header": {"default-src": "'self'", "img-src": "'self'"},
        "paths": [
            {"prefix": "/gallery", "csp_header": {"img-src": "'self' cdn.example"}}
        ],
    }
    assert csp(config, "/") == "default-src 'self'; img-src 'self'"
    assert csp(config, "/gallery/1") == "default-src 'self'; img-src 'self' cdn.example"


def test_replace_true_replaces_the_csp_mapping() -> None:
    config = {
        "csp_unsafe_inline": False,
        "csp_unsafe_eval": False,
        "csp_header": {"default-src": "'self'", "img-src": "'self'"},
        "paths": [
            {
                "prefix": "/gallery",
                "replace": True,
                "csp_header": {"img-src": "cdn.example"},
            }
        ],
    }
    assert csp(config, "/gallery/1") == "img-src cdn.example"


def test_replace_true_onto_the_default_policy() -> None:
    config = {
        "paths": [
            {"prefix": "/x", "replace": True, "csp_header": {"default-src": "'self'"}}
        ]
    }
    with pytest.warns(SecurityWarning, match=r"^paths\[0\]\.csp_header: the custom"):
        policy = csp(config, "/x")
    assert policy == (
        "default-src 'self'; script-src 'self' 'unsafe-eval' 'unsafe-inline'; "
        "style-src 'self' 'unsafe-eval' 'unsafe-inline'"
    )


def test_rule_warnings_are_prefixed_and_inherited_ones_not_repeated() -> None:
    config = {
        "csp_header": {"default-src": "'none'"},
        "csp_unsafe_inline": True,
        "csp_unsafe_eval": True,
        "paths": [{"prefix": f"/r{i}", "referrer_policy": "origin"} for i in range(50)]
        + [{"prefix": "/own", "csp_header": {"font-src": "'self'"}, "debug": True}],
    }
    with pytest.warns(SecurityWarning) as record:
        load_config(config)
    assert sorted(str(w.message).split(":")[0] for w in record) == [
        "csp_header.script-src",
        "csp_header.style-src",
    ]
    config["csp_unsafe_inline"] = config["csp_unsafe_eval"] = False
    with pytest.warns(SecurityWarning) as record:
        load_config(config)
    assert sorted(str(w.message).split(":")[0] for w in record) == [
        "paths[50].csp_header.script-src",
        "paths[50].csp_header.style-src",
    ]


def test_permissions_policy_merges_feature_by_feature_unless_replaced() -> None:
    config = {
        "permissions_policy": {"camera": [], "geolocation": []},
        "paths": [
            {"prefix": "/map", "permissions_policy": {"geolocation": ["self"]}},
            {
                "prefix": "/cam",
                "replace": True,
                "permissions_policy": {"camera": ["self"]},
            },
        ],
    }
    assert sent(config, "/")["Permissions-Policy"] == "camera=(), geolocation=()"
    assert sent(config, "/map")["Permissions-Policy"] == "camera=(), geolocation=(self)"
    assert sent(config, "/cam")["Permissions-Policy"] == "camera=(self)"


def test_api_rule_without_csp_drops_the_csp_companions() -> None:
    api = sent(SITE, "/api/v1/items")
    assert "Content-Security-Policy" not in api
    assert "X-Content-Type-Options" not in api
    assert api["Cross-Origin-Resource-Policy"] == "same-origin"
    assert api["Permissions-Policy"] == "camera=(), geolocation=(self)"  # inherited
    assert api["Strict-Transport-Security"] == "max-age=31556926; includeSubDomains"


def test_a_rule_that_sets_nothing_gives_the_base_headers() -> None:
    config = {"permissions_policy": {"camera": []}, "paths": [{"prefix": "/same"}]}
    base = load_config(config)
    assert headers(base.paths[0][1], https=True) == headers(base, https=True)


def test_root_rule_applies_everywhere_else() -> None:
    config = {"paths": [{"prefix": "/", "referrer_policy": "no-referrer"}]}
    assert sent(config, "/anything")["Referrer-Policy"] == "no-referrer"


def test_rules_can_turn_force_https_on_and_off() -> None:
    config = {
        "force_https": True,
        "paths": [
            {"prefix": "/legacy", "force_https": False},
            {"prefix": "/legacy/secure", "force_https": True},
        ],
    }
    recorder = RecordingApp()
    app = served(config, app=recorder)
    app.get("/", status=301)
    app.get("/legacy/page", status=200)
    app.get("/legacy/secure/x", status=301)
    assert len(recorder.calls) == 1


def test_rule_cookie_settings() -> None:
    config = {"paths": [{"prefix": "/app", "cookie_httponly": True}]}
    app = served(config, headers=[("Set-Cookie", "a=1")])
    assert values(app.get("/"), "Set-Cookie") == ["a=1"]
    assert values(app.get("/app/"), "Set-Cookie") == ["a=1; HttpOnly"]


def test_app_set_header_wins_inside_a_rule() -> None:
    app = served(SITE, headers=[("Content-Security-Policy", "default-src 'none'")])
    response = app.get("/embed/x")
    assert values(response, "Content-Security-Policy") == ["default-src 'none'"]


def test_yaml_rules_give_what_the_dict_gives(tmp_path: Any) -> None:
    path = tmp_path / "security.yaml"
    path.write_text(
        """\
server_secured: true
permissions_policy: {camera: [], geolocation: [self]}
csp_frame_ancestors: false
paths:
  - prefix: /embed/
    csp_frame_ancestors: ["'self'", "https://partner.example"]
  - prefix: /admin/
    csp_unsafe_inline: false
    csp_unsafe_eval: false
    csp_header:
      script-src: "'self'"
      form-action: "'self'"
  - prefix: /api/
    csp_header: false
    cross_origin_resource_policy: same-origin
  - prefix: /admin/reports/
    referrer_policy: no-referrer
""",
        encoding="utf-8",
    )
    assert load_config(path) == load_config(SITE)


# -- the cost of choosing a rule


def many_rules(count: int) -> dict[str, Any]:
    return {
        "paths": [
            {
                "prefix": f"/r{i}/",
                "referrer_policy": "no-referrer" if i % 2 else "origin",
            }
            for i in range(count)
        ]
    }


def test_a_thousand_rules_work() -> None:
    app = served(many_rules(1000))
    assert sent(many_rules(1000), "/r999/x")["Referrer-Policy"] == "no-referrer"
    response = app.get("/r998/deep/er")
    assert values(response, "Referrer-Policy") == ["origin"]
    response = app.get("/r1000/x")
    assert values(response, "Referrer-Policy") == ["strict-origin-when-cross-origin"]


class _CountingChildren(dict[str, Any]):
    """A node's children that count the lookups a walk makes."""

    lookups = 0

    def get(self, key: str, default: Any = None) -> Any:
        _CountingChildren.lookups += 1
        return super().get(key, default)


def _counted(table: PrefixTable[Any]) -> PrefixTable[Any]:
    todo = [table._root]
    while todo:
        node = todo.pop()
        node.children = _CountingChildren(node.children)
        todo += node.children.values()
    return table


def _lookups(table: PrefixTable[Any], path: str) -> int:
    _CountingChildren.lookups = 0
    table.longest(path)
    return _CountingChildren.lookups


@pytest.mark.parametrize("path", ["/r500/a/b/c", "/nothing/here", "/", "/r1/"])
def test_choosing_a_rule_walks_the_path_not_the_rules(path: str) -> None:
    one = _counted(PrefixTable([("/r500/", 1)]))
    thousand = _counted(PrefixTable((f"/r{i}/", i) for i in range(1000)))
    # One step per path segment at most, whatever the number of rules.
    assert _lookups(thousand, path) <= path.count("/")
    assert _lookups(thousand, path) == _lookups(one, path) or path == "/r1/"


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths the prefix tables are walked for, from now on."""
    walked: list[str] = []
    original = PrefixTable.longest

    def counting(self: PrefixTable[Any], path: str) -> Any:
        walked.append(path)
        return original(self, path)

    monkeypatch.setattr(PrefixTable, "longest", counting)
    return walked


def test_the_middleware_looks_up_its_table_once_per_request(walks: list[str]) -> None:
    app = served(many_rules(1000))
    walks.clear()
    app.get("/r7/page")
    assert walks == ["/r7/page"]


def test_no_rules_means_no_table() -> None:
    middleware = SecureHeaders(lambda e, s: [], {})
    assert middleware._core.site.paths is None
    assert middleware._core.site.proxies is None


# -- show --path


def test_show_path_prints_the_rule_headers(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "security.yaml"
    path.write_text(
        "csp_frame_ancestors: false\n"
        "paths:\n"
        "  - prefix: /embed/\n"
        "    csp_frame_ancestors: [\"'self'\", https://partner.example]\n"
        "    permissions_policy: {camera: []}\n",
        encoding="utf-8",
    )
    assert main(["show", str(path), "--path", "/embed/x"]) == 0
    out, err = capsys.readouterr()
    assert f"frame-ancestors 'self' {PARTNER}\n" in out
    assert "Permissions-Policy: camera=()\n" in out
    assert "X-Frame-Options" not in out
    assert err == "/embed/x: rule paths[0] (prefix '/embed/')\n"

    assert main(["show", str(path), "--path", "/embedded"]) == 0
    out, err = capsys.readouterr()
    assert "frame-ancestors 'none'\n" in out
    assert "X-Frame-Options: DENY\n" in out
    assert "Permissions-Policy" not in out
    assert err == "/embedded: no paths rule matches; top-level settings\n"


@pytest.mark.parametrize("typed", ["/café/menu", "//café//menu"])
def test_show_path_matches_a_non_ascii_prefix_and_spellings(
    tmp_path: Any, capsys: pytest.CaptureFixture[str], typed: str
) -> None:
    path = tmp_path / "security.yaml"
    path.write_text(
        "paths:\n  - prefix: /café/\n    referrer_policy: origin\n", encoding="utf-8"
    )
    assert main(["show", str(path), "--path", typed]) == 0
    out, err = capsys.readouterr()
    assert "Referrer-Policy: origin\n" in out
    assert err == f"{typed}: rule paths[0] (prefix '/café/')\n"


def test_show_path_bad_rule_exits_2(
    tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "security.yaml"
    path.write_text("paths:\n  - prefix: /x\n    csp_heder: false\n", encoding="utf-8")
    assert main(["show", str(path), "--path", "/x"]) == 2
    _, err = capsys.readouterr()
    assert "paths[0]: unknown key 'csp_heder'. Did you mean 'csp_header'?" in err


def test_rule_errors_name_the_rule() -> None:
    config = {
        "paths": [
            {"prefix": "/a"},
            {"prefix": "/b"},
            {"prefix": "/c", "csp_header": {"script-src": "self"}},
        ]
    }
    with pytest.raises(
        ConfigError,
        match=r"^paths\[2\]\.csp_header\.script-src\[0\]: 'self' must be quoted",
    ):
        load_config(config)


def test_rules_match_path_info_not_script_name() -> None:
    app = served(SITE)
    response = app.get(
        "/embed/x",
        extra_environ={"SCRIPT_NAME": "/mounted", "wsgi.url_scheme": "https"},
    )
    assert values(response, "Content-Security-Policy")[0].endswith(
        f"frame-ancestors 'self' {PARTNER}"
    )


def test_flask_override_example_from_the_docs() -> None:
    flask = pytest.importorskip("flask")
    flask_app = flask.Flask(__name__)

    @flask_app.route("/widget")
    def widget() -> Any:
        response = flask.make_response("<p>widget</p>")
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; frame-ancestors 'self' https://partner.example"
        )
        response.headers["Permissions-Policy"] = "camera=(self)"
        return response

    @flask_app.route("/other")
    def other() -> str:
        return "<p>other</p>"

    config = {"permissions_policy": {"camera": []}, "csp_frame_ancestors": False}
    app = TestApp(SecureHeaders(flask_app.wsgi_app, config))
    response = app.get("/widget")
    assert values(response, "Content-Security-Policy") == [
        "default-src 'self'; frame-ancestors 'self' https://partner.example"
    ]
    assert values(response, "Permissions-Policy") == ["camera=(self)"]
    assert values(response, "Referrer-Policy") == ["strict-origin-when-cross-origin"]
    other_response = app.get("/other")
    assert values(other_response, "Permissions-Policy") == ["camera=()"]
    assert values(other_response, "X-Frame-Options") == ["DENY"]


segment = st.sampled_from(["a", "b", "ab", "", "é"])
prefix_paths = st.lists(segment, max_size=4).map(lambda parts: "/" + "/".join(parts))


def naive_longest(prefixes: list[str], path: str) -> str | None:
    """Longest prefix by whole segments, the slow obvious way: O(rules).

    Both sides as a router sees them: empty segments ("//", a trailing "/")
    are not routed."""

    def routed(text: str) -> str:
        return "/" + "/".join(part for part in text.split("/") if part)

    best: str | None = None
    for written in prefixes:
        p = routed(written)
        if p == "/" or routed(path) == p or routed(path).startswith(p + "/"):
            if best is None or len(p) > len(routed(best)):
                best = written
    return best


def wsgi(path: str) -> str:
    """``path`` as PEP 3333 puts it in PATH_INFO: its UTF-8 bytes as latin-1."""
    return path.encode("utf-8").decode("latin-1")


@given(
    prefixes=st.lists(prefix_paths, max_size=8, unique_by=normalize), path=prefix_paths
)
def test_property_trie_agrees_with_the_naive_lookup(
    prefixes: list[str], path: str
) -> None:
    table = PrefixTable((p, p) for p in prefixes)
    assert table.longest(wsgi(path)) == naive_longest(prefixes, path)


# Rules with presets, nonces, report-only and the receiver


def test_preset_in_a_rule_replaces_the_base_policy_instead_of_merging() -> None:
    config = {"paths": [{"prefix": "/admin/", "preset": "strict"}]}
    rule = load_config(config).paths[0][1]
    assert rule == load_config({"preset": "strict"})
    admin = dict(headers(rule, https=True))
    assert "img-src * data: blob:" not in admin["Content-Security-Policy"]
    assert admin["X-XSS-Protection"] == "0"


def test_rule_keys_beside_a_preset_win_as_at_the_top_level() -> None:
    config = {
        "permissions_policy": {"camera": []},
        "paths": [
            {
                "prefix": "/admin/",
                "preset": "strict",
                "csp_header": {
                    "default-src": "'self'",
                    "img-src": "https://img.example",
                },
                "permissions_policy": {"usb": []},
            }
        ],
    }
    rule = load_config(config).paths[0][1]
    assert rule.csp_header == (
        ("default-src", ("'self'",)),
        ("img-src", ("https://img.example",)),
    )
    assert rule.permissions_policy == (("usb", ()),)  # replaced, not merged
    assert rule.csp_unsafe_inline is False  # from the preset
    assert dict(headers(rule, https=False))["Content-Security-Policy"] == (
        "default-src 'self'; img-src https://img.example; frame-ancestors 'none'"
    )


def test_a_strict_base_reaches_its_rules() -> None:
    config = {
        "preset": "strict",
        "server_secured": True,
        "paths": [{"prefix": "/api/", "csp_header": False}],
    }
    app = served(config)
    api = app.get("/api/x")
    assert values(api, "Content-Security-Policy") == []
    assert values(api, "X-XSS-Protection") == []  # it goes with the CSP
    assert values(api, "Strict-Transport-Security") == [STRICT_HSTS]
    # The preset's csp_frame_ancestors: false, said without a CSP to carry it.
    assert values(api, "X-Frame-Options") == ["DENY"]


def test_explicit_xss_protection_beats_the_preset() -> None:
    config = load_config({"preset": "strict", "xss_protection": "1; mode=block"})
    assert dict(headers(config, https=False))["X-XSS-Protection"] == "1; mode=block"


def test_force_https_gets_the_strict_hsts_under_the_strict_preset() -> None:
    config = load_config({"preset": "strict", "force_https": True})
    assert dict(headers(config, https=True))["Strict-Transport-Security"] == STRICT_HSTS


def test_nonce_goes_into_the_rule_policy() -> None:
    config = {
        "csp_unsafe_inline": False,
        "csp_unsafe_eval": True,
        "paths": [{"prefix": "/admin", "csp_header": {"script-src": "'self'"}}],
    }
    app = TestApp(SecureHeaders(RecordingApp(nonce=True), config))
    response = app.get("/admin/x")
    policy = response.headers["Content-Security-Policy"]
    assert f"script-src 'self' 'unsafe-eval' 'nonce-{response.text}';" in policy
    assert response.headers["Cache-Control"] == "private"


def test_report_only_policy_derives_no_x_frame_options() -> None:
    with pytest.warns(Warning, match="no report endpoint"):
        config = load_config({"csp_frame_ancestors": False, "csp_report_only": True})
    sent = dict(headers(config, https=False))
    assert "frame-ancestors 'none'" in sent["Content-Security-Policy-Report-Only"]
    assert "X-Frame-Options" not in sent


def test_receiver_answers_whatever_the_rules_say() -> None:
    config = {
        "csp_report_path": "/_/csp",
        "force_https": True,
        "paths": [{"prefix": "/_", "csp_header": False}],
    }
    recorder = RecordingApp()
    app = served(config, app=recorder)
    response = app.post(
        "/_/csp",
        params=b'{"csp-report": {"blocked-uri": "inline"}}',
        content_type="application/csp-report",
        extra_environ=HTTPS,
        expect_errors=True,
    )
    assert response.status_int == 204
    assert recorder.calls == []


@pytest.mark.parametrize("key", ["csp_report_path", "csp_report_max_bytes"])
def test_receiver_keys_are_site_wide(key: str) -> None:
    value = "/_/csp" if key == "csp_report_path" else 1024
    with pytest.raises(
        ConfigError,
        match=re.escape(
            f"paths[0].{key}: not allowed in a rule: the report receiver is one "
            "endpoint for the whole site"
        ),
    ):
        load_config({"paths": [{"prefix": "/a", key: value}]})


def test_a_rule_can_trial_a_report_only_policy() -> None:
    config = {
        "csp_report_uri": "https://reports.example/csp",
        "paths": [
            {"prefix": "/beta", "csp_report_only_header": {"default-src": "'self'"}}
        ],
    }
    app = served(config)
    assert values(app.get("/"), "Content-Security-Policy-Report-Only") == []
    beta = values(app.get("/beta/x"), "Content-Security-Policy-Report-Only")
    assert beta == [
        "default-src 'self'; report-uri https://reports.example/csp; report-to csp-endpoint"
    ]


def test_bad_preset_in_a_rule_names_the_rule() -> None:
    with pytest.raises(
        ConfigError, match=r"^paths\[0\]\.preset: 'strcit' is not a preset"
    ):
        load_config({"paths": [{"prefix": "/a", "preset": "strcit"}]})


# Spellings: matched as routed (more against Flask and Falcon in
# tests/integration/test_path_spellings.py)


@pytest.mark.parametrize(
    "path", ["//admin", "///admin/x", "/admin//x", "//admin//", "/admin/"]
)
def test_empty_segments_are_not_routed(path: str) -> None:
    table = PrefixTable([("/admin/", "admin"), ("/", "root")])
    assert table.longest(path) == "admin"


@pytest.mark.parametrize("path", ["/./admin", "/x/../admin", "/ADMIN", "/admin.x"])
def test_dot_segments_and_case_are_literal(path: str) -> None:
    table = PrefixTable([("/admin/", "admin"), ("/", "root")])
    assert table.longest(path) == "root"


def test_a_prefix_with_repeated_slashes_is_the_same_prefix() -> None:
    with pytest.raises(ConfigError, match="is the prefix of paths\\[0\\] already"):
        load_config({"paths": [{"prefix": "/a/b/"}, {"prefix": "//a//b"}]})


@pytest.mark.parametrize("prefix", ["/café/", "/日本/", "/caf\u00e9"])
def test_a_non_ascii_prefix_matches_pep_3333_path_info(prefix: str) -> None:
    table = PrefixTable([(prefix, "rule")])
    written = prefix.rstrip("/") + "/x"
    assert table.longest(written.encode("utf-8").decode("latin-1")) == "rule"


def test_a_percent_escaped_prefix_is_refused_with_the_character_to_write() -> None:
    with pytest.raises(ConfigError, match="has the escape '%C3'.*'/café/'"):
        load_config({"paths": [{"prefix": "/caf%C3%A9/"}]})


def test_the_plan_of_a_path_seen_lately_is_kept_and_the_memory_is_bounded(
    monkeypatch: pytest.MonkeyPatch, walks: list[str]
) -> None:
    from secheaders_wsgi import response

    monkeypatch.setattr(response, "_PATHS_SEEN", 3)
    config = {
        "csp_frame_ancestors": False,
        "paths": [{"prefix": "/embed/", "csp_frame_ancestors": ["'self'"]}],
    }
    app = served(config)
    framed = {"/embed/a": ["'self'"], "/b": ["'none'"]}
    for path in ["/embed/a", "/embed/a", "/b", "/c", "/d", "/embed/a", "/b"]:
        policy = csp_of(app.get(path).headers["Content-Security-Policy"])
        assert policy["frame-ancestors"] == framed.get(path, ["'none'"])
    # Seen again: no walk; past three paths, all forgotten at once, walked again.
    assert walks == ["/embed/a", "/b", "/c", "/d", "/embed/a", "/b"]
