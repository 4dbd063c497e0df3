"""How a person is named: identifiers of four kinds, normalised before they are indexed.

The same person must be found whichever way they spell themselves, or a withdrawal given as
``Marie@Example.fr`` would not stop marketing sent to ``marie@example.fr`` (GDPR art. 7(3)).
Normalisation, decided once here:

- e-mail: Unicode NFC, trimmed, and the *whole* address lower-cased. RFC 5321 lets the local part
  be case-sensitive, but no mainstream provider treats it so, and splitting one person in two is
  the worse failure. Dots and ``+tags`` are kept: removing them is Gmail-specific and would merge
  different people elsewhere.
- phone: E.164-like ``+`` and 8 to 15 digits; spaces, dots, dashes and brackets are dropped,
  ``00`` becomes ``+``, and a ten-digit French national number (``06 12 34 56 78``) becomes
  ``+33612345678``: the seeds are French organisations.
- customer and cookie ids: trimmed, otherwise exact.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from gardien.errors import GardienError


class IdentifierKind(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    CUSTOMER_ID = "customer_id"
    COOKIE_ID = "cookie_id"


_PREFIXES = {
    "email": IdentifierKind.EMAIL,
    "mail": IdentifierKind.EMAIL,
    "phone": IdentifierKind.PHONE,
    "tel": IdentifierKind.PHONE,
    "customer": IdentifierKind.CUSTOMER_ID,
    "customer_id": IdentifierKind.CUSTOMER_ID,
    "cookie": IdentifierKind.COOKIE_ID,
    "cookie_id": IdentifierKind.COOKIE_ID,
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_NOISE = re.compile(r"[\s.\-()/]")
_MAX_LENGTH = 320  # RFC 5321: 64 + 1 + 255


class InvalidIdentifierError(GardienError):
    """An identifier that cannot name anyone: malformed e-mail, phone, or unknown kind."""

    code = "invalid_identifier"


@dataclass(frozen=True)
class Identifier:
    """A normalised identifier; build it with :func:`parse_subject` or :meth:`of`."""

    kind: IdentifierKind
    value: str

    @classmethod
    def of(cls, kind: IdentifierKind | str, raw: str) -> Identifier:
        try:
            kind = IdentifierKind(kind)
        except ValueError:
            raise InvalidIdentifierError(
                f"unknown identifier kind {kind!r}; use one of "
                + ", ".join(k.value for k in IdentifierKind)
            ) from None
        return cls(kind, normalise(kind, raw))

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.value}"


def normalise(kind: IdentifierKind, raw: str) -> str:
    """The canonical spelling of an identifier (see the module docstring)."""
    value = unicodedata.normalize("NFC", raw).strip()
    if not value:
        raise InvalidIdentifierError(f"empty {kind.value}")
    if len(value) > _MAX_LENGTH:
        raise InvalidIdentifierError(f"{kind.value} longer than {_MAX_LENGTH} characters")
    if kind is IdentifierKind.EMAIL:
        value = value.lower()
        if not _EMAIL.match(value):
            raise InvalidIdentifierError(f"{raw!r} is not an e-mail address")
        return value
    if kind is IdentifierKind.PHONE:
        return _phone(raw, value)
    return value


def _phone(raw: str, value: str) -> str:
    digits = _PHONE_NOISE.sub("", value)
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0") and len(digits) == 10:
        digits = "+33" + digits[1:]
    if not digits.startswith("+"):
        digits = "+" + digits
    body = digits[1:]
    if not body.isdigit() or not 8 <= len(body) <= 15:
        raise InvalidIdentifierError(
            f"{raw!r} is not a phone number; write it with its country code, e.g. +33612345678"
        )
    return digits


def parse_subject(text: str) -> Identifier:
    """``email:x@y``, ``phone:+33…``, ``customer:123``, ``cookie:abc``, or a bare e-mail."""
    text = text.strip()
    prefix, sep, rest = text.partition(":")
    if sep and prefix.lower() in _PREFIXES:
        return Identifier.of(_PREFIXES[prefix.lower()], rest)
    if "@" in text:
        return Identifier.of(IdentifierKind.EMAIL, text)
    raise InvalidIdentifierError(
        f"{text!r} names no one; write email:…, phone:…, customer:… or cookie:… "
        "(a bare e-mail address also works)"
    )


Subject = Identifier | str
"""An :class:`Identifier`, or its text form (``email:x@y``, ``customer:42``, a bare e-mail)."""


@lru_cache(maxsize=1 << 16)
def _parse_cached(text: str) -> Identifier:
    return parse_subject(text)


def as_identifier(subject: Subject) -> Identifier:
    """The identifier a subject names; text is parsed once and remembered (hot path)."""
    return subject if isinstance(subject, Identifier) else _parse_cached(subject)
