"""Harden the ``Set-Cookie`` headers an application sends.

Adds ``Secure``, ``SameSite`` and ``HttpOnly`` where a cookie lacks them, as
``server_secured`` / ``force_https``, ``cookie_samesite`` and ``cookie_httponly``
ask. The rewrite only ever appends: the name, the value and every attribute
already there are kept byte for byte, whatever their case or spacing, and an
attribute the cookie already has (in any case) is never added a second time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import Config

__all__ = ["CookieRewrite"]


@dataclass(frozen=True)
class CookieRewrite:
    """A precomputed rewrite of one ``Set-Cookie`` value.

    >>> CookieRewrite(secure=True, samesite="Lax")("id=1; path=/")
    'id=1; path=/; SameSite=Lax; Secure'
    """

    secure: bool = False
    #: ``"Lax"``, ``"Strict"`` or ``"None"``; added only where SameSite is missing.
    samesite: str | None = None
    #: ``True``: every cookie; a set: only the cookies with these names.
    httponly: bool | frozenset[str] = False

    @classmethod
    def for_config(cls, config: Config, *, https: bool) -> CookieRewrite | None:
        """The rewrite ``config`` asks for on http or https responses; ``None``: none.

        ``server_secured``: every cookie is Secure; ``force_https``: those sent
        over https (an exempt path answered over http would have a Secure cookie
        dropped by the browser).
        """
        rewrite = cls(
            secure=config.server_secured or (config.force_https and https),
            samesite=config.cookie_samesite or None,  # type: ignore[arg-type]
            httponly=(
                frozenset(config.cookie_httponly)
                if isinstance(config.cookie_httponly, tuple)
                else config.cookie_httponly
            ),
        )
        return None if rewrite == cls() else rewrite

    def __call__(self, value: str) -> str:
        lowered = value.lower()
        if (
            self.secure
            and "secure" not in lowered
            and self.samesite is None
            and self.httponly is False
            and value[-1:] not in _BLANK_OR_SEMICOLON
        ):
            # server_secured alone, the usual rewrite: nothing to parse.
            return value + "; Secure"
        name_value = value.split(";", 1)[0]
        # An attribute can only be there if its name occurs in the value: when
        # no name this rewrite asks about does (the usual case), skip parsing.
        if (
            ("secure" in lowered and (self.secure or self.samesite == "None"))
            or ("samesite" in lowered and self.samesite is not None)
            or ("httponly" in lowered and self.httponly is not False)
        ):
            present = {
                attribute.split("=", 1)[0].strip().lower()
                for attribute in value.split(";")[1:]
            }
        else:
            present = set()
        added: list[str] = []
        samesite_added = self.samesite is not None and "samesite" not in present
        if samesite_added:
            added.append(f"SameSite={self.samesite}")
        # Browsers drop a SameSite=None cookie that is not Secure.
        wants_secure = self.secure or (samesite_added and self.samesite == "None")
        if wants_secure and "secure" not in present:
            added.append("Secure")
        if "httponly" not in present and self._httponly(name_value):
            added.append("HttpOnly")
        return _append(value, added)

    def function(self) -> Callable[[str], str]:
        """This rewrite as the cheapest callable that does it: ``server_secured``
        alone (the usual case) skips the checks the other keys need."""
        if not self._secure_only():
            return self
        general = self.__call__

        def add_secure(value: str) -> str:
            if "secure" not in value.lower() and value[-1:] not in _BLANK_OR_SEMICOLON:
                return value + "; Secure"
            return general(value)

        return add_secure

    def bytes_function(self) -> Callable[[bytes], bytes]:
        """:meth:`function` for values in bytes (ASGI), latin-1 as HTTP's."""
        general = self.__call__

        def rewrite(value: bytes) -> bytes:
            # latin-1 maps every byte to one character and back: nothing is lost.
            return general(value.decode("latin-1")).encode("latin-1")

        if not self._secure_only():
            return rewrite

        def add_secure(value: bytes) -> bytes:
            if b"secure" not in value.lower() and value[-1:] not in _BLANK_BYTES:
                return value + b"; Secure"
            return rewrite(value)

        return add_secure

    def _secure_only(self) -> bool:
        return self.secure and self.samesite is None and self.httponly is False

    def _httponly(self, name_value: str) -> bool:
        if isinstance(self.httponly, bool):
            return self.httponly
        # Cookie names are case-sensitive (RFC 6265 section 5.2).
        return name_value.split("=", 1)[0].strip() in self.httponly


_BLANK_OR_SEMICOLON = frozenset(" \t;")
_BLANK_BYTES = frozenset((b" ", b"\t", b";"))


def _append(value: str, attributes: list[str]) -> str:
    if not attributes:
        return value
    # Only trailing blanks go: "a=1; " + "Secure" must not read "a=1; ; Secure".
    base = value.rstrip(" \t")
    separator = " " if base.endswith(";") else "; "
    return base + separator + "; ".join(attributes)
