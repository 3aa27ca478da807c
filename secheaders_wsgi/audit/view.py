"""What a rule looks at: a config's header set and policy; and what it reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ..config import Config, Sources
from ..config.csp_grammar import effective
from ..policy import csp_directives, headers

Severity = Literal["info", "low", "medium", "high"]
#: From least to most severe; ``info`` is a state worth knowing, not a weakness.
SEVERITIES: tuple[Severity, ...] = ("info", "low", "medium", "high")


@dataclass(frozen=True)
class Finding:
    """One weakness: a rule id, how bad it is, what it means and the fix.

    ``prefix`` names the ``paths`` rule it belongs to, ``override`` the
    entry of ``overrides:``; both ``None``: the top level.
    """

    rule: str
    severity: Severity
    message: str
    fix: str
    prefix: str | None = None
    override: str | None = None


@dataclass(frozen=True)
class View:
    config: Config
    #: Header name, lower-cased -> value.
    headers: Mapping[str, str]
    #: Directive name -> sources; ``None`` when no CSP is sent.
    csp: Mapping[str, Sources] | None

    @classmethod
    def of(cls, config: Config) -> View:
        directives = csp_directives(config)
        return cls(
            config=config,
            headers={
                name.lower(): value for name, value in headers(config, https=True)
            },
            csp=None if directives is None else dict(directives),
        )

    def fetch(self, name: str) -> Sources | None:
        """The sources a fetch directive enforces, falling back to default-src."""
        return None if self.csp is None else effective(self.csp, name)

    def where(self, name: str) -> str:
        """The config setting that feeds a directive, for the fix text."""
        custom = self.config.csp_header
        if not isinstance(custom, tuple):
            return (
                "csp_safe_src" if name in ("script-src", "style-src") else "csp_header"
            )
        source = name if name in dict(custom) else "default-src"
        return f"csp_header.{source}"
