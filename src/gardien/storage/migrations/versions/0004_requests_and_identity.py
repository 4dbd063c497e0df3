"""Data-subject requests, their steps, and one-time identity codes (issue 4).

Revision ID: 0004_requests_and_identity
Revises: 0001_ledger_and_audit
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_requests_and_identity"
down_revision = "0001_ledger_and_audit"
branch_labels = ("requests",)
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _at(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "gardien_requests",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("ref", sa.String(32), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject_digest", sa.LargeBinary(32), nullable=False),
        sa.Column("subject_ref", sa.String(32), nullable=True),
        sa.Column("sealed", sa.LargeBinary(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        _at("received_at"),
        _at("due_at"),
        sa.Column("extended_months", sa.Integer(), nullable=False),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        _at("verified_at", nullable=True),
        _at("closed_at", nullable=True),
        sa.Column("reason_code", sa.String(32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("outcome", sa.JSON(), nullable=True),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_gardien_requests"),
        sa.UniqueConstraint("ref", name="uq_gardien_requests_ref"),
    )
    op.create_index("ix_gardien_requests_due", "gardien_requests", ["status", "due_at"])
    op.create_index("ix_gardien_requests_subject", "gardien_requests", ["subject_digest"])
    op.create_table(
        "gardien_request_steps",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("request_id", Id, nullable=False),
        sa.Column("step", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        _at("updated_at"),
        sa.PrimaryKeyConstraint("id", name="pk_gardien_request_steps"),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["gardien_requests.id"],
            name="fk_gardien_request_steps_request_id_gardien_requests",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("request_id", "step", name="uq_gardien_request_steps_request_id"),
    )
    op.create_table(
        "gardien_identity_codes",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("subject_digest", sa.LargeBinary(32), nullable=False),
        sa.Column("purpose", sa.String(80), nullable=False),
        sa.Column("code_hash", sa.LargeBinary(32), nullable=False),
        _at("issued_at"),
        _at("expires_at"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("used_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_gardien_identity_codes"),
    )
    op.create_index(
        "ix_gardien_identity_codes_subject",
        "gardien_identity_codes",
        ["subject_digest", "issued_at"],
    )


def downgrade() -> None:
    op.drop_table("gardien_identity_codes")
    op.drop_table("gardien_request_steps")
    op.drop_index("ix_gardien_requests_subject", "gardien_requests")
    op.drop_index("ix_gardien_requests_due", "gardien_requests")
    op.drop_table("gardien_requests")
