"""Framework pages work in headless Chromium under ``preset: strict`` plus the
one documented line (``framework_pages``), with no CSP violation, while the
site's own pages keep the strict policy.

The Django project (examples/django_admin: the admin, a DRF API, DEBUG on for
the technical 404) runs under waitress, the FastAPI app (examples/fastapi_docs)
under uvicorn, each in a process of its own. There is no internet: the CDN
files FastAPI's pages load are served by Playwright's request routing, from
the real Swagger UI and ReDoc builds that drf-spectacular-sidecar ships, at the
exact URLs the pages name, so the policy that names those URLs is what is
tested.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from tests.support import django_served, free_port, running

if TYPE_CHECKING:
    from playwright.sync_api import Page, Request, Route

# Records every violation a page reports, from its first script on.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(event.violatedDirective + " " + event.blockedURI);
});
"""
# What an injection would add to a site page: an inline script, no nonce.
INJECTED = b"<script>window.injected = true;</script>"


class Watched:
    """A page whose CSP violations and console errors are collected."""

    def __init__(self, page: Page, origin: str) -> None:
        self.page = page
        self.origin = origin
        self.errors: list[str] = []
        self.requests: list[str] = []
        page.add_init_script(WATCH)
        page.on("console", self._console)
        page.on("request", lambda request: self.requests.append(request.url))

    def _console(self, message: Any) -> None:
        url = message.location.get("url", "")
        # The browser asks for /favicon.ico on its own; Django has none.
        if message.type == "error" and not url.endswith("/favicon.ico"):
            self.errors.append(message.text)

    def goto(self, path: str) -> Any:
        self.requests.clear()
        return self.page.goto(self.origin + path)

    def injected(self, path: str) -> Any:
        """Load ``path`` with an inline script added to the page as served
        (its headers untouched); whether the script ran is ``window.injected``."""

        def inject(route: Route) -> None:
            served = route.fetch()
            route.fulfill(response=served, body=served.body() + INJECTED)

        self.page.route(self.origin + path, inject)
        return self.goto(path)

    def clean(self, *expected: str) -> None:
        """No violation and no console error on the page, but ``expected`` ones."""
        violations = self.page.evaluate("window.__violations")
        assert violations == []
        errors = [e for e in self.errors if not any(x in e for x in expected)]
        assert errors == []
        self.errors.clear()

    def assets_from(self, csp: str) -> None:
        """Every request went to the site or to a URL the policy names exactly."""
        for directive in csp.split(";"):
            sources = directive.split()[1:]
            assert "https:" not in sources and "*" not in sources, directive
        listed = set(csp.replace(";", " ").split())
        for url in self.requests:
            if url.startswith((self.origin, "data:", "blob:")):
                continue
            parts = urlsplit(url)
            # A source with a path allows that file; one without, the origin.
            exact = f"{parts.scheme}://{parts.netloc}{parts.path}"
            origin = f"{parts.scheme}://{parts.netloc}"
            assert exact in listed or origin in listed, url


@pytest.fixture
def watched(browser: Any) -> Iterator[Callable[[str], Watched]]:
    contexts = []

    def open_page(origin: str) -> Watched:
        context = browser.new_context()
        contexts.append(context)
        context.route("https://**/*", _cdn)
        page = context.new_page()
        page.set_default_timeout(10000)
        return Watched(page, origin)

    yield open_page
    for context in contexts:
        context.close()


# -- the CDNs, from real files ---------------------------------------------

PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQ"
    "AAAABJRU5ErkJggg=="
)
# What jsDelivr sends with every file, so that pages with COEP may load them
# (jsdelivr/jsdelivr#18201). The other origins are sent the same.
CDN_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Cross-Origin-Resource-Policy": "cross-origin",
}


def _sidecar() -> Path:
    sidecar = pytest.importorskip("drf_spectacular_sidecar")
    return Path(sidecar.__file__).parent / "static" / "drf_spectacular_sidecar"


def _font() -> Path | None:
    return next(Path("/usr/share/fonts").rglob("*.ttf"), None)


def _cdn(route: Route, request: Request) -> None:
    url = urlsplit(request.url)
    files = _sidecar()
    if url.netloc == "cdn.jsdelivr.net":
        # /npm/swagger-ui-dist@5/x.js -> swagger-ui-dist/x.js; redoc@2 alike.
        package, _, rest = url.path.removeprefix("/npm/").partition("/")
        path = files / package.split("@")[0] / rest
        if path.is_file():
            route.fulfill(path=path, headers=CDN_HEADERS)
            return
    elif url.netloc == "fonts.googleapis.com":
        # Google's stylesheet: @font-face rules with files on fonts.gstatic.com.
        face = "@font-face { font-family: Roboto; src: url(https://fonts.gstatic.com/s/roboto.ttf); }"
        route.fulfill(body=face if _font() else "", content_type="text/css",
                      headers=CDN_HEADERS)  # fmt: skip
        return
    elif url.netloc == "fonts.gstatic.com" and _font() is not None:
        route.fulfill(path=_font(), content_type="font/ttf", headers=CDN_HEADERS)
        return
    elif url.path.endswith(".svg"):
        svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'
        route.fulfill(body=svg, content_type="image/svg+xml", headers=CDN_HEADERS)
        return
    elif url.path.endswith(".png"):
        route.fulfill(body=PIXEL, content_type="image/png", headers=CDN_HEADERS)
        return
    route.fulfill(status=404, body="not routed")


# -- Django: the admin, the browsable API, the debug 404 ---------------------

PASSWORD = "a-test-password-only"


@pytest.fixture(scope="module")
def django_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    pytest.importorskip("rest_framework")
    env = {
        "EXAMPLE_DATABASE": str(tmp_path_factory.mktemp("django") / "db.sqlite3"),
        "DJANGO_DEBUG": "1",
        "DJANGO_SUPERUSER_USERNAME": "admin",
        "DJANGO_SUPERUSER_EMAIL": "admin@example.com",
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
    }
    with django_served(
        "examples.django_admin.settings", "examples.django_admin.wsgi:application", env
    ) as origin:
        yield origin


def _csp(response: Any) -> str:
    return str(response.headers["content-security-policy"])


def test_django_admin_logs_in_and_its_scripts_run(
    watched: Callable[[str], Watched], django_site: str
) -> None:
    site = watched(django_site)
    page = site.page
    login = site.goto("/admin/login/?next=/admin/")
    assert "'strict-dynamic'" not in _csp(login)
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(django_site + "/admin/")
    assert page.locator("#site-name").inner_text() == "Django administration"
    site.clean()

    # The changelist: nav_sidebar.js toggles the sidebar, actions.js the rows.
    changelist = site.goto("/admin/auth/user/")
    main = page.locator("#main")
    shifted = "shifted" in (main.get_attribute("class") or "")
    page.click("#toggle-nav-sidebar")
    assert ("shifted" in (main.get_attribute("class") or "")) != shifted
    page.click("#action-toggle")
    assert page.locator("input.action-select").first.is_checked()
    site.clean()
    site.assets_from(_csp(changelist))

    # The change form: SelectFilter2.js builds the two-box group picker and
    # DateTimeShortcuts.js adds the "Today" links.
    site.goto("/admin/auth/user/1/change/")
    assert page.locator("#id_groups_from").count() == 1
    assert page.locator(".datetimeshortcuts").count() > 0
    site.clean()


def test_drf_browsable_api_renders_and_its_form_posts(
    watched: Callable[[str], Watched], django_site: str
) -> None:
    site = watched(django_site)
    page = site.page
    response = site.goto("/api/notes/")
    assert page.evaluate("typeof window.jQuery") == "function"
    page.fill("#post-object-form textarea[name=text], #post-object-form input[name=text]",
              "from the browser")  # fmt: skip
    page.click("#post-object-form button")
    page.wait_for_selector("text=HTTP 201 Created")
    assert "from the browser" in page.locator(".response-info").inner_text()
    site.clean()
    site.assets_from(_csp(response))


def test_django_debug_404_renders_with_its_style(
    watched: Callable[[str], Watched], django_site: str
) -> None:
    site = watched(django_site)
    response = site.goto("/no/such/page")
    assert response.status == 404
    assert site.page.title() == "Page not found at /no/such/page"
    summary = site.page.locator("#summary")
    background = summary.evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(255, 255, 204)"  # #ffc, from the inline <style>
    site.clean("status of 404")  # the page itself is a 404


def test_the_django_site_keeps_the_strict_policy(
    watched: Callable[[str], Watched], django_site: str
) -> None:
    site = watched(django_site)
    response = site.injected("/")
    assert "'strict-dynamic'" in _csp(response)
    assert site.page.locator("#status").inner_text() == "ran"  # the nonced one
    assert site.page.evaluate("window.injected") is None
    assert site.page.evaluate("window.__violations") == ["script-src-elem inline"]


# -- FastAPI: /docs and /redoc -----------------------------------------------


@pytest.fixture(scope="module")
def fastapi_site() -> Iterator[str]:
    _sidecar()
    port = free_port()
    command = ["-m", "uvicorn", "--host", "127.0.0.1", "--port", str(port),
               "examples.fastapi_docs:app"]  # fmt: skip
    with running(command, port):
        yield f"http://127.0.0.1:{port}"


def test_fastapi_docs_renders_and_try_it_out_works(
    watched: Callable[[str], Watched], fastapi_site: str
) -> None:
    site = watched(fastapi_site)
    page = site.page
    response = site.goto("/docs")
    page.click(".opblock-summary")
    page.click("text=Try it out")
    page.fill("textarea.body-param__text", '{"text": "from the browser"}')
    page.click("text=Execute")
    status = page.locator(".live-responses-table .response .response-col_status")
    assert status.first.inner_text().strip() == "200"
    assert "from the browser" in page.locator(".live-responses-table").inner_text()
    site.clean()
    site.assets_from(_csp(response))


def test_fastapi_redoc_renders(
    watched: Callable[[str], Watched], fastapi_site: str
) -> None:
    site = watched(fastapi_site)
    response = site.goto("/redoc")
    site.page.wait_for_selector("text=/notes")
    assert site.page.locator("h1").first.inner_text().startswith("Notes")
    site.clean()
    site.assets_from(_csp(response))


def test_the_fastapi_site_keeps_the_strict_policy(
    watched: Callable[[str], Watched], fastapi_site: str
) -> None:
    site = watched(fastapi_site)
    response = site.injected("/")
    assert "'strict-dynamic'" in _csp(response)
    assert "cdn.jsdelivr.net" not in _csp(response)
    assert site.page.locator("#status").inner_text() == "ran"
    assert site.page.evaluate("window.injected") is None
    assert site.page.evaluate("window.__violations") == ["script-src-elem inline"]
