"""The one table of one-time codes, on the shared :data:`gardien.storage.tables.metadata`.

No identifier and no code is stored in clear: both are keyed hashes (HMAC-SHA256) under a key
that lives outside the database, so a copy of the table reveals neither who asked nor the code.
"""

from __future__ import annotations

import sqlalchemy as sa

from gardien.storage.tables import Id, UtcDateTime, metadata

identity_codes = sa.Table(
    "gardien_identity_codes",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column(
        "subject_digest",
        sa.LargeBinary(32),
        nullable=False,
        doc="Keyed hash of the identifier the code was sent for",
    ),
    sa.Column("purpose", sa.String(80), nullable=False, doc="signin, request:<ref>, ..."),
    sa.Column("code_hash", sa.LargeBinary(32), nullable=False),
    sa.Column("issued_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=False),
    sa.Column("attempts", sa.Integer(), nullable=False, default=0),
    sa.Column("used_at", UtcDateTime(), nullable=True),
    sa.Index("ix_gardien_identity_codes_subject", "subject_digest", "issued_at"),
)
