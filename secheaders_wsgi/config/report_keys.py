"""The checks of the report receiver's keys: where reports go and their bounds.

``report_sink`` is checked for its shape here, when the config loads; what needs
the machine (the SQLite file can be written, the ``otel`` extra is installed,
the callable imports) is checked when the receiver is built, still at start-up
(:meth:`secheaders_wsgi.reports.ReportReceiver.for_config`), so that ``audit``
can read a production config on a machine that has none of them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard
from urllib.parse import urlsplit

from ..errors import ConfigError, did_you_mean
from .values import header_text, not_allowed

__all__ = [
    "SINK_KINDS",
    "SinkSpec",
    "report_rate",
    "report_sink",
    "report_summary_seconds",
    "report_window_seconds",
]

SINK_KINDS = ("sqlite", "otlp", "callable")
_SINK_FORMS = (
    "'log' (the default), {sqlite: PATH}, {sqlite: {path: PATH, max_mb: N}}, "
    "{otlp: {endpoint: URL}} or {callable: 'package.module:function'}"
)
#: The SQLite file's default bound: months of grouped reports fit in far less.
DEFAULT_MAX_MB = 64
_DOTTED = r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*"
_CALLABLE = re.compile(f"{_DOTTED}:{_DOTTED}")


@dataclass(frozen=True)
class SinkSpec:
    """Where the receiver sends its records, as the config says.

    ``kind`` is ``log``, ``sqlite`` (``target``: the file), ``otlp``
    (``target``: the OTLP/HTTP logs endpoint) or ``callable`` (``target``:
    ``package.module:function``).
    """

    kind: str = "log"
    target: str = ""
    #: sqlite: the file's bound in bytes.
    max_bytes: int = DEFAULT_MAX_MB * 1024 * 1024
    #: otlp: headers sent with each export (an API key, say).
    headers: tuple[tuple[str, str], ...] = ()
    #: otlp: seconds one export may take.
    timeout: float = 10.0

    def __str__(self) -> str:
        """As the config writes it: ``log``, ``{sqlite: reports.db}`` ..."""
        return "log" if self.kind == "log" else f"{{{self.kind}: {self.target}}}"


def report_sink(where: str, value: object) -> SinkSpec:
    """``'log'`` or a one-key mapping naming the sink and its target."""
    if value == "log":
        return SinkSpec()
    if not isinstance(value, Mapping) or len(value) != 1:
        hint = did_you_mean(value, ("log",)) if isinstance(value, str) else ""
        raise ConfigError(
            f"{where}: {value!r} is not a report sink (allowed: {_SINK_FORMS}){hint}"
        )
    [(kind, target)] = value.items()
    if kind not in SINK_KINDS:
        hint = did_you_mean(str(kind), SINK_KINDS)
        raise ConfigError(
            f"{where}: {kind!r} is not a report sink (allowed: {_SINK_FORMS}){hint}"
        )
    place = f"{where}.{kind}"
    if kind == "sqlite":
        return _sqlite(place, target)
    if kind == "otlp":
        return _otlp(place, target)
    if not isinstance(target, str) or not _CALLABLE.fullmatch(target):
        raise not_allowed(
            place, target, "a dotted path to a function, 'package.module:function'"
        )
    return SinkSpec("callable", target)


def _sqlite(where: str, value: object) -> SinkSpec:
    options = value if isinstance(value, Mapping) else {"path": value}
    _only(where, options, ("path", "max_mb"))
    path = options.get("path")
    if not isinstance(path, str) or not path.strip() or "\x00" in path:
        raise not_allowed(
            f"{where}.path" if isinstance(value, Mapping) else where,
            path,
            "the path of the SQLite file, e.g. 'reports.db' or "
            "'/var/lib/app/reports.db'",
        )
    size = options.get("max_mb", DEFAULT_MAX_MB)
    if not _number(size) or not 1 <= size <= 1024 * 1024:
        raise not_allowed(
            f"{where}.max_mb",
            size,
            f"a number of MiB from 1 to 1048576; the default is {DEFAULT_MAX_MB}",
        )
    return SinkSpec("sqlite", path, max_bytes=int(size * 1024 * 1024))


def _otlp(where: str, value: object) -> SinkSpec:
    if not isinstance(value, Mapping):
        raise not_allowed(
            where,
            value,
            "a mapping such as {endpoint: 'http://collector:4318/v1/logs'}",
        )
    _only(where, value, ("endpoint", "headers", "timeout"))
    endpoint = value.get("endpoint")
    parts = urlsplit(endpoint) if isinstance(endpoint, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise not_allowed(
            f"{where}.endpoint",
            endpoint,
            "the http(s) URL of an OTLP/HTTP logs endpoint, e.g. "
            "'http://localhost:4318/v1/logs'",
        )
    raw_headers = value.get("headers", {})
    if not isinstance(raw_headers, Mapping):
        raise not_allowed(f"{where}.headers", raw_headers, "a mapping name -> value")
    headers = tuple(
        (
            header_text(f"{where}.headers", str(name)),
            header_text(f"{where}.headers.{name}", text),
        )
        for name, text in raw_headers.items()
    )
    timeout = value.get("timeout", 10)
    if not _number(timeout) or not 0 < timeout <= 60:
        raise not_allowed(
            f"{where}.timeout", timeout, "seconds from 0 to 60; the default is 10"
        )
    return SinkSpec("otlp", str(endpoint), headers=headers, timeout=float(timeout))


def report_rate(where: str, value: object) -> float:
    """New reports stored per second and process; more are counted as dropped."""
    if not _number(value) or not 0 < value <= 10_000:
        raise not_allowed(
            where,
            value,
            "reports per second and process, more than 0 and at most 10000; "
            "the default is 50",
        )
    return float(value)


def report_window_seconds(where: str, value: object) -> float:
    """How long a repeated report is folded into the first one's count."""
    if not _number(value) or not 0 <= value <= 3600:
        raise not_allowed(
            where, value, "seconds from 0 (no folding) to 3600; the default is 10"
        )
    return float(value)


def report_summary_seconds(where: str, value: object) -> float:
    """At most one summary of what was dropped or folded per this many seconds."""
    if not _number(value) or not 1 <= value <= 86_400:
        raise not_allowed(where, value, "seconds from 1 to 86400; the default is 60")
    return float(value)


def _number(value: object) -> TypeGuard[int | float]:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
    )


def _only(where: str, options: Mapping[Any, Any], allowed: tuple[str, ...]) -> None:
    for name in options:
        if name not in allowed:
            hint = did_you_mean(str(name), allowed)
            raise ConfigError(
                f"{where}: unknown option {name!r} (allowed: {', '.join(allowed)})"
                f"{hint}"
            )
