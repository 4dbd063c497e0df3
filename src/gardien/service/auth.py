"""API keys with scopes: how applications and the back office reach the API.

A key is ``gdn_<id>_<secret>``: the id finds the row, the 256-bit secret is checked against its
stored SHA-256 in constant time. The secret is shown once, at creation, and never stored (GDPR
art. 32(1): a copy of the database opens no door). A key carries the scopes it was created with;
``admin`` holds every scope. Revocation is immediate in the process that revokes and reaches
other workers within :data:`CACHE_SECONDS` (keys are cached briefly so that the decision hot
path does not read the key table on every call).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from gardien.errors import GardienError
from gardien.service.tables import api_keys
from gardien.storage import read_transaction, write_transaction

TOKEN_PREFIX = "gdn"  # noqa: S105  (a prefix, not a secret)
CACHE_SECONDS = 5.0


class Scope(StrEnum):
    """What a key may do; each API route requires exactly one."""

    DECISIONS = "decisions"
    CONSENTS_READ = "consents:read"
    CONSENTS_WRITE = "consents:write"
    REQUESTS_READ = "requests:read"
    REQUESTS_WRITE = "requests:write"
    REQUESTS_ADMIN = "requests:admin"
    REGISTER = "register"
    AUDIT = "audit"
    ADMIN = "admin"


class AuthenticationError(GardienError):
    """No key, a malformed key, an unknown key or a revoked one (HTTP 401)."""

    code = "unauthenticated"


class ForbiddenError(GardienError):
    """A valid key without the scope this operation needs (HTTP 403)."""

    code = "forbidden"

    def __init__(self, needed: Scope) -> None:
        super().__init__(f"this key lacks the scope {needed.value!r}")
        self.needed = needed


class UnknownKeyError(GardienError):
    """``gardien keys revoke`` named a key that does not exist."""

    code = "unknown_api_key"


class InvalidScopeError(GardienError):
    code = "invalid_scope"


@dataclass(frozen=True)
class ApiKey:
    """A key as the service knows it: never the secret."""

    id: str
    name: str
    scopes: frozenset[Scope]
    created_at: datetime
    revoked_at: datetime | None = None

    def allows(self, scope: Scope) -> bool:
        return Scope.ADMIN in self.scopes or scope in self.scopes


@dataclass(frozen=True)
class CreatedKey:
    """The result of :func:`create_key`: the key and its token, shown once."""

    key: ApiKey
    token: str


def parse_scopes(values: Iterable[str]) -> frozenset[Scope]:
    """Scopes from ``decisions,consents:write`` style text, with the valid list on error."""
    out: set[Scope] = set()
    for raw in values:
        for part in raw.replace(" ", ",").split(","):
            if not part:
                continue
            try:
                out.add(Scope(part.strip()))
            except ValueError:
                valid = ", ".join(s.value for s in Scope)
                raise InvalidScopeError(f"unknown scope {part!r}; choose from: {valid}") from None
    if not out:
        raise InvalidScopeError("a key needs at least one scope")
    return frozenset(out)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_key(engine: Engine, name: str, scopes: Iterable[Scope]) -> CreatedKey:
    """A new key; the returned token is the only copy of its secret."""
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    scope_set = frozenset(scopes)
    with write_transaction(engine) as conn:
        conn.execute(
            api_keys.insert().values(
                id=key_id,
                name=name,
                scopes=" ".join(sorted(s.value for s in scope_set)),
                token_hash=_digest(secret),
                created_at=now,
            )
        )
    key = ApiKey(key_id, name, scope_set, now)
    return CreatedKey(key, f"{TOKEN_PREFIX}_{key_id}_{secret}")


def revoke_key(engine: Engine, key_id: str) -> ApiKey:
    """Revoke a key for good; revoking twice keeps the first date."""
    now = datetime.now(UTC)
    with write_transaction(engine) as conn:
        row = conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id)).one_or_none()
        if row is None:
            raise UnknownKeyError(f"no API key with id {key_id!r}; see `gardien keys list`")
        if row.revoked_at is None:
            conn.execute(api_keys.update().where(api_keys.c.id == key_id).values(revoked_at=now))
    return replace(_key(row), revoked_at=row.revoked_at or now)


def list_keys(engine: Engine) -> list[ApiKey]:
    with read_transaction(engine) as conn:
        rows = conn.execute(sa.select(api_keys).order_by(api_keys.c.created_at)).all()
    return [_key(r) for r in rows]


def _key(row: sa.Row[Any]) -> ApiKey:
    return ApiKey(
        row.id,
        row.name,
        frozenset(Scope(s) for s in row.scopes.split()),
        row.created_at,
        row.revoked_at,
    )


class KeyVerifier:
    """Checks tokens against the key table, with a short cache (see the module docstring)."""

    def __init__(self, engine: Engine, cache_seconds: float = CACHE_SECONDS) -> None:
        self._engine = engine
        self._ttl = cache_seconds
        self._cache: dict[str, tuple[float, str, ApiKey | None]] = {}
        self._lock = threading.Lock()

    def verify(self, token: str | None) -> ApiKey:
        """The key a token names, or :class:`AuthenticationError`."""
        if not token:
            raise AuthenticationError(
                "an API key is required: send it as `Authorization: Bearer <key>`"
            )
        prefix, _, rest = token.partition("_")
        key_id, _, secret = rest.partition("_")
        if prefix != TOKEN_PREFIX or not key_id or not secret:
            raise AuthenticationError("malformed API key")
        stored_hash, key = self._lookup(key_id)
        if key is None or not hmac.compare_digest(stored_hash, _digest(secret)):
            raise AuthenticationError("unknown or revoked API key")
        return key

    def active(self, key_id: str) -> ApiKey | None:
        """The key with this id if it is still valid (a console session re-checks its key)."""
        return self._lookup(key_id)[1]

    def forget(self, key_id: str) -> None:
        with self._lock:
            self._cache.pop(key_id, None)

    def _lookup(self, key_id: str) -> tuple[str, ApiKey | None]:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key_id)
        if hit is not None and hit[0] > now:
            return hit[1], hit[2]
        with read_transaction(self._engine) as conn:
            row = conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id)).one_or_none()
        if row is None or row.revoked_at is not None:
            # Keep comparing against something so that timing says nothing of the id.
            entry: tuple[float, str, ApiKey | None] = (now + self._ttl, "0" * 64, None)
        else:
            entry = (now + self._ttl, str(row.token_hash), _key(row))
        with self._lock:
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[key_id] = entry
        return entry[1], entry[2]
