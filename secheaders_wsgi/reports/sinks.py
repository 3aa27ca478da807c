"""Where the receiver's records go: the log, SQLite, OpenTelemetry or a callable.

``report_sink`` in the config picks one (:func:`build_sink`). Each takes the
records :class:`~.bounds.Bounds` lets through, in batches: a
:class:`~.record.Report` (``count`` of them) or a :class:`~.record.Summary`.
A sink whose ``write`` may block (a file, the network, code we do not know) is
called from a writer thread, never from a request (:mod:`.writer`).
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from ..config.report_keys import SinkSpec
from ..errors import ConfigError
from .bounds import Out

__all__ = ["LOGGER", "CallableSink", "LogSink", "Sink", "build_sink"]

#: The logger the ``log`` sink writes to; the name predates the other report
#: types, which it carries too.
LOGGER = logging.getLogger("secheaders.csp")


class Sink(Protocol):
    """What the receiver writes its records to."""

    #: ``write`` may block: it runs in the writer thread.
    blocking: bool

    def write(self, records: Sequence[Out]) -> None:
        """Store the records; raise to have them kept and tried again."""

    def flush(self, timeout: float) -> bool:
        """Send on what the sink itself buffers; ``False`` if it could not."""

    def close(self) -> None:
        """Flush and let go of what the sink holds (at process exit)."""


class LogSink:
    """One JSON line per record on ``secheaders.csp`` at WARNING.

    The fields are also on the log record as flat attributes named
    ``report_<field>`` (``record.report_directive``), which structured handlers
    (OpenTelemetry's among them) keep, where they drop a dict.
    """

    blocking = False

    def write(self, records: Sequence[Out]) -> None:
        for record in records:
            fields = record.fields()
            # json.dumps escapes control characters: a report cannot forge a line.
            LOGGER.warning(
                "%s",
                json.dumps(fields, sort_keys=True),
                extra={f"report_{name}": value for name, value in fields.items()},
            )

    def flush(self, timeout: float) -> bool:
        return True

    def close(self) -> None:
        pass


class CallableSink:
    """Calls ``function(fields)`` with each record's flat dict of fields."""

    blocking = True

    def __init__(self, function: Callable[[dict[str, Any]], object]) -> None:
        self.function = function

    def write(self, records: Sequence[Out]) -> None:
        for record in records:
            self.function(record.fields())

    def flush(self, timeout: float) -> bool:
        return True

    def close(self) -> None:
        pass


def build_sink(spec: SinkSpec, where: str = "report_sink") -> Sink:
    """The sink ``spec`` names, ready to write; ConfigError when it cannot be.

    Checks what the config check could not: that the SQLite file can be
    written, that the ``otel`` extra is installed, that the callable imports.
    """
    if spec.kind == "sqlite":
        from .sqlite import SqliteSink

        return SqliteSink.open(spec.target, spec.max_bytes, f"{where}.sqlite")
    if spec.kind == "otlp":
        from .otlp import OtlpSink

        return OtlpSink.build(spec, f"{where}.otlp")
    if spec.kind == "callable":
        return CallableSink(_imported(spec.target, f"{where}.callable"))
    return LogSink()


def _imported(target: str, where: str) -> Callable[[dict[str, Any]], object]:
    module_name, _, name = target.partition(":")
    try:
        found: Any = importlib.import_module(module_name)
        for part in name.split("."):
            found = getattr(found, part)
    except ImportError as exc:
        raise ConfigError(
            f"{where}: {target!r} cannot be imported ({exc}) (allowed: "
            "'package.module:function' for a module on the path)"
        ) from None
    except AttributeError:
        raise ConfigError(
            f"{where}: {target!r}: the module {module_name!r} has no {name!r}"
        ) from None
    if not callable(found):
        raise ConfigError(
            f"{where}: {target!r} is a {type(found).__name__}, not a function "
            "(allowed: a function that takes one record as a dict)"
        )
    function: Callable[[dict[str, Any]], object] = found
    return function
