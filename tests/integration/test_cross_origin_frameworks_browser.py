"""Real framework forms under ``preset: strict`` in headless Chromium (issue 23).

The strict preset turns ``cross_origin`` on (``csrf`` mode, enforced) beside
its strict CSP. A Django sign-in form (``django.contrib.auth``'s LoginView,
with Django's CSRF token; the project in ``django_login/``, under waitress in
a process of its own) and a Flask-WTF form (``CSRFProtect``, served in this
process by waitress) are filled in and submitted in the browser and lead to
their result page, with no CSP violation; the same form posted by another
site's page (``cross_origin_support``) gets the middleware's 403, not the
framework's own CSRF refusal: the check runs first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from secheaders_wsgi import SecureHeaders
from tests.integration import cross_origin_support, test_browser
from tests.integration.cross_origin_support import REFUSED, WATCH, post_form
from tests.support import django_served

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from flask import Flask
    from playwright.sync_api import Page

PASSWORD = "a-test-password-only"
STRICT = {"preset": "strict"}

# The session's Chromium, a fresh page; the other site's origin.
page = test_browser.page
other = cross_origin_support.other


@pytest.fixture
def watched(page: Page) -> Page:
    """The page, recording its CSP violations (``window.__violations``)."""
    page.add_init_script(WATCH)
    return page


def _strict(response: Any) -> None:
    """The response carries the strict preset's policy."""
    assert "'strict-dynamic'" in response.headers["content-security-policy"]


# -- Django: contrib.auth's sign-in form ----------------------------------


@pytest.fixture(scope="module")
def django_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {
        "LOGIN_DATABASE": str(tmp_path_factory.mktemp("django") / "db.sqlite3"),
        "DJANGO_SUPERUSER_USERNAME": "alice",
        "DJANGO_SUPERUSER_EMAIL": "alice@example.com",
        "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
    }
    with django_served(
        "tests.integration.django_login.settings",
        "tests.integration.django_login.wsgi:application",
        env,
    ) as origin:
        yield origin


def test_the_django_sign_in_form_works_under_the_strict_preset(
    watched: Page, django_site: str
) -> None:
    page = watched
    response = page.goto(f"{django_site}/login/")
    _strict(response)
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation(url=f"{django_site}/done/"):
        page.click("#sign-in")
    assert page.inner_text("#who") == "signed in as alice"
    assert page.evaluate("window.__violations") == []


def test_the_django_sign_in_posted_by_another_site_is_refused(
    page: Page, django_site: str, other: str
) -> None:
    page.goto(f"{other}/")
    fields = {"username": "alice", "password": PASSWORD}
    status, text = post_form(page, f"{django_site}/login/", fields)
    assert status == 403
    assert text.startswith(REFUSED)  # ours, not Django's "CSRF verification failed"
    # Not signed in: the site's own page still offers the form.
    page.goto(f"{django_site}/done/")
    assert page.inner_text("#who") == "signed in as"


# -- Flask-WTF: a FlaskForm under CSRFProtect ------------------------------

ORDER = """<!doctype html><title>order</title>
<form method="post" action="/order">
  {{ form.csrf_token }}{{ form.item(id="item") }}<button id="order">Order</button>
</form>"""
ORDERED = '<!doctype html><title>ordered</title><p id="done">ordered {{ item }}</p>'


def flask_site() -> Flask:
    from flask import Flask, render_template_string
    from flask_wtf import CSRFProtect, FlaskForm
    from wtforms import StringField
    from wtforms.validators import DataRequired

    class OrderForm(FlaskForm):
        item = StringField("item", validators=[DataRequired()])

    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test-only-not-a-secret"
    CSRFProtect(app)

    @app.route("/order", methods=["GET", "POST"])
    def order() -> str:
        form = OrderForm()
        if form.validate_on_submit():
            return render_template_string(ORDERED, item=form.item.data)
        return render_template_string(ORDER, form=form)

    return app


class Calls:
    """Records the requests that reach the app it wraps."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self.seen: list[tuple[str, str]] = []

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Any:
        self.seen.append((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
        return self.app(environ, start_response)


@pytest.fixture
def flask_wtf(serve: Callable[[WSGIApplication], str]) -> tuple[str, Calls]:
    pytest.importorskip("flask_wtf")
    calls = Calls(flask_site())
    return serve(SecureHeaders(calls, STRICT)), calls


def test_the_flask_wtf_form_works_under_the_strict_preset(
    watched: Page, flask_wtf: tuple[str, Calls]
) -> None:
    page = watched
    origin, calls = flask_wtf
    _strict(page.goto(f"{origin}/order"))
    page.fill("#item", "a book")
    with page.expect_navigation():
        page.click("#order")
    assert page.inner_text("#done") == "ordered a book"
    assert ("POST", "/order") in calls.seen
    assert page.evaluate("window.__violations") == []


def test_the_flask_wtf_form_posted_by_another_site_is_refused(
    page: Page, flask_wtf: tuple[str, Calls], other: str
) -> None:
    origin, calls = flask_wtf
    page.goto(f"{other}/")
    status, text = post_form(page, f"{origin}/order", {"item": "forged"})
    assert status == 403
    assert text.startswith(REFUSED)  # ours, not Flask-WTF's "CSRF token is missing"
    assert ("POST", "/order") not in calls.seen
