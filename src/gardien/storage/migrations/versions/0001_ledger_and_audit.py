"""The ledger (people, identifiers, policy versions, consents, objections, restrictions) and
the audit trail.

Revision ID: 0001_ledger_and_audit
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_ledger_and_audit"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _person_fk() -> sa.Column[object]:
    return sa.Column(
        "person_id",
        Id,
        sa.ForeignKey(
            "gardien_people.id",
            ondelete="CASCADE",
            name=None,
        ),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "gardien_people",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("ref", sa.String(32), nullable=False),
        _at("created_at"),
        _at("erased_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_gardien_people"),
        sa.UniqueConstraint("ref", name="uq_gardien_people_ref"),
    )
    op.create_table(
        "gardien_identifiers",
        sa.Column("id", Id, autoincrement=True),
        _person_fk(),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("digest", sa.LargeBinary(32), nullable=False),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=True),
        _at("created_at"),
        sa.PrimaryKeyConstraint("id", name="pk_gardien_identifiers"),
        sa.UniqueConstraint("kind", "digest", name="uq_gardien_identifiers_kind_digest"),
    )
    op.create_index("ix_gardien_identifiers_person_id", "gardien_identifiers", ["person_id"])
    op.create_table(
        "gardien_policy_versions",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        _at("first_seen_at"),
        sa.Column("needs_new_consent", sa.JSON(), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gardien_policy_versions"),
        sa.UniqueConstraint("content_hash", name="uq_gardien_policy_versions_content_hash"),
    )
    op.create_table(
        "gardien_consents",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("receipt_id", sa.String(36), nullable=False),
        sa.Column("schema_version", sa.String(16), nullable=False),
        _person_fk(),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column(
            "policy_version_id", Id, sa.ForeignKey("gardien_policy_versions.id"), nullable=False
        ),
        sa.Column("notice_hash", sa.String(64), nullable=True),
        _at("at"),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _at("expires_at", nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gardien_consents"),
        sa.UniqueConstraint("record_id", name="uq_gardien_consents_record_id"),
    )
    op.create_index(
        "ix_gardien_consents_person_purpose", "gardien_consents", ["person_id", "purpose", "id"]
    )
    op.create_table(
        "gardien_objections",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("record_id", sa.String(36), nullable=False),
        _person_fk(),
        sa.Column("purpose", sa.String(64), nullable=False),
        _at("at"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gardien_objections"),
        sa.UniqueConstraint("record_id", name="uq_gardien_objections_record_id"),
    )
    op.create_index(
        "ix_gardien_objections_person_purpose",
        "gardien_objections",
        ["person_id", "purpose", "id"],
    )
    op.create_table(
        "gardien_restrictions",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("record_id", sa.String(36), nullable=False),
        _person_fk(),
        _at("at"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("ground", sa.String(32), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gardien_restrictions"),
        sa.UniqueConstraint("record_id", name="uq_gardien_restrictions_record_id"),
    )
    op.create_index("ix_gardien_restrictions_person", "gardien_restrictions", ["person_id", "id"])
    op.create_table(
        "gardien_audit_entries",
        sa.Column("seq", sa.BigInteger(), autoincrement=False),
        _at("at"),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("subject_ref", sa.String(64), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_gardien_audit_entries"),
    )
    op.create_index(
        "ix_gardien_audit_entries_subject_ref", "gardien_audit_entries", ["subject_ref"]
    )
    op.create_table(
        "gardien_audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gardien_audit_head"),
    )
    # The head exists from the start, so that the first append can lock it like any other.
    op.execute(
        sa.text(
            "INSERT INTO gardien_audit_head (id, seq, hash) VALUES (1, 0, :genesis)"
        ).bindparams(genesis="0" * 64)
    )


def downgrade() -> None:
    for table in (
        "gardien_audit_head",
        "gardien_audit_entries",
        "gardien_restrictions",
        "gardien_objections",
        "gardien_consents",
        "gardien_policy_versions",
        "gardien_identifiers",
        "gardien_people",
    ):
        op.drop_table(table)
