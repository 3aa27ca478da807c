"""``show --override NAME [--path P]`` and ``audit`` of each entry of ``overrides:``."""

from __future__ import annotations

from typing import Any

from secheaders_wsgi import SecureHeaders, use_override
from secheaders_wsgi.cli import main
from tests.support import TestApp

CONFIG = """\
paths:
  - prefix: /api/
    referrer_policy: no-referrer
overrides:
  embed:
    csp_frame_ancestors: ["'self'", "https://partner.example"]
  open:
    csp_unsafe_inline: false
    csp_unsafe_eval: true
    csp_header: {script-src: "*"}
"""


def shown(capsys: Any, *args: str) -> tuple[int, dict[str, str], str]:
    status = main(["show", *args])
    out, err = capsys.readouterr()
    lines = dict(line.split(": ", 1) for line in out.splitlines())
    return status, lines, err


def test_show_override_prints_what_a_response_using_it_gets(
    yaml_file: Any, capsys: Any
) -> None:
    path = str(yaml_file(CONFIG))
    status, lines, err = shown(capsys, path, "--override", "embed")
    assert status == 0
    assert lines["Content-Security-Policy"].endswith(
        "frame-ancestors 'self' https://partner.example"
    )
    assert "override 'embed' applied" in err


def test_show_override_with_path_merges_onto_the_rule(
    yaml_file: Any, capsys: Any
) -> None:
    path = str(yaml_file(CONFIG))
    status, lines, _ = shown(capsys, path, "--path", "/api/x", "--override", "embed")
    assert status == 0
    assert lines["Referrer-Policy"] == "no-referrer"
    assert (
        "frame-ancestors 'self' https://partner.example"
        in (lines["Content-Security-Policy"])
    )


def test_show_override_is_what_the_middleware_sends(
    yaml_file: Any, capsys: Any
) -> None:
    path = str(yaml_file(CONFIG))
    _, lines, _ = shown(
        capsys, path, "--http", "--path", "/api/", "--override", "embed"
    )

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        use_override(environ, "embed")
        start_response("200 OK", [])
        return [b""]

    sent = TestApp(SecureHeaders(app, path)).get("/api/").headerlist
    assert sent == list(lines.items())


def test_show_unknown_override_exits_2_with_did_you_mean(
    yaml_file: Any, capsys: Any
) -> None:
    status = main(["show", str(yaml_file(CONFIG)), "--override", "embd"])
    _, err = capsys.readouterr()
    assert status == 2
    assert "'embd' is not in the config's overrides: (allowed: embed, open)" in err
    assert "Did you mean 'embed'?" in err


def test_audit_reports_an_override_that_weakens_the_policy(
    yaml_file: Any, capsys: Any
) -> None:
    main(["audit", str(yaml_file(CONFIG))])
    out = capsys.readouterr().out
    flagged = [line for line in out.splitlines() if "[overrides " in line]
    assert any(
        line.startswith("HIGH") and "[overrides open]" in line for line in flagged
    )
    assert not any("[overrides embed]" in line for line in flagged)


def _doc_section() -> str:
    from tests.support import ROOT

    text = (ROOT / "docs" / "overrides.md").read_text(encoding="utf-8")
    return text[: text.index("## Flask and Django helpers")]


def test_the_docs_config_example_gives_what_the_docs_say() -> None:
    import re

    import yaml

    config = re.search(r"```yaml\n(.*?)```", _doc_section(), re.DOTALL)
    assert config is not None

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        use_override(environ, "embed")
        start_response("200 OK", [])
        return [b""]

    loaded = yaml.safe_load(config.group(1))
    response = TestApp(SecureHeaders(app, loaded)).get("/")
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://partner.example" in policy
    assert "X-Frame-Options" not in response.headers

    def plain(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        start_response("200 OK", [])
        return [b""]

    framed = TestApp(SecureHeaders(plain, loaded)).get("/")
    assert framed.headers["X-Frame-Options"] == "DENY"


def test_the_docs_table_names_each_function_and_the_decorators() -> None:
    import secheaders_wsgi

    section = _doc_section()
    for name in ("use_override", "update_csp", "replace_csp", "drop_headers"):
        assert f"{name}(environ" in section
        assert name in secheaders_wsgi.__all__
    for decorator in ("@override(", "@csp_update(", "@csp_replace(", "@omit_headers("):
        assert decorator in section
