"""Set-Cookie hardening: Secure, SameSite, HttpOnly appended, nothing else touched."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secheaders_wsgi.request.cookies import CookieRewrite
from tests.support import HTTPS, served, values

secure_cookie = CookieRewrite(secure=True)

LAX = CookieRewrite(samesite="Lax")
NONE = CookieRewrite(samesite="None")
ALL_HTTPONLY = CookieRewrite(httponly=True)
SESSION_HTTPONLY = CookieRewrite(httponly=frozenset({"session"}))
EVERYTHING = CookieRewrite(secure=True, samesite="Strict", httponly=True)


@pytest.mark.parametrize(
    ("rewrite", "cookie", "expected"),
    [
        pytest.param(LAX, "a=1", "a=1; SameSite=Lax", id="samesite-added"),
        pytest.param(
            LAX,
            "a=1; samesite=strict",
            "a=1; samesite=strict",
            id="samesite-kept-lower",
        ),
        pytest.param(
            LAX,
            "a=1;SAMESITE = None;secure",
            "a=1;SAMESITE = None;secure",
            id="odd-case",
        ),
        pytest.param(
            NONE, "a=1", "a=1; SameSite=None; Secure", id="none-forces-secure"
        ),
        pytest.param(
            NONE, "a=1; Secure", "a=1; Secure; SameSite=None", id="none-secure-once"
        ),
        pytest.param(
            NONE,
            "a=1; SameSite=Lax",
            "a=1; SameSite=Lax",
            id="none-not-added-so-no-secure",
        ),
        pytest.param(ALL_HTTPONLY, "a=1", "a=1; HttpOnly", id="httponly-all"),
        pytest.param(
            ALL_HTTPONLY, "a=1; httponly", "a=1; httponly", id="httponly-once-any-case"
        ),
        pytest.param(
            SESSION_HTTPONLY, "session=x", "session=x; HttpOnly", id="httponly-named"
        ),
        pytest.param(
            SESSION_HTTPONLY, " session =x", " session =x; HttpOnly", id="name-spacing"
        ),
        pytest.param(
            SESSION_HTTPONLY, "Session=x", "Session=x", id="names-case-sensitive"
        ),
        pytest.param(
            SESSION_HTTPONLY, "theme=dark", "theme=dark", id="other-name-untouched"
        ),
        pytest.param(
            SESSION_HTTPONLY,
            "theme=session; Path=/",
            "theme=session; Path=/",
            id="value-is-not-name",
        ),
        pytest.param(
            EVERYTHING,
            "id=a3fWa; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/",
            "id=a3fWa; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Path=/; "
            "SameSite=Strict; Secure; HttpOnly",
            id="expires-comma-kept",
        ),
        pytest.param(
            EVERYTHING,
            "ID=A=B==;  DOMAIN=Example.COM ;pAtH=/X",
            "ID=A=B==;  DOMAIN=Example.COM ;pAtH=/X; SameSite=Strict; Secure; HttpOnly",
            id="odd-spacing-and-equals-in-value",
        ),
        pytest.param(
            EVERYTHING,
            "a=1; ",
            "a=1; SameSite=Strict; Secure; HttpOnly",
            id="trailing-semi",
        ),
        pytest.param(
            EVERYTHING, "a=", "a=; SameSite=Strict; Secure; HttpOnly", id="empty-value"
        ),
        pytest.param(
            EVERYTHING,
            "a=1; SECURE; HTTPONLY; SameSite=Lax",
            "a=1; SECURE; HTTPONLY; SameSite=Lax",
            id="all-present-unchanged",
        ),
        pytest.param(
            CookieRewrite(secure=True),
            "a=1; Secure=",
            "a=1; Secure=",
            id="secure-with-empty-value-counts",
        ),
        pytest.param(
            CookieRewrite(secure=True),
            "a=1; Path=/secure",
            "a=1; Path=/secure; Secure",
            id="secure-in-a-value-is-not-the-attribute",
        ),
    ],
)
def test_rewrite(rewrite: CookieRewrite, cookie: str, expected: str) -> None:
    assert rewrite(cookie) == expected


def test_rewrite_only_appends() -> None:
    cookie = "ID=A=B==;  DOMAIN=Example.COM ;pAtH=/X"
    assert EVERYTHING(cookie).startswith(cookie)


def test_secure_cookie_kept_for_the_core_behaviour() -> None:
    assert secure_cookie("a=1") == "a=1; Secure"
    assert secure_cookie("a=1; secure") == "a=1; secure"


APP_COOKIES = [
    ("Content-Type", "text/html"),
    ("Set-Cookie", "session=abc; Path=/"),
    ("set-cookie", "theme=dark;  samesite=strict"),
    ("SET-COOKIE", "csrf=x; HttpOnly; Secure"),
]


@pytest.mark.parametrize(
    ("config", "environ", "expected"),
    [
        pytest.param(
            {},
            {},
            [
                "session=abc; Path=/",
                "theme=dark;  samesite=strict",
                "csrf=x; HttpOnly; Secure",
            ],
            id="default-untouched",
        ),
        pytest.param(
            {"cookie_samesite": "lax"},
            {},
            [
                "session=abc; Path=/; SameSite=Lax",
                "theme=dark;  samesite=strict",
                "csrf=x; HttpOnly; Secure; SameSite=Lax",
            ],
            id="samesite-lax",
        ),
        pytest.param(
            {"cookie_samesite": "None", "server_secured": True},
            {},
            [
                "session=abc; Path=/; SameSite=None; Secure",
                "theme=dark;  samesite=strict; Secure",
                "csrf=x; HttpOnly; Secure; SameSite=None",
            ],
            id="samesite-none-secured",
        ),
        pytest.param(
            {"cookie_httponly": ["session", "theme"]},
            {},
            [
                "session=abc; Path=/; HttpOnly",
                "theme=dark;  samesite=strict; HttpOnly",
                "csrf=x; HttpOnly; Secure",
            ],
            id="httponly-names",
        ),
        pytest.param(
            {
                "cookie_httponly": True,
                "cookie_samesite": "Strict",
                "server_secured": True,
            },
            HTTPS,
            [
                "session=abc; Path=/; SameSite=Strict; Secure; HttpOnly",
                "theme=dark;  samesite=strict; Secure; HttpOnly",
                "csrf=x; HttpOnly; Secure; SameSite=Strict",
            ],
            id="everything",
        ),
        pytest.param(
            {"cookie_samesite": False, "cookie_httponly": False},
            {},
            [
                "session=abc; Path=/",
                "theme=dark;  samesite=strict",
                "csrf=x; HttpOnly; Secure",
            ],
            id="explicitly-off",
        ),
    ],
)
def test_app_cookies(
    config: dict[str, Any], environ: dict[str, str], expected: list[str]
) -> None:
    app = served(config, headers=APP_COOKIES)
    response = app.get("/", extra_environ=environ)
    assert values(response, "Set-Cookie") == expected
    # The header names are the app's own, in the app's order.
    assert [k for k, _ in response.headerlist if k.lower() == "set-cookie"] == [
        "Set-Cookie",
        "set-cookie",
        "SET-COOKIE",
    ]


cookie_text = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60
)


@given(
    cookie=cookie_text,
    secure=st.booleans(),
    samesite=st.sampled_from([None, "Lax", "Strict", "None"]),
    httponly=st.booleans(),
)
def test_property_only_appends_each_attribute_at_most_once(
    cookie: str, secure: bool, samesite: str | None, httponly: bool
) -> None:
    rewritten = CookieRewrite(secure=secure, samesite=samesite, httponly=httponly)(
        cookie
    )
    assert rewritten.startswith(cookie.rstrip(" \t"))
    names = [a.split("=", 1)[0].strip().lower() for a in rewritten.split(";")[1:]]
    for name in ("secure", "samesite", "httponly"):
        before = [a.split("=", 1)[0].strip().lower() for a in cookie.split(";")[1:]]
        assert names.count(name) == max(1, before.count(name)) or name not in names
    assert ("secure" in names) >= secure
    assert ("samesite" in names) >= (samesite is not None)
    assert ("httponly" in names) >= httponly
