"""One-time codes that confirm a person controls an address (GDPR art. 12(6)).

The CNIL advises asking for no more than what confirms identity: for a request made by e-mail, a
code sent to that address and typed back is enough. A code has six digits, lives ten minutes,
is used once, allows five attempts, and an identifier gets at most three codes per fifteen
minutes (so the code cannot be guessed, nor the person flooded). Only the latest code of an
identifier and purpose counts; issuing a new one retires the previous ones.

The module is generic: the request workflow uses the purpose ``request:<ref>``, the portal
``signin``. Codes and identifiers are stored as keyed hashes (see :mod:`.tables`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gardien.errors import GardienError
from gardien.identity.tables import identity_codes
from gardien.notify import Mailer, Message
from gardien.storage import write_transaction
from gardien.vault import MasterKeyProvider, derive_subkey

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5
ISSUE_LIMIT = 3
ISSUE_WINDOW = timedelta(minutes=15)


class CodeOutcome(StrEnum):
    """What checking a code found; only ``VERIFIED`` confirms the identity."""

    VERIFIED = "verified"
    WRONG = "wrong"
    EXPIRED = "expired"
    LOCKED = "locked"
    """Too many wrong attempts: a new code must be asked for."""
    USED = "used"
    NO_CODE = "no_code"

    @property
    def ok(self) -> bool:
        return self is CodeOutcome.VERIFIED


class TooManyCodesError(GardienError):
    """An identifier asked for more codes than the rate limit allows."""

    code = "too_many_codes"

    def __init__(self, retry_after: datetime) -> None:
        super().__init__(
            f"too many codes asked for this identifier; try again after {retry_after:%H:%M} UTC"
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class IssuedCode:
    """A code that was sent; ``code`` is returned only so that callers can test delivery."""

    purpose: str
    expires_at: datetime
    code: str


def codes_key(provider: MasterKeyProvider) -> bytes:
    """The key of the code hashes, derived from the pinned index key (stable over rotation)."""
    return derive_subkey(provider.index_key(), "identity/one-time-codes")


def _utcnow() -> datetime:
    return datetime.now(UTC)


_MESSAGES = {
    "fr": (
        "Votre code de vérification",
        "Bonjour,\n\nVoici votre code de vérification : {code}\n\n"
        "Il est valable jusqu'à {until:%H:%M} (UTC) et ne peut servir qu'une fois.\n"
        "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.\n",
    ),
    "en": (
        "Your verification code",
        "Hello,\n\nYour verification code is: {code}\n\n"
        "It is valid until {until:%H:%M} (UTC) and can be used once.\n"
        "If you did not ask for it, ignore this message.\n",
    ),
}


class OneTimeCodes:
    """Issues and checks codes for any identifier and purpose; see the module docstring."""

    def __init__(
        self,
        engine: Engine,
        key: bytes,
        mailer: Mailer,
        *,
        lifetime: timedelta = CODE_LIFETIME,
        max_attempts: int = MAX_ATTEMPTS,
        issue_limit: int = ISSUE_LIMIT,
        issue_window: timedelta = ISSUE_WINDOW,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        if len(key) < 16:
            raise ValueError("the one-time code key must be at least 128 bits")
        self._engine = engine
        self._key = key
        self._mailer = mailer
        self.lifetime = lifetime
        self.max_attempts = max_attempts
        self.issue_limit = issue_limit
        self.issue_window = issue_window
        self._clock = clock

    def _digest(self, label: bytes, *parts: str) -> bytes:
        body = b"\x00".join(p.encode("utf-8") for p in parts)
        return hmac.new(self._key, label + b"\x00" + body, hashlib.sha256).digest()

    def subject_digest(self, identifier: str) -> bytes:
        return self._digest(b"subject", identifier)

    def issue_code(
        self,
        identifier: str,
        purpose: str = "signin",
        *,
        send_to: str | None = None,
        lang: str = "fr",
        conn: Connection | None = None,
    ) -> IssuedCode:
        """Create a code, retire the previous ones, and send it to ``send_to`` (or ``identifier``).

        Raises :class:`TooManyCodesError` past the rate limit, and
        :class:`~gardien.notify.DeliveryError` when the message cannot be sent (the code is then
        not kept, so it does not count against the limit). With ``conn``, the code is written in
        the caller's transaction.
        """
        if conn is None:
            with write_transaction(self._engine) as own:
                return self._issue(own, identifier, purpose, send_to, lang)
        return self._issue(conn, identifier, purpose, send_to, lang)

    def _issue(
        self, conn: Connection, identifier: str, purpose: str, send_to: str | None, lang: str
    ) -> IssuedCode:
        now = self._clock()
        self._forget(conn, now - max(self.issue_window, self.lifetime, timedelta(days=1)))
        subject = self.subject_digest(identifier)
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        expires_at = now + self.lifetime
        recent = (
            conn.execute(
                sa.select(identity_codes.c.issued_at)
                .where(
                    identity_codes.c.subject_digest == subject,
                    identity_codes.c.issued_at > now - self.issue_window,
                )
                .order_by(identity_codes.c.issued_at)
            )
            .scalars()
            .all()
        )
        if len(recent) >= self.issue_limit:
            raise TooManyCodesError(recent[0] + self.issue_window)
        conn.execute(
            identity_codes.update()
            .where(
                identity_codes.c.subject_digest == subject,
                identity_codes.c.purpose == purpose,
                identity_codes.c.used_at.is_(None),
                identity_codes.c.expires_at > now,
            )
            .values(expires_at=now)
        )
        conn.execute(
            identity_codes.insert().values(
                subject_digest=subject,
                purpose=purpose,
                code_hash=self._digest(b"code", purpose, code),
                issued_at=now,
                expires_at=expires_at,
                attempts=0,
            )
        )
        # Sent inside the transaction: a delivery failure rolls the code back.
        subject_line, body = _MESSAGES["en" if lang == "en" else "fr"]
        self._mailer.send(
            Message(
                to=send_to or identifier,
                subject=subject_line,
                text=body.format(code=code, until=expires_at),
            )
        )
        return IssuedCode(purpose=purpose, expires_at=expires_at, code=code)

    def forget_old_codes(self, older_than: timedelta = timedelta(days=1)) -> int:
        """Delete codes issued more than ``older_than`` ago (GDPR art. 5(1)(e): a used or
        expired code proves nothing any more); returns how many went. Issuing calls it."""
        with write_transaction(self._engine) as conn:
            return self._forget(conn, self._clock() - older_than)

    def _forget(self, conn: Connection, before: datetime) -> int:
        result = conn.execute(identity_codes.delete().where(identity_codes.c.issued_at < before))
        return int(result.rowcount or 0)

    def check_code(
        self, identifier: str, purpose: str, code: str, *, conn: Connection | None = None
    ) -> CodeOutcome:
        """Check a code typed back; a right code is consumed, a wrong one costs an attempt."""
        if conn is None:
            with write_transaction(self._engine) as own:
                return self._check(own, identifier, purpose, code)
        return self._check(conn, identifier, purpose, code)

    def _check(self, conn: Connection, identifier: str, purpose: str, code: str) -> CodeOutcome:
        now = self._clock()
        subject = self.subject_digest(identifier)
        typed = code.strip().replace(" ", "")
        row = conn.execute(
            sa.select(identity_codes)
            .where(
                identity_codes.c.subject_digest == subject,
                identity_codes.c.purpose == purpose,
            )
            .order_by(identity_codes.c.issued_at.desc(), identity_codes.c.id.desc())
            .limit(1)
        ).first()
        if row is None:
            return CodeOutcome.NO_CODE
        if row.used_at is not None:
            return CodeOutcome.USED
        if row.expires_at <= now:
            return CodeOutcome.EXPIRED
        # Count the attempt first, atomically: parallel guesses cannot exceed the limit.
        counted = conn.execute(
            identity_codes.update()
            .where(
                identity_codes.c.id == row.id,
                identity_codes.c.attempts < self.max_attempts,
                identity_codes.c.used_at.is_(None),
            )
            .values(attempts=identity_codes.c.attempts + 1)
        ).rowcount
        if counted == 0:
            return CodeOutcome.LOCKED
        expected = bytes(row.code_hash)
        if not hmac.compare_digest(expected, self._digest(b"code", purpose, typed)):
            return CodeOutcome.WRONG
        used = conn.execute(
            identity_codes.update()
            .where(identity_codes.c.id == row.id, identity_codes.c.used_at.is_(None))
            .values(used_at=now)
        ).rowcount
        return CodeOutcome.VERIFIED if used == 1 else CodeOutcome.USED
