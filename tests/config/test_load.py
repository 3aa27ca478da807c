"""Loading configs: dicts, YAML files and their errors, determinism, and never touching the input."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from secheaders_wsgi import ConfigError, SecureHeaders, load_config
from secheaders_wsgi.config import Config
from secheaders_wsgi.policy import headers
from tests.support import never_called, served

FULL = {
    "server_secured": True,
    "hsts_header": "max-age=600; includeSubDomains",
    "csp_safe_src": ["'self'", "*.gstatic.com", "fonts.googleapis.com"],
    "csp_unsafe_inline": False,
    "csp_unsafe_eval": False,
    "csp_frame_ancestors": ["'self'", "https://partner.example"],
    "referrer_policy": "no-referrer",
    "debug": False,
}
FULL_YAML = """\
server_secured: true
hsts_header: "max-age=600; includeSubDomains"
csp_safe_src: ["'self'", "*.gstatic.com", fonts.googleapis.com]
csp_unsafe_inline: false
csp_unsafe_eval: false
csp_frame_ancestors: ["'self'", "https://partner.example"]
referrer_policy: no-referrer
debug: false
"""
CUSTOM = {
    "csp_header": {
        "default-src": "'safe-src'",
        "img-src": ["'self'", "data:"],
        "upgrade-insecure-requests": "",
    },
    # Set on purpose: left out, a custom policy warns that they add 'unsafe-*'.
    "csp_unsafe_inline": True,
    "csp_unsafe_eval": True,
}
CUSTOM_YAML = """\
csp_header:
  default-src: "'safe-src'"
  img-src: ["'self'", "data:"]
  upgrade-insecure-requests: ""
csp_unsafe_inline: true
csp_unsafe_eval: true
"""


@pytest.mark.parametrize(
    ("mapping", "text"),
    [
        pytest.param(FULL, FULL_YAML, id="keys"),
        pytest.param(CUSTOM, CUSTOM_YAML, id="csp"),
    ],
)
@pytest.mark.parametrize("as_path", [str, Path], ids=["str", "pathlib"])
def test_yaml_file_gives_what_the_same_dict_gives(
    yaml_file: Any, mapping: dict[str, Any], text: str, as_path: Any
) -> None:
    path = as_path(yaml_file(text))
    from_yaml = served(path).get("/", extra_environ={"wsgi.url_scheme": "https"})
    from_dict = served(mapping).get("/", extra_environ={"wsgi.url_scheme": "https"})
    assert from_yaml.headerlist == from_dict.headerlist
    assert load_config(path) == load_config(mapping)


def test_empty_yaml_file_means_all_defaults(yaml_file: Any) -> None:
    assert load_config(yaml_file("# nothing set yet\n")) == load_config(None)


def test_every_key_is_optional() -> None:
    assert load_config({}) == load_config(None)


def test_custom_policy_dict_is_never_mutated() -> None:
    config = {
        "csp_safe_src": ["'self'", "cdn.example.com"],
        "csp_header": {"default-src": ["'safe-src'"], "script-src": "'self'"},
        "csp_frame_ancestors": ["'safe-src'"],
        "csp_unsafe_inline": False,
        "csp_unsafe_eval": False,
    }
    before = copy.deepcopy(config)
    app = served(config)
    app.get("/")
    app.get("/")
    assert config == before


def test_repeated_requests_give_identical_headers() -> None:
    app = served({"server_secured": True, **CUSTOM})
    first = app.get("/").headerlist
    for _ in range(5):
        assert app.get("/").headerlist == first


def test_config_is_frozen() -> None:
    config = load_config({"server_secured": True})
    with pytest.raises(AttributeError):
        config.server_secured = False  # type: ignore[misc]


def test_a_config_object_can_be_passed_again() -> None:
    config = load_config(FULL)
    assert SecureHeaders(lambda e, s: [], config).config is config


_PRINT_HEADERS = """
import json, sys
from secheaders_wsgi import load_config
from secheaders_wsgi.policy import headers
config = load_config(json.loads(sys.argv[1]))
print(json.dumps([headers(config, https=True), headers(config, https=False)]))
"""


def test_headers_are_byte_identical_under_any_hash_seed() -> None:
    config = {**FULL, **CUSTOM, "csp_safe_src": ["a.example", "b.example", "'self'"]}
    outputs = set()
    for seed in ("0", "1", "12345", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run(
            [sys.executable, "-c", _PRINT_HEADERS, json.dumps(config)],
            env=env,
            capture_output=True,
            check=True,
        )
        outputs.add(run.stdout)
    assert len(outputs) == 1
    here = json.dumps([headers(load_config(config), https=h) for h in (True, False)])
    assert outputs == {here.encode() + b"\n"}


def test_a_config_built_by_hand_is_refused() -> None:
    # Regression: an unchecked Config let CR/LF through into a header.
    forged = Config(referrer_policy="no-referrer\r\nSet-Cookie: evil=1")
    with pytest.raises(
        ConfigError, match="a Config built by hand has not been checked"
    ):
        SecureHeaders(lambda e, s: [], forged)


def test_a_checked_config_stays_accepted_after_an_equal_one_is_collected() -> None:
    # Regression: a WeakSet compared configs by value, kept only the first of
    # two equal ones and forgot both when that one was collected.
    first = load_config({"csp_unsafe_inline": False})
    second = load_config({"csp_unsafe_inline": False})
    assert first == second and first is not second
    # Freed at once by reference counting: no gc.collect(), which would run
    # other tests' leftover finalizers here.
    del first
    assert load_config(second) is second
    SecureHeaders(never_called, second)


def test_an_equal_config_built_by_hand_is_still_refused() -> None:
    checked = load_config({"csp_unsafe_inline": False})
    with pytest.raises(ConfigError, match="built by hand"):
        load_config(Config(csp_unsafe_inline=False))
    assert load_config(checked) is checked


def test_load_config_refuses_other_types() -> None:
    with pytest.raises(ConfigError, match=r"config must be a mapping.*not int 42"):
        load_config(42)  # type: ignore[arg-type]


def test_every_key_has_exactly_one_check() -> None:
    from secheaders_wsgi.config import KEYS
    from secheaders_wsgi.config.model import CHECKS

    assert sorted(CHECKS) == sorted(KEYS)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "server_secured: [unclosed\n",
            ":2:1: not valid YAML: expected ',' or ']', but got '<stream end>'",
            id="invalid",
        ),
        pytest.param(
            "- a\n- b\n",
            ": the top level must be a mapping of keys to values, not a list",
            id="list",
        ),
        pytest.param(
            "just a string\n",
            ": the top level must be a mapping of keys to values, not a str",
            id="scalar",
        ),
        pytest.param(
            "server_secured:\n",
            ":1: server_secured: null is not a value",
            id="empty-value",
        ),
        pytest.param(
            "referrer_policy: sometimes\n",
            ":1: referrer_policy: 'sometimes' is not a referrer policy",
            id="bad-value",
        ),
        pytest.param(
            "server_secure: true\n",
            ":1: unknown key 'server_secure'. Did you mean 'server_secured'?",
            id="unknown-key",
        ),
    ],
)
def test_bad_yaml_file_names_the_file(yaml_file: Any, text: str, message: str) -> None:
    path = yaml_file(text)
    with pytest.raises(ConfigError, match=f"^{re.escape(f'{path}{message}')}"):
        SecureHeaders(never_called, str(path))


def test_yaml_python_tags_are_refused_not_run(tmp_path: Any) -> None:
    # safe_load only: a tag that would create a file if it ran.
    marker = tmp_path / "ran"
    path = tmp_path / "evil.yaml"
    path.write_text(
        f"server_secured: !!python/object/apply:os.mkdir [{str(marker)!r}]\n"
    )
    message = (
        f"{path}:1:17: not valid YAML: could not determine a constructor for the "
        "tag '!!python/object/apply:os.mkdir'; a config holds plain values only"
    )
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}"):
        SecureHeaders(never_called, path)
    assert not marker.exists()


def test_missing_yaml_file_names_the_file(tmp_path: Any) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ConfigError, match=f"^{re.escape(str(path))}: no such file$"):
        SecureHeaders(never_called, path)


def test_unreadable_yaml_path_names_the_file(tmp_path: Any) -> None:
    with pytest.raises(
        ConfigError, match=f"^{re.escape(str(tmp_path))}: cannot be read"
    ):
        SecureHeaders(never_called, tmp_path)


def test_non_utf8_yaml_file_names_the_file(tmp_path: Any) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"referrer_policy: caf\xe9\n")
    with pytest.raises(ConfigError, match=f"^{re.escape(str(path))}: cannot be read"):
        SecureHeaders(never_called, path)


def test_a_bad_rule_in_a_yaml_file_names_the_file(tmp_path: Any) -> None:
    path = tmp_path / "security.yaml"
    path.write_text(
        "paths:\n  - prefix: /a\n    x_frame_options: ALLOW-FROM https://p.example\n",
        encoding="utf-8",
    )
    with pytest.raises(
        ConfigError,
        match=f"^{re.escape(str(path))}:3: paths\\[0\\]\\.x_frame_options: 'ALLOW-FROM",
    ):
        load_config(path)


# A key given twice at any depth: refused with both lines, never last-one-wins.


@pytest.mark.parametrize(
    ("text", "key", "lines"),
    [
        pytest.param(
            "server_secured: true\nreferrer_policy: origin\nserver_secured: false\n",
            "server_secured",
            (1, 3),
            id="top-level",
        ),
        pytest.param(
            "csp_header:\n  script-src: \"'self'\"\n  img-src: '*'\n"
            "  script-src: cdn.example\n",
            "script-src",
            (2, 4),
            id="in-csp_header",
        ),
        pytest.param(
            "paths:\n  - prefix: /a/\n    csp_header: false\n    prefix: /b/\n",
            "prefix",
            (2, 4),
            id="in-a-rule",
        ),
        pytest.param(
            "paths:\n  - prefix: /a/\n    csp_header:\n      img-src: '*'\n"
            "      img-src: 'data:'\n",
            "img-src",
            (4, 5),
            id="in-a-rule's-policy",
        ),
        pytest.param(
            "permissions_policy: {camera: [], camera: [self]}\n",
            "camera",
            (1, 1),
            id="flow-mapping-one-line",
        ),
    ],
)
def test_a_key_given_twice_is_refused_naming_both_lines(
    tmp_path: Any, text: str, key: str, lines: tuple[int, int]
) -> None:
    path = tmp_path / "security.yaml"
    path.write_text(text, encoding="utf-8")
    message = (
        f"{path}:{lines[1]}: {key!r} is given twice in one mapping (lines {lines[0]} and "
        f"{lines[1]}); only the last would count: merge them into one"
    )
    with pytest.raises(ConfigError, match=f"^{re.escape(message)}$"):
        SecureHeaders(never_called, path)


def test_a_yaml_merge_key_may_still_be_overridden(tmp_path: Any) -> None:
    path = tmp_path / "security.yaml"
    path.write_text(
        "paths:\n  - &base {prefix: /a/, referrer_policy: origin}\n"
        "  - <<: *base\n    prefix: /b/\n",
        encoding="utf-8",
    )
    assert [prefix for prefix, _ in load_config(path).paths] == ["/a/", "/b/"]


def test_a_missing_relative_yaml_path_names_the_directory_looked_in(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ConfigError) as raised:
        SecureHeaders(never_called, "security.yaml")
    assert str(raised.value).startswith(
        f"security.yaml: no such file in {tmp_path} (a relative path is looked for"
    )
    assert "Path(__file__).with_name('security.yaml')" in str(raised.value)
