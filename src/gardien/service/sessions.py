"""Server-side sessions for the portal (a person) and the console (a DPO).

The browser holds only ``<random id>.<signature>`` in an HttpOnly, SameSite=Lax cookie; the
server keeps the SHA-256 of the id, who is signed in, the CSRF token and the expiry. No person
id ever travels in a URL or a cookie, so no URL or cookie edit reaches anyone else's data
(GDPR art. 32; art. 12(6) for the code that signs a person in). Signing in replaces the session
(a session fixed before sign-in is worthless after it); signing out deletes the row.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.ledger import Identifier, parse_subject
from gardien.service.tables import sessions
from gardien.storage import read_transaction, write_transaction
from gardien.vault import FieldCipher

PORTAL_COOKIE = "gardien_portal"
CONSOLE_COOKIE = "gardien_console"


class SessionKind(StrEnum):
    PORTAL = "portal"
    CONSOLE = "console"


@dataclass(frozen=True)
class Session:
    """One signed-in (or not yet signed-in) browser."""

    id: int
    kind: SessionKind
    subject: Identifier | None
    """The signed-in person (portal), decrypted from the session row."""
    api_key_id: str | None
    csrf_token: str
    lang: str
    expires_at: datetime

    @property
    def signed_in(self) -> bool:
        if self.kind is SessionKind.PORTAL:
            return self.subject is not None
        return self.api_key_id is not None


def _aad(token_hash: str) -> bytes:
    return b"gardien/session:" + token_hash.encode()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore:
    """Creates, reads and ends sessions; the cookie value is signed with ``key``."""

    def __init__(
        self, engine: Engine, key: bytes, cipher: FieldCipher, lifetime: timedelta
    ) -> None:
        self._engine = engine
        self._key = key
        self._cipher = cipher
        self.lifetime = lifetime

    def _sign(self, token: str) -> str:
        return hmac.new(self._key, token.encode(), hashlib.sha256).hexdigest()[:32]

    def _cookie(self, token: str) -> str:
        return f"{token}.{self._sign(token)}"

    def _token(self, cookie: str | None) -> str | None:
        if not cookie or "." not in cookie:
            return None
        token, _, signature = cookie.rpartition(".")
        if not hmac.compare_digest(signature, self._sign(token)):
            return None
        return token

    def start(
        self,
        kind: SessionKind,
        lang: str,
        *,
        subject: Identifier | None = None,
        api_key_id: str | None = None,
        replacing: Session | None = None,
    ) -> tuple[Session, str]:
        """A new session and its cookie value; ``replacing`` is ended in the same transaction."""
        token = secrets.token_urlsafe(32)
        token_hash = _hash(token)
        sealed = (
            self._cipher.encrypt(str(subject).encode(), _aad(token_hash))
            if subject is not None
            else None
        )
        now = datetime.now(UTC)
        csrf = secrets.token_urlsafe(24)
        expires = now + self.lifetime
        with write_transaction(self._engine) as conn:
            if replacing is not None:
                conn.execute(sessions.delete().where(sessions.c.id == replacing.id))
            # Expired rows are removed as new ones come: the table stays small.
            conn.execute(sessions.delete().where(sessions.c.expires_at < now))
            result = conn.execute(
                sessions.insert().values(
                    token_hash=token_hash,
                    kind=kind.value,
                    sealed_subject=sealed,
                    api_key_id=api_key_id,
                    csrf_token=csrf,
                    lang=lang,
                    created_at=now,
                    expires_at=expires,
                )
            )
            session_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        session = Session(session_id, kind, subject, api_key_id, csrf, lang, expires)
        return session, self._cookie(token)

    def find(self, kind: SessionKind, cookie: str | None) -> Session | None:
        """The live session a cookie names, or None (bad signature, unknown, expired)."""
        token = self._token(cookie)
        if token is None:
            return None
        token_hash = _hash(token)
        with read_transaction(self._engine) as conn:
            row = conn.execute(
                sa.select(sessions).where(
                    sessions.c.token_hash == token_hash, sessions.c.kind == kind.value
                )
            ).one_or_none()
        if row is None or row.expires_at <= datetime.now(UTC):
            return None
        subject = (
            parse_subject(
                self._cipher.decrypt(bytes(row.sealed_subject), _aad(token_hash)).decode()
            )
            if row.sealed_subject is not None
            else None
        )
        return Session(
            int(row.id),
            SessionKind(row.kind),
            subject,
            row.api_key_id,
            str(row.csrf_token),
            str(row.lang),
            row.expires_at,
        )

    def set_lang(self, session: Session, lang: str) -> None:
        with write_transaction(self._engine) as conn:
            conn.execute(sessions.update().where(sessions.c.id == session.id).values(lang=lang))

    def end(self, session: Session) -> None:
        with write_transaction(self._engine) as conn:
            conn.execute(sessions.delete().where(sessions.c.id == session.id))

    def check_csrf(self, session: Session, submitted: str | None) -> bool:
        return bool(submitted) and hmac.compare_digest(session.csrf_token, submitted or "")
