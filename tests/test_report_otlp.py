"""report_sink: {otlp: ...}: records reach a real OTLP/HTTP endpoint on loopback as
log records with flat attributes, decoded here with the OpenTelemetry proto
package. Needs the ``otel`` extra (CI installs it); without it,
test_report_sinks.py checks that the sink is a ConfigError naming the install."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from secheaders_wsgi.reports import flush
from tests.support import served

logs_service = pytest.importorskip(
    "opentelemetry.proto.collector.logs.v1.logs_service_pb2",
    reason="the otel extra is not installed (pip install -e '.[test,otel]')",
)
pytest.importorskip("opentelemetry.exporter.otlp.proto.http")

PATH = "/_/csp-reports"


class Collector(ThreadingHTTPServer):
    """Takes OTLP/HTTP log exports and keeps each decoded request."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[Any] = []
        self.paths: list[str] = []
        self.headers_seen: list[dict[str, str]] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1/logs"


class _Handler(BaseHTTPRequestHandler):
    server: Collector

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = logs_service.ExportLogsServiceRequest()
        request.ParseFromString(body)
        self.server.received.append(request)
        self.server.paths.append(self.path)
        self.server.headers_seen.append(dict(self.headers))
        answer = logs_service.ExportLogsServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[Collector]:
    server = Collector()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _value(any_value: Any) -> Any:
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


def test_records_reach_a_collector_with_flat_attributes(collector: Collector) -> None:
    app = served(
        {
            "csp_report_path": PATH,
            "report_sink": {
                "otlp": {"endpoint": collector.endpoint, "headers": {"x-api-key": "k1"}}
            },
        }
    )
    body = [
        {
            "type": "coep",
            "url": "https://site.example/page",
            "age": 800,
            "body": {
                "type": "corp",
                "blockedURL": "https://cdn.example/a.png",
                "destination": "image",
                "disposition": "enforce",
            },
        }
    ]
    for _ in range(3):
        app.post(
            PATH, json.dumps(body), content_type="application/reports+json", status=204
        )
    assert flush(timeout=10)

    records = [
        record
        for request in collector.received
        for resource in request.resource_logs
        for scope in resource.scope_logs
        for record in scope.log_records
    ]
    assert collector.paths and set(collector.paths) == {"/v1/logs"}
    assert collector.headers_seen[0].get("x-api-key") == "k1"
    attributes = [
        {kv.key: _value(kv.value) for kv in record.attributes} for record in records
    ]
    reports = [a for a in attributes if a["secheaders.report.type"] == "coep"]
    assert sum(a["secheaders.report.count"] for a in reports) == 3
    first = reports[0]
    assert first["secheaders.report.directive"] == "corp"
    assert first["secheaders.report.blocked"] == "https://cdn.example"
    assert first["secheaders.report.destination"] == "image"
    assert first["secheaders.report.age_ms"] == 800
    # Flat: every attribute a string or an integer, none a map.
    assert all(
        kv.value.WhichOneof("value") in ("string_value", "int_value")
        for record in records
        for kv in record.attributes
    )
    [summary] = [a for a in attributes if a["secheaders.report.type"] == "summary"]
    assert summary["secheaders.report.folded"] == 2
    assert {r.event_name for r in records} == {
        "secheaders.report",
        "secheaders.report.summary",
    }
    assert all(r.severity_text == "WARNING" for r in records)
