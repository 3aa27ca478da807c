"""Config files that used to hang, crash or mislead: each is a prompt ConfigError.

Every error from a file starts ``file:line:`` (the line of the key it is
about), quotes no value whole, and is a :class:`ConfigError`, whatever the
file holds: alias bombs, huge numbers, deep nesting, syntax errors.
Promptness is asserted as an amount of work (nodes visited, message length),
never as time; ``benchmarks/hostile_inputs.py`` measures the time.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from secheaders_wsgi import ConfigError, SecurityWarning, load_config
from secheaders_wsgi.cli import main
from secheaders_wsgi.config import yaml_file
from secheaders_wsgi.config.yaml_file import MAX_ALIASED, MAX_DEPTH

YamlFile = Callable[[str], Path]
#: No message quotes more than this of any value: shown() cuts at 160.
SMALL = 600


def refused(path: Path) -> str:
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    return str(raised.value)


def bomb(levels: int) -> str:
    """A "billion laughs": each level lists the one before nine times.

    Under a key whose check quotes the whole value when it refuses it, as
    most checks of a number or a word do.
    """
    rows = ["  - &l0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]"]
    for level in range(1, levels):
        rows.append(f"  - &l{level} [{','.join([f'*l{level - 1}'] * 9)}]")
    return "csp_report_sample_rate:\n" + "\n".join(rows) + "\n"


@pytest.fixture
def visits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many nodes the file's walk visited (one entry per visit)."""
    counted: list[int] = []
    visit = yaml_file._Walk._visit

    def counting(self: Any, *args: Any) -> None:
        counted.append(1)
        visit(self, *args)

    monkeypatch.setattr(yaml_file._Walk, "_visit", counting)
    return counted


# -- aliases


def test_an_alias_bomb_is_refused_after_bounded_work(
    yaml_file: YamlFile, visits: list[int]
) -> None:
    # Regression: nine levels (450 bytes) stand for 9**9 strings; start-up,
    # show and audit hung expanding them into the error message.
    path = yaml_file(bomb(9))
    assert len(path.read_bytes()) < 450
    assert refused(path) == (
        f"{path}:1: csp_report_sample_rate: here the aliases (*name) reach more "
        f"than {MAX_ALIASED} values, more than any config needs; write the values "
        "out, or use an alias only for a rule or a list you repeat"
    )
    assert len(visits) <= MAX_ALIASED + 100


@pytest.mark.parametrize("command", ["show", "audit"])
def test_the_commands_refuse_an_alias_bomb_with_exit_2(
    yaml_file: YamlFile, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    path = yaml_file(bomb(9))
    assert main([command, str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith(f"error: {path}:1: csp_report_sample_rate: here the")
    assert len(err) < SMALL


def test_a_small_expansion_loads_but_is_never_quoted_whole(yaml_file: YamlFile) -> None:
    # 9**4 strings pass the alias bound; the check refuses the value, and the
    # message shows a few items of it, not all 7380.
    path = yaml_file(bomb(4))
    message = refused(path)
    assert message.startswith(
        f"{path}:1: csp_report_sample_rate: [['lol', 'lol', 'lol', "
    )
    assert message.endswith("the default 1 reports on every response)")
    assert len(message) < SMALL


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        pytest.param("csp_safe_src: &a [*a]\n", 1, "holds the alias itself", id="list"),
        pytest.param(
            "paths:\n  - &r {prefix: /a, <<: *r}\n", 2, "merges a mapping into itself",
            id="merge",
        ),
    ],
)  # fmt: skip
def test_an_alias_inside_its_own_value_is_refused(
    yaml_file: YamlFile, text: str, line: int, says: str
) -> None:
    message = refused(yaml_file(text))
    assert re.match(rf".*security\.yaml:{line}:\d+: .*{says}$", message)


def test_a_rule_merged_with_an_alias_still_loads_and_reports_its_line(
    yaml_file: YamlFile,
) -> None:
    path = yaml_file(
        "paths:\n"
        "  - &base\n"
        "    prefix: /a/\n"
        "    referrer_policy: origin\n"
        "  - <<: *base\n"
        "    prefix: /b/\n"
        "    x_frame_options: SOMETIMES\n"
    )
    message = refused(path)
    assert message.startswith(f"{path}:7: paths[1].x_frame_options: 'SOMETIMES'")


# -- numbers, nesting, size


@pytest.mark.parametrize(
    "number",
    [
        pytest.param("9" * 4400, id="decimal-4400-digits"),
        pytest.param("0x" + "f" * 5000, id="hex"),
        pytest.param(":".join(["59"] * 20000), id="sexagesimal"),
    ],
)
def test_a_number_too_long_for_any_setting_is_a_config_error(
    yaml_file: YamlFile, capsys: pytest.CaptureFixture[str], number: str
) -> None:
    # Regression: int() of over 4300 digits raised ValueError, a traceback,
    # and audit exited 1 ("findings") instead of 2.
    path = yaml_file(f"server_secured: true\ntrusted_proxies: {number}\n")
    message = refused(path)
    assert message == (
        f"{path}:2:18: trusted_proxies: a number of {len(number)} characters is "
        "longer than any setting takes (allowed: up to 32; quote it if it is text)"
    )
    assert main(["audit", str(path), "--fail-on", "high"]) == 2
    assert capsys.readouterr().err == f"error: {message}\n"


def test_a_huge_number_from_a_dict_is_shown_by_its_size() -> None:
    # repr() of it raises ValueError; the message says how long it is.
    with pytest.raises(ConfigError) as raised:
        load_config({"csp_report_max_bytes": 10**5000})
    assert str(raised.value).startswith(
        "csp_report_max_bytes: <a number of about 5001 digits> is not allowed"
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("csp_safe_src: " + "[" * 5000 + "]" * 5000 + "\n", id="flow"),
        pytest.param(
            "csp_safe_src:\n" + "".join(f"{'  ' * i}- \n" for i in range(1, 60)),
            id="block",
        ),
    ],
)
def test_deep_nesting_is_refused_before_python_recurses(
    yaml_file: YamlFile, text: str
) -> None:
    # Regression: PyYAML composes recursively; deep enough, a RecursionError.
    message = refused(yaml_file(text))
    assert re.match(
        rf".*security\.yaml:\d+:\d+: values are nested more than {MAX_DEPTH} "
        "levels deep; a config needs a handful",
        message,
    )


@pytest.mark.parametrize(
    ("text", "where"),
    [
        pytest.param(
            'referrer_policy: "' + "x" * 1_000_000 + '"\n',
            "referrer_policy: 'xxxxxxxx",
            id="1MB-string",
        ),
        pytest.param(
            "csp_safe_src: {" + ", ".join(f"k{i}: v" for i in range(5_000)) + "}\n",
            "csp_safe_src: {'k0': 'v', 'k1': 'v',",
            id="huge-mapping",
        ),
        pytest.param(
            "csp_header:\n  ? " + "a!" * 50_000 + "\n  : x\n",
            "is not a CSP directive name",
            id="huge-key",
        ),
        pytest.param(
            "permissions_policy:\n  camera: ['*', "
            + ", ".join(f"https://{i}.example" for i in range(2_000))
            + "]\n",
            "permissions_policy.camera: '*' already allows every origin",
            id="huge-list",
        ),
    ],
)
def test_a_huge_value_is_never_quoted_whole(
    yaml_file: YamlFile, text: str, where: str
) -> None:
    path = yaml_file(text)
    message = refused(path)
    assert message.startswith(f"{path}:")
    assert where in message
    assert len(message) < SMALL


def test_a_file_far_larger_than_a_config_is_refused_unparsed(
    yaml_file: YamlFile,
) -> None:
    path = yaml_file("csp_safe_src:\n" + "  - a.example\n" * 100_000)
    assert refused(path) == (
        f"{path}: more than 1024 KiB, far more than a config needs (a few "
        "kilobytes); is it the right file?"
    )


# -- what a message says about the file


def test_an_error_names_the_line_of_the_key_it_is_about(yaml_file: YamlFile) -> None:
    path = yaml_file(
        "# security headers\n"
        "server_secured: true\n"
        "\n"
        "csp_unsafe_inline: false\n"
        "csp_unsafe_eval: false\n"
        "csp_header:\n"
        "  default-src: \"'self'\"\n"
        "  img-src:\n"
        "    - \"'self'\"\n"
        "    - 'data:'\n"
        "  script-src:\n"
        "    - self\n"
    )
    assert refused(path) == (
        f"{path}:12: csp_header.script-src[0]: 'self' must be quoted as \"'self'\" "
        "(unquoted it is read as a host name)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "permissions_policy:\ncamera: []\n",
            "1: permissions_policy: null is not a value; leave the key out to get "
            "its default. 'camera', the key after it, is not a top-level key: did "
            "you mean to indent it under permissions_policy?",
            id="top-level",
        ),
        pytest.param(
            "paths:\n  - prefix: /embed/\n    csp_header:\n    frame-ancestors: '*'\n",
            "3: paths[0].csp_header: null is not a value; leave the key out to keep "
            "the top-level setting. 'frame-ancestors', the key after it, is not a "
            "key of a rule: did you mean to indent it under csp_header?",
            id="in-a-rule",
        ),
        pytest.param(
            "server_secured:\nreferrer_policy: origin\n",
            "1: server_secured: null is not a value; leave the key out to get its "
            "default",
            id="next-key-is-a-key",
        ),
        pytest.param(
            "server_secured:\nrefferer_policy: origin\n",
            "1: server_secured: null is not a value; leave the key out to get its "
            "default",
            id="next-key-is-a-typo",
        ),
    ],
)
def test_a_null_followed_by_its_lost_child_asks_about_indentation(
    yaml_file: YamlFile, text: str, message: str
) -> None:
    path = yaml_file(text)
    assert refused(path) == f"{path}:{message}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "server_secured: true\n\tdebug: true\n",
            "2:1: not valid YAML: found character '\\t' that cannot start any "
            "token; indent with spaces: YAML does not allow tabs",
            id="tab",
        ),
        pytest.param(
            'csp_report_path: /r\nreferrer_policy: "no-referrer\n',
            "2:18: not valid YAML: found unexpected end of stream; a quote opened "
            "here is not closed; close it on the same line",
            id="open-quote",
        ),
        pytest.param(
            "csp_report_uri: https://r.example/a: b\n",
            "1:36: not valid YAML: mapping values are not allowed here; a value "
            "holding ': ' must be quoted (key: 'a: b'), and a key must line up with "
            "the keys above it",
            id="colon-in-value",
        ),
        pytest.param(
            "csp_safe_src:\n  - *.example.com\n",
            "2:6: not valid YAML: expected alphabetic or numeric character, but "
            "found '.'; a value that starts with '*' or '&' must be quoted, e.g. "
            "'*.example.com'",
            id="star-starts-an-alias",
        ),
        pytest.param(
            "csp_safe_src: [\"'self'\", cdn.example\n",
            "2:1: not valid YAML: expected ',' or ']', but got '<stream end>'; a "
            "'[' list is not closed, or an item in it needs quotes",
            id="open-bracket",
        ),
        pytest.param(
            "csp_header:\n    script-src: x\n  img-src: y\n",
            "3:3: not valid YAML: expected <block end>, but found '<block mapping "
            "start>'; this line is not indented like the keys above it",
            id="indentation",
        ),
        pytest.param(
            "referrer_policy: no\x07referrer\n",
            "1:20: not valid YAML: '\\x07' is not allowed; remove the control "
            "character",
            id="control-character",
        ),
        pytest.param(
            "csp_safe_src: *nowhere\n",
            "1:15: not valid YAML: found undefined alias 'nowhere'; an alias *name "
            "needs an anchor &name before it",
            id="undefined-alias",
        ),
    ],
)
def test_a_yaml_syntax_error_names_line_and_column_with_a_hint(
    yaml_file: YamlFile, text: str, message: str
) -> None:
    path = yaml_file(text)
    assert refused(path) == f"{path}:{message}"


# -- any value at all: a ConfigError or a config, never another exception

_KEYS = (
    "server_secured",
    "trusted_proxies",
    "csp_header",
    "csp_safe_src",
    "permissions_policy",
    "paths",
    "overrides",
    "csp_report_sample_rate",
)
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=40),
    st.binary(max_size=10),
)


def _nested(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4),
            st.dictionaries(
                st.one_of(st.text(max_size=12), st.integers()), inner, max_size=4
            ),
        ),
        max_leaves=12,
    )


_values = _nested(_scalars)
# Only a mapping can hold these: YAML cannot write an int that repr() refuses.
_python_values = _nested(
    st.one_of(_scalars, st.integers(min_value=10**4400, max_value=10**4500))
)
# Text placed after "key: " as written: plain scalars YAML reads as numbers,
# dates, anchors, tags, flow collections, or syntax errors.
_raw = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "0x" + "f" * 40,
            "9" * 4400,
            "1:2:3",
            "0o17",
            "1_000",
            ".inf",
            "-.nan",
            "2001-12-14t21:59:43.10-05:00",
            "!!binary aGk=",
            "!!set {a, b}",
            "!!omap [a: 1]",
            "&x [*x]",
            "[a, {b: [c, {d: e}]}]",
            "{? [a]: 1}",
            "!!python/name:os.system",
            "*",
            "'unclosed",
            "~",
        ]
    ),
)


def _loads_or_refuses(source: Any) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)
        try:
            load_config(source)
        except ConfigError as exc:
            assert len(str(exc)) < 2000


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(_KEYS), value=_values)
def test_any_value_in_a_yaml_file_is_loaded_or_a_config_error(
    tmp_path_factory: pytest.TempPathFactory, key: str, value: Any
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "security.yaml"
    path.write_text(yaml.safe_dump({key: value}), encoding="utf-8")
    _loads_or_refuses(path)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(_KEYS), value=_python_values)
def test_any_value_in_a_mapping_is_loaded_or_a_config_error(
    key: str, value: Any
) -> None:
    _loads_or_refuses({key: value})


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(_KEYS), text=_raw, nested=st.booleans())
def test_any_text_after_a_key_is_loaded_or_a_config_error(
    tmp_path_factory: pytest.TempPathFactory, key: str, text: str, nested: bool
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "security.yaml"
    line = f"{key}:\n  - {text}\n" if nested else f"{key}: {text}\n"
    path.write_text(line, encoding="utf-8")
    _loads_or_refuses(path)
