"""Violation reports: the live receiver behind ``csp_report_path`` and where
its records go.

:mod:`.receiver` takes the POSTs, :mod:`.record` normalizes every report type
into one flat record, :mod:`.bounds` keeps a flood bounded, :mod:`.sinks` (and
:mod:`.sqlite`, :mod:`.otlp`) store the records, :mod:`.writer` keeps the
sinks off the request path.
"""

from __future__ import annotations

from .receiver import ReportReceiver, content_length_value, flush
from .record import Report, Summary

__all__ = ["Report", "ReportReceiver", "Summary", "content_length_value", "flush"]
