"""What a bad or risky configuration raises or warns, and the did-you-mean hint."""

from __future__ import annotations

import difflib
import math
import os
import reprlib
import sys
import warnings

__all__ = [
    "ConfigError",
    "SecurityWarning",
    "clipped",
    "closest",
    "did_you_mean",
    "shown",
    "warn",
]


class ConfigError(ValueError):
    """A setting is unknown, misspelt, or has a value that is not allowed.

    Raised when ``SecureHeaders`` is built, never during a request. The message
    names the key, quotes the bad value and says what is allowed; from a YAML
    file, it starts with the file and the line (``security.yaml:12: ...``).

    ``where``: the key the error is about (``paths[0].csp_heder``), for a
    message that does not start with it; ``None`` otherwise.
    """

    def __init__(self, message: str, *, where: str | None = None) -> None:
        super().__init__(message)
        self.where = where


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


class _Shown(reprlib.Repr):
    """``repr`` with every part bounded, so that showing a value costs little.

    A YAML alias bomb is a small file whose value expands to billions of
    items, and ``repr`` of a 1 MB string is 1 MB: neither may reach a message.
    """

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxlist = self.maxtuple = self.maxdict = 8
        self.maxset = self.maxfrozenset = self.maxdeque = 8
        self.maxstring = self.maxother = 120
        self.maxlong = 40

    def repr_int(self, x: int, level: int) -> str:
        # repr() of an int over 4300 digits raises ValueError; it is never
        # needed whole: its length says what went wrong.
        if x.bit_length() > 4 * self.maxlong:
            digits = math.floor(x.bit_length() * math.log10(2)) + 1
            return f"<a number of about {digits} digits>"
        return super().repr_int(x, level)


_SHOWN = _Shown()
#: Longer than this, the middle of what ``shown`` returns is cut out.
_SHOWN_MAX = 160


def shown(value: object) -> str:
    """``repr(value)`` for a message, cut short with ``...`` when it is long.

    Every message that quotes a value from a config goes through this: the
    work is bounded whatever the value holds, and so is the message.

    >>> shown("self")
    "'self'"
    >>> shown("x" * 1000)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'"
    >>> bomb = ["lol"]
    >>> for _ in range(60):  # 2**60 items, as an alias bomb expands
    ...     bomb = [bomb, bomb]
    >>> shown(bomb)
    '[[[[...], [...]], [[...], [...]]], [[[...], [...]], [[...], [...]]]]'
    """
    return clipped(_SHOWN.repr(value))


def clipped(text: str) -> str:
    """``text`` with its middle cut out when it is long: for a list a message
    spells out (``self, https://a.example``) rather than quotes."""
    if len(text) <= _SHOWN_MAX:
        return text
    half = (_SHOWN_MAX - 3) // 2
    return f"{text[:half]}...{text[-half:]}"
