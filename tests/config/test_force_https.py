"""force_https, its exemptions, allowed_hosts and trusted_proxies.

Each bad value fails at start-up, given as a mapping and as a YAML file, with a
ConfigError that names the key, quotes the value and says what is allowed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from secheaders_wsgi import SecurityWarning, load_config
from tests.support import assert_refused

BAD = [
    # force_https
    pytest.param(
        {"force_https": "true"},
        "force_https: 'true' is not a boolean (allowed: true, false)",
        id="force-str",
    ),
    pytest.param(
        {"force_https": True, "server_secured": True},
        (
            "force_https: true cannot go with server_secured: true: with "
            "server_secured every request already counts as https, so nothing would "
            "ever be redirected. Behind a proxy that terminates TLS, set "
            "trusted_proxies instead, so that X-Forwarded-Proto tells which requests "
            "came over https"
        ),
        id="force-secured",
    ),
    # force_https_exempt
    pytest.param(
        {"force_https": True, "force_https_exempt": "/healthz"},
        (
            "force_https_exempt: '/healthz' is not a list (allowed: a list of paths or "
            "prefixes, e.g. ['/healthz'])"
        ),
        id="exempt-string",
    ),
    pytest.param(
        {"force_https": True, "force_https_exempt": ["healthz"]},
        (
            "force_https_exempt[0]: 'healthz' is not a path prefix (allowed: a path "
            "that starts with '/', without query or fragment, e.g. '/embed/')"
        ),
        id="exempt-relative",
    ),
    pytest.param(
        {"force_https": True, "force_https_exempt": ["/healthz?x=1"]},
        (
            "force_https_exempt[0]: '/healthz?x=1' is not a path prefix (allowed: a "
            "path that starts with '/', without query or fragment, e.g. '/embed/')"
        ),
        id="exempt-query",
    ),
    # allowed_hosts
    pytest.param(
        {"force_https": True, "allowed_hosts": "example.com"},
        (
            "allowed_hosts: 'example.com' is not a list (allowed: a list of host "
            "names, e.g. ['example.com', '*.example.com'])"
        ),
        id="hosts-string",
    ),
    pytest.param(
        {"force_https": True, "allowed_hosts": []},
        (
            "allowed_hosts: [] would refuse every redirect (allowed: a non-empty list "
            "of host names; leave the key out to accept any valid host)"
        ),
        id="hosts-empty",
    ),
    pytest.param(
        {"force_https": True, "allowed_hosts": ["https://example.com"]},
        (
            "allowed_hosts[0]: 'https://example.com' is not a host name (allowed: a "
            "name such as 'example.com', '*.example.com' for its subdomains, or an IP "
            "address; no scheme, port or path)"
        ),
        id="hosts-scheme",
    ),
    pytest.param(
        {"force_https": True, "allowed_hosts": ["example.com:443"]},
        (
            "allowed_hosts[0]: 'example.com:443' is not a host name (allowed: a name "
            "such as 'example.com', '*.example.com' for its subdomains, or an IP "
            "address; no scheme, port or path)"
        ),
        id="hosts-port",
    ),
    pytest.param(
        {"force_https": True, "allowed_hosts": ["www.*.example.com"]},
        (
            "allowed_hosts[0]: 'www.*.example.com' is not a host name (allowed: a name "
            "such as 'example.com', '*.example.com' for its subdomains, or an IP "
            "address; no scheme, port or path)"
        ),
        id="hosts-inner-star",
    ),
    # trusted_proxies
    pytest.param(
        {"trusted_proxies": True},
        (
            "trusted_proxies: True is not allowed (allowed: the number of proxies in "
            "front of the app that set X-Forwarded-*, 0 or more; 0 trusts none)"
        ),
        id="proxies-bool",
    ),
    pytest.param(
        {"trusted_proxies": -1},
        (
            "trusted_proxies: -1 is not allowed (allowed: the number of proxies in "
            "front of the app that set X-Forwarded-*, 0 or more; 0 trusts none)"
        ),
        id="proxies-negative",
    ),
    pytest.param(
        {"trusted_proxies": "1"},
        (
            "trusted_proxies: '1' is not allowed (allowed: the number of proxies in "
            "front of the app that set X-Forwarded-*, 0 or more; 0 trusts none)"
        ),
        id="proxies-str",
    ),
    pytest.param(
        {"trusted_proxies": 1.5},
        (
            "trusted_proxies: 1.5 is not allowed (allowed: the number of proxies in "
            "front of the app that set X-Forwarded-*, 0 or more; 0 trusts none)"
        ),
        id="proxies-float",
    ),
    # force_https_permanent
    pytest.param(
        {"force_https": True, "force_https_permanent": "no"},
        "force_https_permanent: 'no' is not a boolean (allowed: true, false)",
        id="permanent-str",
    ),
    pytest.param(
        {"force_https": True, "force_https_permanent": 0},
        "force_https_permanent: 0 is not a boolean (allowed: true, false)",
        id="permanent-int",
    ),
    # redirect_host
    *[
        pytest.param(
            {"force_https": True, "redirect_host": host},
            f"redirect_host: {host!r} is not a host name (allowed: one name such "
            "as 'www.example.com', or an IP address, with an optional ':port'; no "
            "scheme, path or '*.')",
            id=f"host-{name}",
        )
        for name, host in [
            ("scheme", "https://example.com"),
            ("wildcard", "*.example.com"),
            ("path", "example.com/x"),
            ("port-zero", "example.com:0"),
            ("port-too-big", "example.com:65536"),
            ("port-empty", "example.com:"),
            ("underscore", "exa_mple.com"),
            ("empty", ""),
            ("space", "example .com"),
        ]
    ],
    pytest.param(
        {"force_https": True, "redirect_host": ["example.com"]},
        "redirect_host: ['example.com'] is not a string",
        id="host-list",
    ),
]


@pytest.mark.parametrize(("config", "message"), BAD)
def test_bad_value_is_refused_at_start_up(
    config: dict[Any, Any], message: str, tmp_path: Path
) -> None:
    assert_refused(config, message, tmp_path)


def test_redirect_defaults() -> None:
    config = load_config({})
    assert config.force_https_permanent is True
    assert config.redirect_host is None


@pytest.mark.parametrize("value", [True, False])
def test_force_https_permanent_allowed(value: bool) -> None:
    config = load_config({"force_https": True, "force_https_permanent": value})
    assert config.force_https_permanent is value


@pytest.mark.parametrize(
    ("value", "held"),
    [
        ("example.com", "example.com"),
        ("WWW.Example.COM.", "www.example.com"),
        ("secure.example.com:8443", "secure.example.com:8443"),
        ("localhost:65535", "localhost:65535"),
        ("192.0.2.7", "192.0.2.7"),
        ("[::1]", "[::1]"),
        ("[2001:db8::1]:8443", "[2001:db8::1]:8443"),
    ],
    ids=str,
)
def test_redirect_host_allowed(value: str, held: str) -> None:
    config = load_config({"force_https": True, "redirect_host": value})
    assert config.redirect_host == held


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"redirect_host": "example.com"}, "redirect_host"),
        ({"force_https_permanent": False}, "force_https_permanent"),
    ],
    ids=str,
)
def test_redirect_keys_without_force_https_warn(
    config: dict[str, Any], key: str
) -> None:
    message = (
        f"{key}: does nothing without force_https: true (it only applies to the "
        "redirect to https)"
    )
    with pytest.warns(SecurityWarning, match=f"^{re.escape(message)}$"):
        load_config(config)
