"""Replaying the shred journal onto a restored database, in the restore's own transaction.

A backup taken before an erasure still holds the person's wrapped data key, their encrypted
identifiers, and no ``erased_at``. Replaying the journal destroys those keys again (tombstones
for owners the backup never saw), marks the erased people erased again, and nulls their
encrypted identifiers, all before the restore commits: nothing restored is ever readable in
its pre-erasure state (GDPR art. 17). Set-based: one statement per table per batch of owners.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from gardien.storage.tables import identifiers, people
from gardien.vault.errors import ShredJournalError
from gardien.vault.items import PERSON_PREFIX
from gardien.vault.journal import JournalEntry
from gardien.vault.tables import vault_keys

_BATCH = 500


@dataclass(frozen=True)
class ReplayCounts:
    """What the replay changed in the restored database."""

    owners_shredded_again: int
    people_erased_again: int


def replay_journal(
    conn: Connection, entries: Sequence[JournalEntry], *, tombstone_key_id: str
) -> ReplayCounts:
    """Apply every journalled destruction to the database behind ``conn``; counts what changed.

    Also the check a hash chain cannot make alone: every key the restored database already
    records as destroyed must be in the journal, or the journal has lost its latest lines.
    """
    first: dict[str, datetime] = {}
    for entry in entries:
        first.setdefault(entry.owner, entry.at)
    tables = set(sa.inspect(conn).get_table_names())
    if vault_keys.name in tables:
        _check_complete(conn, first)
    shredded = erased = 0
    owners = list(first)
    for start in range(0, len(owners), _BATCH):
        chunk = owners[start : start + _BATCH]
        if vault_keys.name in tables:
            shredded += _destroy_keys(conn, chunk, first, tombstone_key_id)
        refs = [o[len(PERSON_PREFIX) :] for o in chunk if o.startswith(PERSON_PREFIX)]
        if refs and people.name in tables:
            erased += _erase_people(conn, refs, first)
    return ReplayCounts(shredded, erased)


def _check_complete(conn: Connection, journalled: dict[str, datetime]) -> None:
    destroyed = conn.execute(
        sa.select(vault_keys.c.owner).where(vault_keys.c.destroyed_at.is_not(None))
    ).scalars()
    unknown = sorted(owner for owner in destroyed if owner not in journalled)
    if unknown:
        raise ShredJournalError(
            None,
            f"the backup records {len(unknown)} destroyed data key(s) that the journal does not "
            f"list (first: {unknown[0]!r}): the journal has lost entries or belongs to another "
            "installation, so it cannot be trusted to keep every erasure; restore the journal "
            "from its own copy first",
        )


def _destroy_keys(conn: Connection, chunk: list[str], at: dict[str, datetime], key_id: str) -> int:
    rows = conn.execute(
        sa.select(vault_keys.c.owner, vault_keys.c.destroyed_at).where(
            vault_keys.c.owner.in_(chunk)
        )
    ).all()
    present = {row.owner for row in rows}
    live = [row.owner for row in rows if row.destroyed_at is None]
    if live:
        conn.execute(
            vault_keys.update()
            .where(vault_keys.c.owner == sa.bindparam("o"))
            .values(wrapped=None, destroyed_at=sa.bindparam("at")),
            [{"o": owner, "at": at[owner]} for owner in live],
        )
    missing = [owner for owner in chunk if owner not in present]
    if missing:
        conn.execute(
            vault_keys.insert(),
            [
                {
                    "owner": owner,
                    "master_key_id": key_id,
                    "wrapped": None,
                    "created_at": at[owner],
                    "destroyed_at": at[owner],
                }
                for owner in missing
            ],
        )
    return len(live)


def _erase_people(conn: Connection, refs: list[str], at: dict[str, datetime]) -> int:
    alive = list(
        conn.execute(
            sa.select(people.c.ref).where(people.c.ref.in_(refs), people.c.erased_at.is_(None))
        ).scalars()
    )
    if alive:
        conn.execute(
            people.update()
            .where(people.c.ref == sa.bindparam("r"))
            .values(erased_at=sa.bindparam("at")),
            [{"r": ref, "at": at[PERSON_PREFIX + ref]} for ref in alive],
        )
    person_ids = sa.select(people.c.id).where(people.c.ref.in_(refs))
    conn.execute(
        identifiers.update()
        .where(identifiers.c.person_id.in_(person_ids), identifiers.c.ciphertext.is_not(None))
        .values(ciphertext=None)
    )
    return len(alive)
