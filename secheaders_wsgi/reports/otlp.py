"""The OpenTelemetry sink: each record a log record, sent over OTLP/HTTP.

``report_sink: {otlp: {endpoint: http://collector:4318/v1/logs}}``, with the
``otel`` extra installed (``pip install 'secheaders_wsgi[otel]'``: the
OpenTelemetry SDK and its OTLP/HTTP exporter). For a fleet: every process sends
to a Collector, which routes to Loki, Elasticsearch, ClickHouse or a vendor.

Each record becomes one log record whose attributes are the record's flat
fields under ``secheaders.report.<field>`` (``None`` left out), with the event
name ``secheaders.report`` (or ``secheaders.report.summary``) and a short text
body. The SDK's batch processor queues and exports them from its own thread, so
a write never waits on the network; the SDK also drops what its bounded queue
cannot hold. The resource comes from the usual ``OTEL_SERVICE_NAME`` and
``OTEL_RESOURCE_ATTRIBUTES`` variables.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from ..config.report_keys import SinkSpec
from ..errors import ConfigError
from .bounds import Out
from .record import Summary

__all__ = ["INSTALL", "OtlpSink"]

INSTALL = "pip install 'secheaders_wsgi[otel]'"
_PREFIX = "secheaders.report."


class OtlpSink:
    """Emits each record to an OpenTelemetry logger provider of its own."""

    blocking = False

    def __init__(self, spec: SinkSpec) -> None:
        self.spec = spec
        self._provider: Any = None
        self._logger: Any = None
        self._pid = 0

    @classmethod
    def build(cls, spec: SinkSpec, where: str) -> OtlpSink:
        """The sink, if the ``otel`` extra is installed; else ConfigError."""
        try:
            import opentelemetry.exporter.otlp.proto.http._log_exporter  # noqa: F401
            import opentelemetry.sdk._logs  # noqa: F401
        except ImportError as exc:
            raise ConfigError(
                f"{where}: the OpenTelemetry SDK and its OTLP/HTTP exporter are not "
                f"installed ({exc.name or exc}): {INSTALL}"
            ) from None
        return cls(spec)

    def write(self, records: Sequence[Out]) -> None:
        logger = self._get_logger()
        from opentelemetry._logs import SeverityNumber

        for record in records:
            fields = record.fields()
            event = "secheaders.report"
            if isinstance(record, Summary):
                event += ".summary"
            logger.emit(
                body=_body(fields),
                severity_number=SeverityNumber.WARN,
                severity_text="WARNING",
                event_name=event,
                attributes={
                    _PREFIX + name: value
                    for name, value in fields.items()
                    if value is not None
                },
            )

    def flush(self, timeout: float = 5.0) -> bool:
        if self._provider is None or self._pid != os.getpid():
            return True
        return bool(self._provider.force_flush(int(timeout * 1000)))

    def close(self) -> None:
        if self._provider is not None and self._pid == os.getpid():
            self._provider.shutdown()
        self._provider = self._logger = None

    def _get_logger(self) -> Any:
        # One provider per process: its export thread does not survive a fork.
        if self._logger is not None and self._pid == os.getpid():
            return self._logger
        from opentelemetry.exporter.otlp.proto.http._log_exporter import (
            OTLPLogExporter,
        )
        from opentelemetry.sdk._logs import LoggerProvider
        from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
        from opentelemetry.sdk.resources import Resource

        exporter = OTLPLogExporter(
            endpoint=self.spec.target,
            headers=dict(self.spec.headers),
            timeout=self.spec.timeout,
        )
        # shutdown_on_exit=False: the receiver's own exit hook flushes its
        # last records first, then closes this sink.
        provider = LoggerProvider(resource=Resource.create(), shutdown_on_exit=False)
        provider.add_log_record_processor(BatchLogRecordProcessor(exporter))
        self._provider, self._pid = provider, os.getpid()
        self._logger = provider.get_logger("secheaders_wsgi.reports")
        return self._logger


def _body(fields: dict[str, Any]) -> str:
    if fields["type"] == "summary":
        return (
            f"security reports not stored one by one: dropped {fields['dropped']}, "
            f"folded {fields['folded']}, noise {fields['noise']}, lost {fields['lost']}"
        )
    what = " ".join(
        str(fields[name])
        for name in ("type", "directive", "blocked")
        if fields.get(name) is not None
    )
    return f"{what} on {fields.get('page') or 'an unknown page'} x{fields['count']}"
