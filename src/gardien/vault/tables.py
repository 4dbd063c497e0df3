"""The vault's two tables, on the shared :data:`gardien.storage.tables.metadata`.

``gardien_vault_keys`` holds one wrapped data key per owner (a person or a legal hold); the
items in ``gardien_vault_items`` are sealed with it. Crypto-shredding sets ``wrapped`` to NULL
and stamps ``destroyed_at``: the row stays as a tombstone, so that a later read says *erased*
rather than *not found*, and a later write for the same owner is refused (GDPR art. 17).
Items have no ``ON DELETE CASCADE`` on purpose: destroying a key never needs to touch them.
"""

from __future__ import annotations

import sqlalchemy as sa

from gardien.storage.tables import UtcDateTime, metadata

OWNER_LENGTH = 96
ITEM_ID_LENGTH = 32

vault_keys = sa.Table(
    "gardien_vault_keys",
    metadata,
    sa.Column(
        "owner",
        sa.String(OWNER_LENGTH),
        primary_key=True,
        doc='"person:<ref>" or "hold:<id>": pseudonymous, never an identifier in clear',
    ),
    sa.Column("master_key_id", sa.String(255), nullable=False),
    sa.Column(
        "wrapped",
        sa.LargeBinary(),
        nullable=True,
        doc="The data key wrapped by the master key; NULL once destroyed (crypto-shredding)",
    ),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("rewrapped_at", UtcDateTime(), nullable=True),
    sa.Column("destroyed_at", UtcDateTime(), nullable=True),
)

vault_items = sa.Table(
    "gardien_vault_items",
    metadata,
    sa.Column(
        "id",
        sa.String(ITEM_ID_LENGTH),
        primary_key=True,
        doc="Random (uuid4 hex): known before sealing, so the ciphertext is bound to it",
    ),
    sa.Column(
        "owner",
        sa.String(OWNER_LENGTH),
        sa.ForeignKey("gardien_vault_keys.owner"),
        nullable=False,
        index=True,
    ),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column(
        "archived_kind",
        sa.String(32),
        nullable=True,
        doc="For an archive kept under a legal hold: the kind of the item it copies",
    ),
    sa.Column(
        "ciphertext",
        sa.LargeBinary(),
        nullable=False,
        doc='seal(data key, content, aad="gardien/vault-item:" id owner kind)',
    ),
    sa.Column("created_at", UtcDateTime(), nullable=False),
    sa.Column("expires_at", UtcDateTime(), nullable=True, index=True),
)
