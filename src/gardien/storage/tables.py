"""Every table Gardien owns, on one :data:`metadata`.

Other packages (requests, vault, retention) add their tables here too, each in its own block,
and ship an Alembic migration beside them (see :mod:`gardien.storage.migrations`). Table names
start with ``gardien_`` so the ledger can share a database with the organisation's own tables.

Consent, objection and restriction records are append-only: the code inserts and never updates
or deletes them (GDPR art. 7(1): the controller must be able to *demonstrate* consent, so the
history is the evidence). The current state of a person is the latest record per purpose.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
"""A 64-bit key; on SQLite an INTEGER PRIMARY KEY, the rowid itself."""


class UtcDateTime(sa.TypeDecorator[datetime]):
    """Aware UTC timestamps on every engine (SQLite stores them naive: we put UTC back)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the ledger; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


# --- ledger (issue 3): people, identifiers, policy versions, consents, objections, restrictions

people = sa.Table(
    "gardien_people",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column(
        "ref",
        sa.String(32),
        nullable=False,
        unique=True,
        doc="Random pseudonymous reference, the only one the audit trail names",
    ),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column(
        "erased_at",
        UtcDateTime(),
        nullable=True,
        doc="Set by erasure (GDPR art. 17): the person must no longer be processed",
    ),
)

identifiers = sa.Table(
    "gardien_identifiers",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column(
        "person_id",
        Id,
        sa.ForeignKey("gardien_people.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column(
        "digest",
        sa.LargeBinary(32),
        nullable=False,
        doc="Keyed blind index (HMAC) of the normalised value",
    ),
    sa.Column(
        "ciphertext",
        sa.LargeBinary(),
        nullable=True,
        doc="The value, encrypted for display; NULL once crypto-shredded",
    ),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.UniqueConstraint("kind", "digest", name="uq_gardien_identifiers_kind_digest"),
)

policy_versions = sa.Table(
    "gardien_policy_versions",
    metadata,
    sa.Column(
        "id",
        Id,
        primary_key=True,
        autoincrement=True,
        doc="Ordinal: the order in which the ledger first enforced each version",
    ),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("first_seen_at", UtcDateTime(), nullable=False),
    sa.Column(
        "needs_new_consent",
        sa.JSON(),
        nullable=False,
        doc="Purposes whose consent must be asked again since the previous version",
    ),
    sa.Column("document", sa.Text(), nullable=False, doc="The policy as JSON, for diffs"),
)

consents = sa.Table(
    "gardien_consents",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("record_id", sa.String(36), nullable=False, unique=True),
    sa.Column(
        "receipt_id",
        sa.String(36),
        nullable=False,
        doc="One receipt may cover several purposes given at once",
    ),
    sa.Column("schema_version", sa.String(16), nullable=False),
    sa.Column(
        "person_id", Id, sa.ForeignKey("gardien_people.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("purpose", sa.String(64), nullable=False),
    sa.Column("policy_version_id", Id, sa.ForeignKey("gardien_policy_versions.id"), nullable=False),
    sa.Column(
        "notice_hash",
        sa.String(64),
        nullable=True,
        doc="SHA-256 of the notice text shown when asking",
    ),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("method", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=True),
    sa.Column("evidence", sa.JSON(), nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Index("ix_gardien_consents_person_purpose", "person_id", "purpose", "id"),
)

objections = sa.Table(
    "gardien_objections",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("record_id", sa.String(36), nullable=False, unique=True),
    sa.Column(
        "person_id", Id, sa.ForeignKey("gardien_people.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("purpose", sa.String(64), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("evidence", sa.JSON(), nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Index("ix_gardien_objections_person_purpose", "person_id", "purpose", "id"),
)

restrictions = sa.Table(
    "gardien_restrictions",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("record_id", sa.String(36), nullable=False, unique=True),
    sa.Column(
        "person_id", Id, sa.ForeignKey("gardien_people.id", ondelete="CASCADE"), nullable=False
    ),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("ground", sa.String(32), nullable=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("evidence", sa.JSON(), nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Index("ix_gardien_restrictions_person", "person_id", "id"),
)

# --- audit (issue 3): the hash-chained trail and its head

audit_entries = sa.Table(
    "gardien_audit_entries",
    metadata,
    sa.Column("seq", sa.BigInteger(), primary_key=True, autoincrement=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column(
        "subject_ref",
        sa.String(64),
        nullable=True,
        index=True,
        doc="The person's pseudonymous ref, never an identifier in clear",
    ),
    sa.Column("payload", sa.Text(), nullable=False, doc="Canonical JSON"),
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

audit_head = sa.Table(
    "gardien_audit_head",
    metadata,
    sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger(), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)
"""One row: the last entry. Locked FOR UPDATE to serialise appends on PostgreSQL."""
