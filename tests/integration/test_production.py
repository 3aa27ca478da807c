"""docs/production.md, run as the page says.

For each framework: the page's files written to a folder, the page's openssl
command, then its TLS server command on a free port; a request the throwaway
certificate verifies gets a page that passes ``assert_secure_headers``. Then
its production command, spoken to as nginx speaks to it (plain http, the
browser's Host, ``X-Forwarded-Proto``). Django also runs its set-up commands
(their output is the page's), the project's own tests under Django's test
runner, and the admin's login: accepted over https, refused over plain http
under the same config, the claim the page makes.

The commands run in bash in a temporary folder (``examples`` importable), the
server's with ``exec`` so that stopping the shell stops the server.
"""

from __future__ import annotations

import os
import re
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from secheaders_wsgi.testing import assert_secure_headers
from tests import doc_snippets as snippets
from tests.support import ROOT, free_port, running

PAGE = (ROOT / "docs" / "production.md").read_text(encoding="utf-8")
#: The venv's servers and python first: the page's commands name them bare.
ENV = {"PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
# Lines a reader runs by hand that the test does not: installs, and the
# prompt for a password (the test makes its user without one).
BY_HAND = ("pip install", "python -m django createsuperuser")


def _section(title: str) -> list[snippets.Block]:
    """The blocks under the page's ``## title``, up to the next ``## ``."""
    start = PAGE.index(f"\n## {title}\n")
    end = PAGE.find("\n## ", start + 1)
    text = PAGE[start : end if end != -1 else len(PAGE)]
    return snippets.blocks(text)


def _commands(blocks: list[snippets.Block]) -> list[tuple[str, list[str]]]:
    return [
        session
        for block in blocks
        if block.lang == "console"
        for session in snippets.shell_sessions(block.code)
        if not session[0].startswith(BY_HAND)
    ]


def _server(blocks: list[snippets.Block], tls: bool) -> str:
    """The section's one server command over TLS, or its production one."""
    servers = [
        command
        for command, _ in _commands(blocks)
        if command.startswith(("gunicorn ", "uvicorn "))
        and ("certfile" in command) is tls
    ]
    assert len(servers) == 1, servers
    return servers[0]


def _exports(blocks: list[snippets.Block]) -> list[str]:
    return [
        command for command, _ in _commands(blocks) if command.startswith("export ")
    ]


def _certified(where: Path) -> Path:
    """``where``, with the page's certificate made by the page's own command."""
    section = _section("Try it over https on your machine")
    (openssl,) = [command for command, _ in _commands(section)]
    _bash([openssl], where)
    return where


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return _certified(tmp_path)


def _bash(lines: list[str], where: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["bash", "-ec", "\n".join(lines)],
        cwd=where,
        env={**os.environ, **ENV, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


@contextmanager
def _serving(
    command: str, where: Path, before: list[str], env: dict[str, str] | None = None
) -> Iterator[int]:
    """Run the page's server ``command`` on a free port; yields the port."""
    port = free_port()
    command = re.sub(r"\b(8000|8443)\b", str(port), command, count=1)
    script = "\n".join([*before, f"exec {command}"])
    with running(
        ["bash", "-ec", script],
        port,
        cwd=where,
        env={**ENV, **(env or {})},
        python=False,
        timeout=60,
    ):
        yield port


def _https(folder: Path, **options: object) -> httpx.Client:
    """A client that trusts the throwaway certificate, and no other."""
    trust = ssl.create_default_context(cafile=folder / "cert.pem")
    return httpx.Client(verify=trust, timeout=30, **options)  # type: ignore[arg-type]


def _as_nginx(port: int, path: str = "/", proto: str = "https") -> httpx.Response:
    # What the nginx server block of docs/deployment.md sends upstream.
    headers = {"Host": "example.com", "X-Forwarded-Proto": proto}
    return httpx.get(f"http://127.0.0.1:{port}{path}", headers=headers, timeout=30)


def _write_files(title: str, where: Path) -> list[snippets.Block]:
    blocks = _section(title)
    snippets.write_files(blocks, where)
    return blocks


def test_flask(folder: Path) -> None:
    blocks = _write_files("Flask", folder)
    config = folder / "security.yaml"

    with _serving(_server(blocks, tls=True), folder, []) as port, _https(folder) as c:
        response = c.get(f"https://127.0.0.1:{port}/")
    assert response.status_code == 200
    assert response.headers["server"].startswith("gunicorn")
    assert_secure_headers(response, config)
    assert f'href="https://127.0.0.1:{port}/"' in response.text

    with _serving(_server(blocks, tls=False), folder, []) as port:
        proxied = _as_nginx(port)
    assert_secure_headers(proxied, config)
    assert 'href="https://example.com/"' in proxied.text


def test_fastapi(folder: Path) -> None:
    blocks = _write_files("FastAPI with its docs", folder)
    config = folder / "security.yaml"
    paths = ["/", "/docs", "/redoc", "/notes"]

    with _serving(_server(blocks, tls=True), folder, []) as port, _https(folder) as c:
        responses = [c.get(f"https://127.0.0.1:{port}{path}") for path in paths]
    for response in responses:
        assert response.status_code == 200, response.request.url
        assert_secure_headers(response, config)
    docs = responses[1].headers["content-security-policy"]
    assert "https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js" in docs

    with _serving(_server(blocks, tls=False), folder, []) as port:
        proxied = _as_nginx(port, proto="http")  # server_secured: https anyway
    assert_secure_headers(proxied, config)
    assert "strict-transport-security" in proxied.headers


def test_starlette(folder: Path) -> None:
    blocks = _write_files("Starlette", folder)
    config = folder / "security.yaml"

    with _serving(_server(blocks, tls=True), folder, []) as port, _https(folder) as c:
        response = c.get(f"https://127.0.0.1:{port}/")
    assert response.status_code == 200  # over TLS: nothing to redirect
    assert_secure_headers(response, config)
    assert f'href="https://127.0.0.1:{port}/"' in response.text

    with _serving(_server(blocks, tls=False), folder, []) as port:
        secure, plain = _as_nginx(port), _as_nginx(port, proto="http")
    assert_secure_headers(secure, config)
    assert 'href="https://example.com/"' in secure.text
    assert plain.status_code == 301
    assert plain.headers["location"] == "https://example.com/"


# -- Django: the example project, its set-up, its tests, the admin's login.

DJANGO = "Django with the admin"
PASSWORD = "a long password for the test"


@pytest.fixture(scope="module")
def django_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The page's set-up commands run, their output checked, and a user made."""
    folder = _certified(tmp_path_factory.mktemp("django"))
    blocks = _section(DJANGO)
    sessions = [
        (command, output)
        for command, output in _commands(blocks)
        if not command.startswith(("gunicorn ", "uvicorn "))
    ]
    printed = _bash([command for command, _ in sessions], folder, _django_env(folder))
    for command, output in sessions:
        for line in output:
            assert line in printed.splitlines(), (command, line, printed)
    _bash(
        [*_exports(blocks), "python -m django createsuperuser --noinput"],
        folder,
        {
            **_django_env(folder),
            "DJANGO_SUPERUSER_USERNAME": "admin",
            "DJANGO_SUPERUSER_EMAIL": "admin@example.com",
            "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
        },
    )
    return folder


def _django_env(folder: Path) -> dict[str, str]:
    # Where the example keeps its database and collected files: not in the
    # repository.
    return {
        "DJANGO_DATABASE": str(folder / "db.sqlite3"),
        "DJANGO_STATIC_ROOT": str(folder / "static"),
    }


def _log_in(client: httpx.Client, origin: str) -> httpx.Response:
    """The admin's login form, as a browser posts it from ``origin``."""
    form = client.get(f"{origin}/admin/login/")
    assert form.status_code == 200
    (token,) = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    return client.post(
        f"{origin}/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": token, "username": "admin", "password": PASSWORD},
        headers={"Origin": origin, "Referer": f"{origin}/admin/login/"},
    )


def test_django_over_tls_logs_in(django_site: Path) -> None:
    blocks = _section(DJANGO)
    config = ROOT / "examples" / "django_production" / "security.yaml"
    env = _django_env(django_site)

    with (
        _serving(_server(blocks, tls=True), django_site, _exports(blocks), env) as port,
        _https(django_site) as client,
    ):
        origin = f"https://127.0.0.1:{port}"
        home = client.get(f"{origin}/")
        static = client.get(f"{origin}/static/admin/js/nav_sidebar.js")
        logged_in = _log_in(client, origin)
        admin = client.get(f"{origin}/admin/")

    assert_secure_headers(home, config)
    # WhiteNoise's static files come through the middleware too.
    assert static.status_code == 200
    assert_secure_headers(static, config)
    assert logged_in.status_code == 302, logged_in.text
    assert logged_in.headers["location"] == "/admin/"
    assert admin.status_code == 200 and "Site administration" in admin.text
    assert_secure_headers(admin, config)


def test_django_production_command_refuses_a_plain_http_login(
    django_site: Path,
) -> None:
    # The same config over plain http, as a trial without TLS would serve it:
    # the app believes https, the browser's Origin says http.
    blocks = _section(DJANGO)
    env = _django_env(django_site)

    with _serving(
        _server(blocks, tls=False), django_site, _exports(blocks), env
    ) as port:
        origin = f"http://127.0.0.1:{port}"
        # The cookie jar would keep Secure cookies off plain http: send the
        # cookie by hand, so that only the Origin decides.
        form = httpx.get(f"{origin}/admin/login/", timeout=30)
        (token,) = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)

        def post(browser_origin: str) -> httpx.Response:
            return httpx.post(
                f"{origin}/admin/login/?next=/admin/",
                data={
                    "csrfmiddlewaretoken": token,
                    "username": "admin",
                    "password": PASSWORD,
                },
                headers={
                    "Origin": browser_origin,
                    "Cookie": f"csrftoken={form.cookies['csrftoken']}",
                },
                timeout=30,
            )

        refused = post(origin)
        # The control: the Origin a browser on https would send gets in.
        accepted = post(origin.replace("http://", "https://"))
    assert "Secure" in form.headers["set-cookie"]
    assert refused.status_code == 403
    assert accepted.status_code == 302, accepted.text


def test_django_projects_own_tests_pass(django_site: Path) -> None:
    blocks = _section(DJANGO)
    printed = _bash(
        [*_exports(blocks), "python -m django test examples.django_production"],
        django_site,
        _django_env(django_site),
    )

    assert re.search(r"^Ran 3 tests in ", printed, re.MULTILINE), printed
    assert re.search(r"^OK$", printed, re.MULTILINE), printed


def test_the_pages_django_files_are_the_examples() -> None:
    # The page shows the project's files: they must not drift apart.
    project = ROOT / "examples" / "django_production"
    blocks = _section(DJANGO)
    (fragment,) = [b for b in blocks if "tested copy" in b.first_line]
    (config,) = [b for b in blocks if b.file_name == "security.yaml"]

    settings = (project / "settings.py").read_text(encoding="utf-8")
    assert fragment.code.split("\n", 1)[1] in settings
    assert config.code.split("\n", 1)[1] == (project / "security.yaml").read_text()
