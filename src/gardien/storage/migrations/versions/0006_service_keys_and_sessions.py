"""The service's tables: API keys (hashed) and server-side sessions (issue 6).

Revision ID: 0006_service_keys_and_sessions
Revises: 0001_ledger_and_audit
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_service_keys_and_sessions"
down_revision = "0001_ledger_and_audit"
branch_labels = ("service",)
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "gardien_api_keys",
        sa.Column("id", sa.String(16)),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("scopes", sa.String(512), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_gardien_api_keys"),
    )
    op.create_table(
        "gardien_sessions",
        sa.Column("id", Id, autoincrement=True),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("sealed_subject", sa.LargeBinary(), nullable=True),
        sa.Column("api_key_id", sa.String(16), nullable=True),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_gardien_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_gardien_sessions_token_hash"),
    )


def downgrade() -> None:
    op.drop_table("gardien_sessions")
    op.drop_table("gardien_api_keys")
