"""What a bad or risky configuration raises or warns, and the did-you-mean hint."""

from __future__ import annotations

import difflib
import os
import sys
import warnings

__all__ = ["ConfigError", "SecurityWarning", "closest", "did_you_mean", "warn"]


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


def closest(word: str, choices: tuple[str, ...], cutoff: float = 0.6) -> str | None:
    """The choice ``word`` most likely misspells, or ``None``."""
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=cutoff)
    return matches[0] if matches else None


def did_you_mean(
    word: str, choices: tuple[str, ...], cutoff: float = 0.6, prefix: bool = False
) -> str:
    """``. Did you mean 'x'?`` for the closest choice, or ``""``.

    The one shape of every hint: it ends the message, after what is allowed.

    ``prefix``: a word that starts a choice suggests it too (``hsts`` for
    ``hsts_header``), for names a user may abbreviate.
    """
    match = closest(word, choices, cutoff)
    if match is None and prefix and len(word) > 2:
        match = next((c for c in choices if c.startswith(word)), None)
    return f". Did you mean {match!r}?" if match else ""
