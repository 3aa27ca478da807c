"""The one exception a bad configuration raises."""

from __future__ import annotations

import os
import sys
import warnings

__all__ = ["ConfigError", "SecurityWarning", "warn"]


class ConfigError(ValueError):
    """A setting is unknown, misspelt, or has a value that is not allowed.

    Raised when ``SecureHeaders`` is built, never during a request. The message
    names the key, quotes the bad value and says what is allowed.
    """


def warn(message: str) -> None:
    """Warn about a valid but risky setting, pointing at the user's own code.

    The stack level is counted out of this package, so the warning names the
    line that built ``SecureHeaders`` however deep the check ran.
    """
    package = os.path.dirname(__file__) + os.sep
    frame = sys._getframe(1)
    level = 2
    while frame.f_back is not None and frame.f_code.co_filename.startswith(package):
        frame = frame.f_back
        level += 1
    warnings.warn(message, SecurityWarning, stacklevel=level)


class SecurityWarning(UserWarning):
    """A setting is valid but weakens the protection or may not do what was meant."""
