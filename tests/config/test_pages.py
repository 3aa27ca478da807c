"""framework_pages: the key's checks, what a page changes (its path's CSP
only), show --path and the audit finding for a rule that changes a site-wide
header."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from pathlib import Path
from typing import Any

import django
import httpx
import pytest
from fastapi import FastAPI
from webtest import TestApp

from secheaders_wsgi import ConfigError, SecureHeaders, load_config
from secheaders_wsgi.audit import audit
from secheaders_wsgi.cli import main
from secheaders_wsgi.policy import headers

STRICT = {"preset": "strict", "server_secured": True}
PAGES = ["django_admin", "drf_browsable_api", "django_debug", "fastapi_docs",
         "fastapi_redoc"]  # fmt: skip


def _sent(config: Any, path: str | None = None) -> dict[str, str]:
    if path is not None:
        config = next(rule for prefix, rule in config.paths if prefix == path)
    return dict(headers(config, https=True))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        pytest.param(
            ["django_admni"],
            "framework_pages[0]: 'django_admni' is not a framework page (allowed: django_admin, drf_browsable_api, django_debug, fastapi_docs, fastapi_redoc). Did you mean 'django_admin'?",
            id="typo",
        ),
        pytest.param(
            {"fastapi_doc": "/docs"},
            "framework_pages.fastapi_doc: 'fastapi_doc' is not a framework page (allowed: django_admin, drf_browsable_api, django_debug, fastapi_docs, fastapi_redoc). Did you mean 'fastapi_docs'?",
            id="typo-mapping",
        ),
        pytest.param(
            ["django_admin", "django_admin"],
            "framework_pages[1]: 'django_admin' is listed twice",
            id="twice",
        ),
        pytest.param(
            "django_admin",
            "framework_pages: 'django_admin' is not allowed (allowed: a list of page names (django_admin, drf_browsable_api, django_debug, fastapi_docs, fastapi_redoc), or a mapping of page name to path prefix, e.g. {django_admin: /backoffice/})",
            id="a-string",
        ),
        pytest.param(
            {"django_debug": "/x/"},
            "framework_pages.django_debug: '/x/' is not allowed: django_debug covers every path (its pages answer any URL); list it without a prefix",
            id="debug-prefix",
        ),
        pytest.param(
            {"django_admin": None},
            "framework_pages.django_admin: None is not a string",
            id="null-prefix",
        ),
        pytest.param(
            {"django_admin": "admin/"},
            "framework_pages.django_admin: 'admin/'",
            id="relative-prefix",
        ),
    ],
)
def test_a_bad_value_names_the_key_the_value_and_what_is_allowed(
    value: object, message: str
) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_config({**STRICT, "framework_pages": value})


def test_not_in_a_paths_rule_nor_an_override() -> None:
    with pytest.raises(
        ConfigError, match=r"^paths\[0\]\.framework_pages: not allowed in a rule"
    ):
        load_config({"paths": [{"prefix": "/a/", "framework_pages": ["django_admin"]}]})
    with pytest.raises(
        ConfigError, match=r"^overrides\.x\.framework_pages: not allowed in an override"
    ):
        load_config({"overrides": {"x": {"framework_pages": ["django_admin"]}}})


def test_a_page_changes_only_the_csp_of_its_own_path() -> None:
    config = load_config({**STRICT, "framework_pages": PAGES})
    top = _sent(config)
    for prefix, _ in config.paths:
        here = _sent(config, prefix)
        assert here.pop("Content-Security-Policy") != top["Content-Security-Policy"]
        assert here == {k: v for k, v in top.items() if k != "Content-Security-Policy"}
    assert "'strict-dynamic'" in top["Content-Security-Policy"]
    assert "'strict-dynamic'" not in _sent(config, "/admin/")["Content-Security-Policy"]


def _django_hash(template: str, tag: str) -> str:
    text = (Path(django.__file__).parent / "views" / "templates" / template).read_text()
    block = re.search(f"<{tag}>(.*?)</{tag}>", text, re.S)
    assert block is not None
    digest = hashlib.sha256(block.group(1).encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def test_django_debug_hashes_the_debug_pages_blocks_everywhere_inline_is_off() -> None:
    config = load_config({**STRICT, "framework_pages": ["django_debug"]})
    csp = _sent(config)["Content-Security-Policy"]
    assert _django_hash("technical_404.html", "style") in csp
    assert _django_hash("technical_500.html", "script") in csp
    # Beside 'unsafe-inline' (the defaults) a hash would switch it off.
    default = load_config({"framework_pages": ["django_debug"]})
    assert "sha256" not in _sent(default)["Content-Security-Policy"]


def test_redoc_keeps_unsafe_inline_styles_working_beside_the_debug_hashes() -> None:
    config = load_config(
        {**STRICT, "framework_pages": ["django_debug", "fastapi_redoc"]}
    )
    style = dict(
        d.split(" ", 1)
        for d in _sent(config, "/redoc")["Content-Security-Policy"].split("; ")
    )["style-src"]
    assert "'unsafe-inline'" in style and "sha256" not in style


def test_a_rule_at_the_page_prefix_keeps_its_keys_and_gets_the_page() -> None:
    config = load_config({**STRICT, "framework_pages": ["django_admin"],
                          "paths": [{"prefix": "/admin", "csp_frame_ancestors": ["'self'"]}]})  # fmt: skip
    assert [prefix for prefix, _ in config.paths] == ["/admin"]
    csp = _sent(config, "/admin")["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in csp and "'strict-dynamic'" not in csp


def test_fastapi_pages_read_the_wrapped_apps_settings() -> None:
    from secheaders_wsgi.asgi import SecureHeaders as Asgi

    api = FastAPI(docs_url="/api-docs", openapi_url="/v1/openapi.json")
    app = Asgi(api, {**STRICT, "framework_pages": ["fastapi_docs"]})
    assert [prefix for prefix, _ in app.config.paths] == ["/api-docs"]
    served = asyncio.run(_get(app, "/api-docs"))
    script = re.search(r"<script>(.*?)</script>", served.text, re.S)
    assert script is not None
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest())
    assert f"'sha256-{digest.decode()}'" in served.headers["content-security-policy"]
    default = load_config({**STRICT, "framework_pages": ["fastapi_docs"]})
    assert (
        f"'sha256-{digest.decode()}'"
        not in _sent(default, "/docs")["Content-Security-Policy"]
    )


async def _get(app: Any, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.get(path)


def test_fastapi_pages_refuse_an_app_that_is_not_fastapi_or_has_no_page() -> None:
    def wsgi(environ: Any, start_response: Any) -> list[bytes]:
        return []

    with pytest.raises(
        ConfigError,
        match=r"^framework_pages.fastapi_docs: the wrapped app is not a FastAPI app \(function\)",
    ):
        SecureHeaders(wsgi, {"framework_pages": ["fastapi_docs"]})
    with pytest.raises(
        ConfigError,
        match=r"^framework_pages.fastapi_redoc: the app turned this page off \(redoc_url=None\)",
    ):
        from secheaders_wsgi.asgi import SecureHeaders as Asgi

        Asgi(FastAPI(redoc_url=None), {"framework_pages": ["fastapi_redoc"]})


def test_show_path_names_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "security.yaml"
    config.write_text("preset: strict\nframework_pages: [django_admin]\n")
    assert main(["show", str(config), "--path", "/admin/login/"]) == 0
    out = capsys.readouterr()
    assert out.err == "/admin/login/: framework_pages django_admin (prefix '/admin/')\n"
    assert "script-src 'self';" in out.out


def test_audit_names_a_rule_that_changes_a_site_wide_header() -> None:
    config = load_config(
        {**STRICT, "paths": [{"prefix": "/admin/", "preset": "standard"}]}
    )
    found = [f for f in audit(config) if f.rule == "paths-site-wide-header"]
    hsts = next(f for f in found if "Strict-Transport-Security" in f.message)
    assert (hsts.severity, hsts.prefix) == ("medium", "/admin/")
    assert "max-age=31556926; includeSubDomains" in hsts.message
    assert hsts.fix.startswith("remove preset: standard from the rule")
    pages = load_config({**STRICT, "framework_pages": PAGES})
    assert [f for f in audit(pages) if f.rule == "paths-site-wide-header"] == []


def test_werkzeugs_debugger_serves_its_page_outside_the_middleware() -> None:
    # What flask run --debug builds: DebuggedApplication around the Flask app,
    # whose wsgi_app init_app wrapped. The traceback gets none of our headers.
    from flask import Flask
    from werkzeug.debug import DebuggedApplication

    from secheaders_wsgi.flask import init_app

    flask_app = Flask(__name__)
    flask_app.debug = True
    init_app(flask_app, {"preset": "strict"})

    @flask_app.get("/boom")
    def boom() -> str:
        raise RuntimeError("boom")

    page = TestApp(DebuggedApplication(flask_app)).get(
        "/boom", status=500, expect_errors=True
    )
    assert "Traceback" in page.text
    assert "Content-Security-Policy" not in page.headers
