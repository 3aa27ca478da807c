"""``hashes`` and ``audit --templates``: which text is hashed, and what the audit says.

test_rollout_browser.py proves in Chromium that these hashes are the ones the
browser computes.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from secheaders_wsgi import SecurityWarning, load_config
from secheaders_wsgi.cli import main
from secheaders_wsgi.inline.hashes import (
    MAX_BYTES,
    find_blocks,
    hash_source,
    yaml_snippet,
)
from secheaders_wsgi.policy import csp_directives
from secheaders_wsgi.rollout.templates import template_findings


def sha(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def test_hash_source_is_base64_sha256_of_the_utf8_text() -> None:
    assert hash_source("alert(1)") == (
        "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"
    )
    assert hash_source("é") == sha("é")


@pytest.mark.parametrize(
    ("html", "texts"),
    [
        pytest.param("<script>\n  go();\n</script>", ["\n  go();\n"], id="raw-text"),
        pytest.param("<script>a()\r\nb()\r</script>", ["a()\nb()\n"], id="crlf-is-lf"),
        pytest.param(
            '<script>s = "&amp;<b>"</script>', ['s = "&amp;<b>"'], id="no-decode"
        ),
        pytest.param("<SCRIPT>x()</SCRIPT>", ["x()"], id="upper-case"),
        pytest.param('<script type="module">m()</script>', ["m()"], id="module"),
        pytest.param('<script src="/a.js"></script>', [], id="src-skipped"),
        pytest.param(
            '<script type="application/ld+json">{"a": 1}</script>', [], id="data-block"
        ),
        pytest.param(
            "<style>p { color: red }</style>", ["p { color: red }"], id="style"
        ),
        pytest.param(
            '<a onclick="go(&quot;x&quot;)" href="#">',
            ['go("x")'],
            id="handler-decoded",
        ),
        pytest.param(
            '<p style="color: red;&#10;">', ["color: red;\n"], id="style-attr"
        ),
        pytest.param(
            "<script>const s = `a${b}`;</script>",
            ["const s = `a${b}`;"],
            id="js-template-literal",
        ),  # fmt: skip
    ],
)
def test_the_text_hashed_is_the_text_between_the_tags(
    html: str, texts: list[str]
) -> None:
    blocks = find_blocks("page.html", html)
    assert [b.text for b in blocks] == texts
    assert [b.source for b in blocks] == [sha(t) for t in texts]


@pytest.mark.parametrize(
    ("html", "mark"),
    [
        ("<script>var user = {{ user|tojson }};</script>", "{{"),
        ("<script>{% if debug %}log(){% endif %}</script>", "{%"),
        ("<script>var x = <%= x %>;</script>", "<%"),
        ("<style>p { color: ${color} }</style>", "${"),
        ("<script>var u = '${user}';</script>", "${"),
        ('<button onclick="open({{ id }})">', "{{"),
    ],
)
def test_template_syntax_is_not_hashable(html: str, mark: str) -> None:
    (block,) = find_blocks("t.html", html)
    assert block.source is None
    assert (
        block.reason == f"holds template syntax {mark!r}: nonce it or move it to a file"
    )


def test_blocks_know_their_line_kind_and_nonce() -> None:
    html = '<p>\n<script nonce="{{ n }}">a()</script>\n<b onmouseover="b()">x</b>'
    blocks = find_blocks("p.html", html)
    assert [(b.line, b.kind, b.label, b.nonced) for b in blocks] == [
        (2, "script", "script", True),
        (3, "handler", "onmouseover on <b>", False),
    ]


def test_the_yaml_snippet_is_a_valid_config_with_each_hash_once() -> None:
    html = (
        "<script>a()</script><script>a()</script><style>p{}</style>"
        '<i onclick="c()" style="margin: 0"></i>'
    )
    snippet = yaml_snippet(find_blocks("p.html", html))
    data = yaml.safe_load(snippet)
    assert data["csp_header"] == {
        "script-src": ["'self'", sha("a()")],
        "script-src-attr": ["'unsafe-hashes'", sha("c()")],
        "style-src": ["'self'", sha("p{}")],
        "style-src-attr": ["'unsafe-hashes'", sha("margin: 0")],
    }
    # Only what the hashes need: 'unsafe-eval' stays as the config has it.
    assert data["csp_unsafe_inline"] is False
    assert "csp_unsafe_eval" not in data
    with pytest.warns(SecurityWarning, match="csp_unsafe_eval defaults to true"):
        load_config(data)
    config = load_config({**data, "csp_unsafe_eval": True})
    script_src = dict(csp_directives(config) or ())["script-src"]
    assert sha("a()") in script_src and "'unsafe-inline'" not in script_src
    assert "'unsafe-eval'" in script_src


def test_cli_prints_each_block_then_the_snippet(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.html"
    page.write_text("<script>a()</script>\n<div onclick='c()'>{{ x }}</div>")
    assert main(["hashes", str(page)]) == 0
    out = capsys.readouterr().out
    assert f"{page}:1  script  script-src  {sha('a()')}\n" in out
    assert f"{page}:2  onclick on <div>  script-src-attr  {sha('c()')}" in out
    assert "(with 'unsafe-hashes')" in out
    assert out.split("\n\n", 1)[1] == yaml_snippet(
        find_blocks(str(page), page.read_text())
    )


def test_cli_json_and_unreadable_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "t.html"
    page.write_text("<script>{{ x }}</script>")
    assert main(["hashes", "--json", str(page)]) == 0
    (block,) = json.loads(capsys.readouterr().out)["blocks"]
    assert block["source"] is None and "'{{'" in block["not_hashable"]
    latin = tmp_path / "latin.html"
    latin.write_bytes(b"<script>'\xe9'</script>")
    assert main(["hashes", str(latin)]) == 2
    assert "not UTF-8" in capsys.readouterr().err


# -- audit --templates


def _templates(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    for name, text in files.items():
        (folder / name.replace("_", ".")).write_text(text)
    return folder


def test_a_hashed_block_passes_and_an_unhashed_one_is_medium(tmp_path: Path) -> None:
    folder = _templates(
        tmp_path, ok_html="<script>a()</script>", bad_html="<script>b()</script>"
    )
    config = load_config(
        {
            "csp_unsafe_inline": False,
            "csp_unsafe_eval": False,
            "csp_header": {"script-src": ["'self'", sha("a()")]},
        }
    )
    (finding,) = template_findings(config, folder)
    assert finding.rule == "template-inline-blocked"
    assert finding.severity == "medium"
    assert finding.message == (
        f"{folder}/bad.html:1 <script> is blocked by browsers: its hash is not in "
        "script-src"
    )
    # The policy sends a nonce in script-src, so a nonce works too.
    assert finding.fix == (
        f"add {sha('b()')} to csp_header: script-src, or give it a nonce "
        '(nonce="{{ csp_nonce() }}" in the tag)'
    )


def test_with_unsafe_inline_an_unhashed_block_is_low(tmp_path: Path) -> None:
    folder = _templates(tmp_path, a_html="<style>p{}</style>")
    (finding,) = template_findings(load_config({}), folder)  # defaults: unsafe-inline
    assert (finding.rule, finding.severity) == ("template-inline-unhashed", "low")
    assert finding.fix.endswith("then csp_unsafe_inline: false")


def test_handlers_need_unsafe_hashes_and_nonced_tags_are_left_out(
    tmp_path: Path,
) -> None:
    folder = _templates(
        tmp_path,
        a_html='<script nonce="{{ csp_nonce }}">{{ x }}</script><i onclick="c()"></i>',
        b_txt="<script>not a template</script>",
    )
    hash_only = {"script-src": ["'self'"], "script-src-attr": [sha("c()")]}
    config = load_config(
        {
            "csp_unsafe_inline": False,
            "csp_unsafe_eval": False,
            "csp_header": hash_only,
        }
    )
    (finding,) = template_findings(config, folder)
    assert "onclick on <i>" in finding.message
    assert (
        finding.fix
        == f"add 'unsafe-hashes' and {sha('c()')} to csp_header: script-src-attr"
    )
    hash_only["script-src-attr"].insert(0, "'unsafe-hashes'")
    config = load_config(
        {
            "csp_unsafe_inline": False,
            "csp_unsafe_eval": False,
            "csp_header": hash_only,
        }
    )
    assert template_findings(config, folder) == []


def test_audit_cli_adds_template_findings_and_fails_on_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _templates(tmp_path, a_html="<script>{{ x }}</script>")
    cfg = tmp_path / "security.yaml"
    cfg.write_text("csp_unsafe_inline: false\ncsp_unsafe_eval: false\n")
    code = main(["audit", str(cfg), "--templates", str(folder), "--fail-on", "medium"])
    out = capsys.readouterr().out
    assert code == 1
    assert (
        f"MEDIUM  template-inline-blocked: {folder}/a.html:1 <script> is blocked by "
        "browsers: it cannot be hashed, and it has no nonce attribute"
    ) in out


def test_the_readme_example_is_what_the_command_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    readme = (Path(__file__).parent.parent / "docs" / "reporting.md").read_text(
        encoding="utf-8"
    )
    (tmp_path / "base.html").write_text(
        "<script>\n  initMenu();\n</script>\n"
        '<button onclick="buy()">Buy</button>\n'
        "<script>var user = {{ user|tojson }};</script>\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["hashes", "base.html"]) == 0
    listing = capsys.readouterr().out.split("\n\n")[0]
    assert f"```\n{listing}\n```" in readme


@pytest.mark.parametrize(
    ("command", "says"),
    [
        ("reports", "Reports from browser extensions and browser pages are counted"),
        ("hashes", "Blocks holding template syntax ({{, {%, <% ...)"),
    ],
)
def test_help(command: str, says: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit:
        main([command, "--help"])
    assert exit.value.code == 0
    assert says in " ".join(capsys.readouterr().out.split())


# -- nonced tags, files that cannot be read whole, and what a policy can use


def test_hashes_skips_a_nonced_tag_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression: a tag with nonce= was hashed, and its hash put in the snippet.
    page = tmp_path / "page.html"
    page.write_text(
        '<script nonce="{{ csp_nonce() }}">a()</script>\n'
        '<style nonce="{{ csp_nonce() }}" onclick="b()">p{}</style>\n'
    )
    assert main(["hashes", str(page)]) == 0
    out = capsys.readouterr().out
    listing, snippet = out.split("\n\n")
    assert listing.splitlines() == [
        f"{page}:1  script  skipped: nonced (no hash needed where the policy takes "
        "nonces)",
        f"{page}:2  onclick on <style>  script-src-attr  {sha('b()')}  (with "
        "'unsafe-hashes')",
        f"{page}:2  style  skipped: nonced (no hash needed where the policy takes "
        "nonces)",
    ]
    assert yaml.safe_load(snippet)["csp_header"] == {
        "script-src-attr": ["'unsafe-hashes'", sha("b()")]
    }
    assert main(["hashes", "--json", str(page)]) == 0
    first, _, third = json.loads(capsys.readouterr().out)["blocks"]
    assert (first["nonced"], first["source"]) == (True, None)
    assert (third["nonced"], third["source"]) == (True, None)


def test_hashes_lists_every_file_it_can_and_exits_2_naming_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Regression: "<![ b" raised AssertionError from html.parser, a traceback.
    good = tmp_path / "good.html"
    good.write_text("<script>a()</script>")
    cut = tmp_path / "cut.html"
    cut.write_text("<script>b()</script>\n<p>\n<![ b <script c()")
    big = tmp_path / "big.html"
    big.write_bytes(b"<p>" * (MAX_BYTES // 3 + 1))
    latin = tmp_path / "latin.html"
    latin.write_bytes(b"<script>'\xe9'</script>")
    missing = tmp_path / "missing.html"
    files = [good, cut, big, latin, missing]
    assert main(["hashes", *map(str, files)]) == 2
    out, err = capsys.readouterr()
    assert out.split("\n\n")[0].splitlines() == [
        f"{good}:1  script  script-src  {sha('a()')}",
        f"{cut}:1  script  script-src  {sha('b()')}",
    ]
    assert err.splitlines() == [
        f"error: {cut}:3: the file ends inside a '<!' declaration opened here; "
        "browsers ignore the rest of the file, and so did this scan",
        f"error: {big}: larger than 2 MiB, more than a page or template holds; not "
        "scanned; check its inline blocks by hand, or split it",
        f"error: {latin}: not UTF-8 (invalid continuation byte); save it as UTF-8",
        f"error: {missing}: cannot be read (No such file or directory); check the path",
    ]
    assert main(["hashes", "--json", str(cut), str(big)]) == 2
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert [(p["file"], p["line"]) for p in problems] == [
        (str(cut), 3),
        (str(big), None),
    ]


def test_audit_templates_reports_the_files_it_could_not_read_whole(
    tmp_path: Path,
) -> None:
    folder = _templates(tmp_path, cut_html='<p>\n<a href="x>', latin_html="")
    (folder / "latin.html").write_bytes(b"<p>\xe9</p>")
    findings = template_findings(load_config({}), folder)
    assert [(f.rule, f.severity, f.message, f.fix) for f in findings] == [
        (
            "template-unfinished",
            "low",
            f"{folder}/cut.html:2: the file ends inside a quoted value in the tag <a "
            "opened here; browsers ignore the rest of the file, and so did this scan",
            "close it; a template that is cut there on purpose is checked only up "
            "to it",
        ),
        (
            "template-unreadable",
            "low",
            f"{folder}/latin.html: not UTF-8 (invalid continuation byte)",
            "save it as UTF-8",
        ),
    ]


def test_audit_templates_refuses_a_folder_that_is_not_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # rglob() of a missing folder finds nothing, which read as "all fine".
    missing = tmp_path / "templats"
    assert main(["audit", "--templates", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"error: --templates: {missing}: no such folder\n")


UNSAFE_INLINE_OFF = {"csp_unsafe_inline": False, "csp_unsafe_eval": False}
GIVE_NONCE = 'give it a nonce (nonce="{{ csp_nonce() }}" in the tag)'
TEMPLATED = "it holds template syntax '{{', so no hash fits"


@pytest.mark.parametrize(
    ("config", "html", "fix"),
    [
        pytest.param(
            {},
            "<script>var u = {{ u }};</script>",
            f"move it to a file ({TEMPLATED}), or set csp_unsafe_inline: false and "
            f"{GIVE_NONCE}",
            id="defaults-send-no-nonce",
        ),
        pytest.param(
            {},
            '<script nonce="{{ n }}">a()</script>',
            f"add {sha('a()')} to csp_header: script-src, or set csp_unsafe_inline: "
            "false so that its nonce= counts",
            id="defaults-ignore-a-nonced-tag",
        ),
        pytest.param(
            UNSAFE_INLINE_OFF,
            "<script>var u = {{ u }};</script>",
            f"{GIVE_NONCE} or move it to a file ({TEMPLATED})",
            id="nonce-sent",
        ),
        pytest.param(
            {**UNSAFE_INLINE_OFF, "csp_nonce_directives": ["style-src"]},
            "<script>var u = {{ u }};</script>",
            f"move it to a file ({TEMPLATED}), or add script-src to "
            f"csp_nonce_directives and {GIVE_NONCE}",
            id="directive-without-nonce",
        ),
        pytest.param(
            {**UNSAFE_INLINE_OFF, "csp_nonce_directives": []},
            '<script nonce="{{ n }}">{{ a }}</script>',
            "add script-src to csp_nonce_directives so that its nonce= counts",
            id="nonced-tag-no-nonce-directives",
        ),
        pytest.param(
            {
                **UNSAFE_INLINE_OFF,
                "csp_header": {"script-src": ["'self'", "'unsafe-inline'"]},
            },
            "<script>var u = {{ u }};</script>",
            f"move it to a file ({TEMPLATED}, and this policy sends no nonce to "
            "script-src)",
            id="unsafe-inline-written-in-the-policy",
        ),
        pytest.param(
            {"preset": "strict"},
            '<button onclick="go({{ id }})">',
            f"move it to a file ({TEMPLATED}; a nonce does not cover an attribute)",
            id="attribute",
        ),
    ],
)
def test_audit_templates_suggests_a_nonce_only_where_the_policy_sends_one(
    tmp_path: Path, config: dict[str, Any], html: str, fix: str
) -> None:
    # Regression: the fix said "nonce it" under the defaults, whose
    # 'unsafe-inline' keeps any nonce out of the policy.
    folder = _templates(tmp_path, a_html=html)
    (finding,) = [
        f
        for f in template_findings(load_config(config), folder)
        if f.rule.startswith("template")
    ]
    assert finding.fix.removesuffix(", then csp_unsafe_inline: false") == fix
