"""Violation reports: the live receiver behind ``csp_report_path``."""

from __future__ import annotations

from .receiver import ReportReceiver, content_length_value, normalize

__all__ = ["ReportReceiver", "content_length_value", "normalize"]
