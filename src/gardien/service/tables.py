"""The service's own tables: API keys and portal/console sessions, on the shared metadata.

Secrets are never stored: an API key row holds the SHA-256 of a 256-bit random token (a hash
is enough for a high-entropy token; a slow password hash would only slow every request), and a
session row holds the SHA-256 of the random session id the browser carries. A copy of the
database therefore opens no door (GDPR art. 32(1): security of processing).
"""

from __future__ import annotations

import sqlalchemy as sa

from gardien.storage.tables import Id, UtcDateTime, metadata

api_keys = sa.Table(
    "gardien_api_keys",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True, doc="Public key id, part of the token"),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("scopes", sa.String(512), nullable=False, doc="Space-separated scopes"),
    sa.Column("token_hash", sa.String(64), nullable=False, doc="SHA-256 hex of the secret"),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("revoked_at", UtcDateTime(), nullable=True),
)

sessions = sa.Table(
    "gardien_sessions",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column(
        "token_hash",
        sa.String(64),
        nullable=False,
        unique=True,
        doc="SHA-256 hex of the random session id held by the browser cookie",
    ),
    sa.Column("kind", sa.String(16), nullable=False, doc="'portal' (a person) or 'console'"),
    sa.Column(
        "sealed_subject",
        sa.LargeBinary(),
        nullable=True,
        doc="Portal: the signed-in person's identifier, encrypted with the vault's field cipher",
    ),
    sa.Column("api_key_id", sa.String(16), nullable=True, doc="Console sessions: the admin key"),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("lang", sa.String(2), nullable=False),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
)
