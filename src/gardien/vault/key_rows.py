"""The rows of ``gardien_vault_keys``: one wrapped data key per owner, or its tombstone.

Kept apart from the store so that what touches keys (create, unwrap, destroy, re-wrap) reads in
one place; every function works in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gardien.storage import in_chunks
from gardien.vault.envelope import WrappedKey, new_data_key, rewrap, unwrap
from gardien.vault.errors import ItemNotFoundError, KeyDestroyedError
from gardien.vault.keys import MasterKeyProvider
from gardien.vault.tables import vault_keys


def data_key(
    conn: Connection, provider: MasterKeyProvider, owner: str, at: datetime, *, create: bool
) -> tuple[bytes, bool]:
    """The owner's data key (and whether it was just created); refused once destroyed."""
    row = conn.execute(
        sa.select(vault_keys.c.master_key_id, vault_keys.c.wrapped).where(
            vault_keys.c.owner == owner
        )
    ).one_or_none()
    if row is None:
        if not create:
            raise ItemNotFoundError(f"(any item of {owner})")
        key, wrapped = new_data_key(provider, owner)
        conn.execute(
            vault_keys.insert().values(
                owner=owner,
                master_key_id=wrapped.master_key_id,
                wrapped=wrapped.wrapped,
                created_at=at,
            )
        )
        return key, True
    if row.wrapped is None:
        raise KeyDestroyedError(owner)
    return unwrap(provider, WrappedKey(owner, row.master_key_id, row.wrapped)), False


def destroy(conn: Connection, owner: str, key_id: str, at: datetime) -> datetime | None:
    """Destroy the owner's key (a tombstone if it had none): one statement, whatever it sealed.

    Returns when it was destroyed before, if it already was; then nothing changes.
    """
    row = conn.execute(
        sa.select(vault_keys.c.destroyed_at).where(vault_keys.c.owner == owner).with_for_update()
    ).one_or_none()
    if row is not None and row.destroyed_at is not None:
        return row.destroyed_at  # type: ignore[no-any-return]
    if row is None:
        conn.execute(
            vault_keys.insert().values(
                owner=owner, master_key_id=key_id, wrapped=None, created_at=at, destroyed_at=at
            )
        )
    else:
        conn.execute(
            vault_keys.update()
            .where(vault_keys.c.owner == owner)
            .values(wrapped=None, destroyed_at=at)
        )
    return None


def destroy_many(
    conn: Connection, owners: Sequence[str], key_id: str, at: datetime
) -> dict[str, datetime]:
    """:func:`destroy` for many owners: one SELECT, one UPDATE and one INSERT per chunk.

    Returns, for the owners whose key was destroyed before, when; those are left unchanged.
    """
    before: dict[str, datetime] = {}
    unique = list(dict.fromkeys(owners))
    for chunk in in_chunks(unique):
        rows = conn.execute(
            sa.select(vault_keys.c.owner, vault_keys.c.destroyed_at)
            .where(vault_keys.c.owner.in_(chunk))
            .with_for_update()
        ).all()
        live = [r.owner for r in rows if r.destroyed_at is None]
        before.update((r.owner, r.destroyed_at) for r in rows if r.destroyed_at is not None)
        seen = {r.owner for r in rows}
        if live:
            conn.execute(
                vault_keys.update()
                .where(vault_keys.c.owner.in_(live))
                .values(wrapped=None, destroyed_at=at)
            )
        new = [o for o in chunk if o not in seen]
        if new:
            conn.execute(
                vault_keys.insert(),
                [
                    {
                        "owner": o,
                        "master_key_id": key_id,
                        "wrapped": None,
                        "created_at": at,
                        "destroyed_at": at,
                    }
                    for o in new
                ],
            )
    return before


def rewrap_batch(conn: Connection, provider: MasterKeyProvider, size: int, at: datetime) -> int:
    """Move up to ``size`` live keys to the current master key in one UPDATE; how many moved.

    The UPDATE matches on the old key id and a live key, so a key destroyed meanwhile stays
    destroyed and a key moved by another process is not moved twice.
    """
    current = provider.current().key_id
    rows = conn.execute(
        sa.select(vault_keys.c.owner, vault_keys.c.master_key_id, vault_keys.c.wrapped)
        .where(vault_keys.c.master_key_id != current, vault_keys.c.wrapped.is_not(None))
        .order_by(vault_keys.c.owner)
        .limit(size)
    ).all()
    if not rows:
        return 0
    params = []
    for row in rows:
        moved = rewrap(provider, WrappedKey(row.owner, row.master_key_id, row.wrapped))
        params.append(
            {"o": row.owner, "old": row.master_key_id, "k": moved.master_key_id, "w": moved.wrapped}
        )
    conn.execute(
        vault_keys.update()
        .where(
            vault_keys.c.owner == sa.bindparam("o"),
            vault_keys.c.master_key_id == sa.bindparam("old"),
            vault_keys.c.wrapped.is_not(None),
        )
        .values(master_key_id=sa.bindparam("k"), wrapped=sa.bindparam("w"), rewrapped_at=at),
        params,
    )
    return len(rows)
