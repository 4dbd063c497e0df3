"""The vault: wrapped data keys per owner and the items sealed with them (issue 5).

Revision ID: 0005_vault_keys_and_items
Revises: 0001_ledger_and_audit
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_vault_keys_and_items"
down_revision = "0001_ledger_and_audit"
branch_labels = ("vault",)
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "gardien_vault_keys",
        sa.Column("owner", sa.String(96), nullable=False),
        sa.Column("master_key_id", sa.String(255), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=True),
        _at("created_at"),
        _at("rewrapped_at", nullable=True),
        _at("destroyed_at", nullable=True),
        sa.PrimaryKeyConstraint("owner", name="pk_gardien_vault_keys"),
    )
    op.create_table(
        "gardien_vault_items",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("owner", sa.String(96), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("archived_kind", sa.String(32), nullable=True),
        sa.Column("ciphertext", sa.LargeBinary(), nullable=False),
        _at("created_at"),
        _at("expires_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_gardien_vault_items"),
        sa.ForeignKeyConstraint(
            ["owner"],
            ["gardien_vault_keys.owner"],
            name="fk_gardien_vault_items_owner_gardien_vault_keys",
        ),
    )
    op.create_index("ix_gardien_vault_items_owner", "gardien_vault_items", ["owner"])
    op.create_index("ix_gardien_vault_items_expires_at", "gardien_vault_items", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_gardien_vault_items_expires_at", "gardien_vault_items")
    op.drop_index("ix_gardien_vault_items_owner", "gardien_vault_items")
    op.drop_table("gardien_vault_items")
    op.drop_table("gardien_vault_keys")
