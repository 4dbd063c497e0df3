"""The retention sweep scheduler's lease and last run (issue 5).

Revision ID: 0007_retention_schedule
Revises: 0001_ledger_and_audit
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_retention_schedule"
down_revision = "0001_ledger_and_audit"
branch_labels = ("retention",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "gardien_retention_schedule",
        sa.Column("name", sa.String(32)),
        sa.Column("holder", sa.String(128), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_day", sa.Date(), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_report", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_gardien_retention_schedule"),
    )


def downgrade() -> None:
    op.drop_table("gardien_retention_schedule")
