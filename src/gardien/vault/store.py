"""The vault store: items sealed per owner, read through a purpose decision, shredded in O(1).

Everything Gardien itself keeps about a person (identity documents, support messages, consent
evidence, access packages) is sealed with that person's data key (:mod:`.envelope`). So:

* erasure destroys one wrapped key (:meth:`Vault.shred`): one UPDATE, whatever the number of
  items, and the destruction is journalled outside the database (:mod:`.journal`) so that no
  restored backup brings the key back (GDPR art. 17);
* rotation re-wraps keys in batches (:meth:`Vault.rotate`) and never re-encrypts an item
  (art. 32(1));
* data kept for the law survives the erasure as an archive under the hold's own key
  (:meth:`Vault.archive_for_hold`) until its period ends (:meth:`Vault.purge_expired_holds`).

Reading needs a purpose decision that allows it (art. 5(1)(b), purpose limitation). Every write
is audited in the same transaction as the change it proves.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from gardien.audit.chain import AuditTrail, Pending
from gardien.audit.events import AuditEvent
from gardien.settings import Settings
from gardien.storage import (
    check_reachable,
    create_engine,
    read_transaction,
    require_current,
    write_transaction,
)
from gardien.vault import key_rows
from gardien.vault.envelope import WrappedKey, open_sealed, seal, unwrap
from gardien.vault.errors import (
    AccessDeniedError,
    ItemNotFoundError,
    KeyDestroyedError,
    ShredJournalError,
)
from gardien.vault.events import (
    DataKeyDestroyed,
    DataKeysRewrapped,
    HoldArchivesPurged,
    ItemsArchivedForHold,
    VaultItemsStored,
)
from gardien.vault.items import (
    HOLD_PREFIX,
    DecisionSource,
    ItemKind,
    PurgeReport,
    RotationReport,
    ShredReceipt,
    VaultItem,
    check_owner,
    item_aad,
    subject_ref_of,
)
from gardien.vault.journal import ShredJournal, journal_path_for
from gardien.vault.keys import MasterKeyProvider, derive_subkey, load_master_keys
from gardien.vault.settings import VaultSettings
from gardien.vault.tables import vault_items, vault_keys

DEFAULT_BATCH = 500


def audit_trail_for(provider: MasterKeyProvider) -> AuditTrail:
    """The audit trail with the ledger's chain key (derived from the pinned key)."""
    from gardien.ledger.protection import AUDIT_CHAIN_LABEL

    return AuditTrail(derive_subkey(provider.index_key(), AUDIT_CHAIN_LABEL))


class Vault:
    """Sealed items per owner (``person:<ref>`` or ``hold:<id>``) in Gardien's database."""

    def __init__(
        self,
        engine: Engine,
        provider: MasterKeyProvider,
        journal: ShredJournal | None,
        *,
        actor: str = "gardien",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.engine = engine
        self.provider = provider
        self.journal = journal
        self.actor = actor
        self._trail = audit_trail_for(provider)
        self._clock = clock or (lambda: datetime.now(UTC))

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        journal: Path | None = None,
        vault_settings: VaultSettings | None = None,
        require_journal: bool = True,
        **options: Any,
    ) -> Vault:
        """Start from settings: the keys, the database (schema up to date) and the journal.

        The journal is ``journal``, else ``GARDIEN_SHRED_JOURNAL`` (``vault_settings``), else
        beside the key file; with ``require_journal=False`` a missing one is tolerated until
        something must be destroyed (e.g. for a rotation).
        """
        if journal is None:
            journal = (vault_settings or VaultSettings()).shred_journal
        secret = settings.master_key.get_secret_value() if settings.master_key else None
        key_file = settings.resolved_key_file()
        provider = load_master_keys(key_file, secret)
        try:
            shreds: ShredJournal | None = ShredJournal(
                journal_path_for(key_file, journal), provider
            )
        except ShredJournalError:
            if require_journal:
                raise
            shreds = None
        engine = create_engine(settings.database_url)
        check_reachable(engine)
        require_current(engine)
        options.setdefault("actor", settings.actor)
        return cls(engine, provider, shreds, **options)

    # --- writing ---------------------------------------------------------------------------

    def put(
        self,
        owner: str,
        kind: ItemKind | str,
        content: bytes,
        *,
        expires_at: datetime | None = None,
    ) -> str:
        """Seal ``content`` under the owner's data key (created on first use); its item id."""
        return self.put_many(owner, kind, [content], expires_at=expires_at)[0]

    def put_many(
        self,
        owner: str,
        kind: ItemKind | str,
        contents: Sequence[bytes],
        *,
        expires_at: datetime | None = None,
    ) -> tuple[str, ...]:
        """Seal several items of one owner and kind in one transaction (one INSERT)."""
        check_owner(owner)
        kind = ItemKind(kind)
        if not contents:
            return ()
        try:
            return self._put_many(owner, kind, contents, expires_at)
        except sa.exc.IntegrityError:
            # Two first writes for the same owner raced to create its key: the other won.
            return self._put_many(owner, kind, contents, expires_at)

    def _put_many(
        self,
        owner: str,
        kind: ItemKind,
        contents: Sequence[bytes],
        expires_at: datetime | None,
    ) -> tuple[str, ...]:
        at = self._clock()
        with write_transaction(self.engine) as conn:
            data_key, created = key_rows.data_key(conn, self.provider, owner, at, create=True)
            rows = []
            for content in contents:
                item_id = uuid.uuid4().hex
                rows.append(
                    {
                        "id": item_id,
                        "owner": owner,
                        "kind": kind.value,
                        "archived_kind": None,
                        "ciphertext": seal(data_key, content, item_aad(item_id, owner, kind)),
                        "created_at": at,
                        "expires_at": expires_at,
                    }
                )
            conn.execute(vault_items.insert(), rows)
            ids = tuple(str(row["id"]) for row in rows)
            self._audit(conn, owner, VaultItemsStored(owner, kind.value, ids, created), at)
        return ids

    # --- reading ---------------------------------------------------------------------------

    def get(self, item_id: str, *, decision: DecisionSource) -> VaultItem:
        """Open one item, if the purpose decision allows it.

        ``decision`` is an allowed :class:`gardien.ledger.Decision`, or a callable given the
        item's owner that returns one (so the decision is about the right person).
        :class:`AccessDeniedError` if it denies, :class:`KeyDestroyedError` after a shred.
        """
        with read_transaction(self.engine) as conn:
            row = conn.execute(
                sa.select(
                    vault_items,
                    vault_keys.c.master_key_id,
                    vault_keys.c.wrapped,
                    vault_keys.c.destroyed_at,
                )
                .join(vault_keys, vault_keys.c.owner == vault_items.c.owner)
                .where(vault_items.c.id == item_id)
            ).one_or_none()
        if row is None:
            raise ItemNotFoundError(item_id)
        taken = decision(row.owner) if callable(decision) else decision
        if not taken.allowed:
            raise AccessDeniedError(item_id, taken.purpose, taken.reasons("en"))
        if row.wrapped is None:
            raise KeyDestroyedError(row.owner)
        data_key = unwrap(self.provider, WrappedKey(row.owner, row.master_key_id, row.wrapped))
        content = open_sealed(data_key, row.ciphertext, item_aad(row.id, row.owner, row.kind))
        return VaultItem(
            id=row.id,
            owner=row.owner,
            kind=ItemKind(row.kind),
            content=content,
            created_at=row.created_at,
            expires_at=row.expires_at,
            archived_kind=ItemKind(row.archived_kind) if row.archived_kind else None,
        )

    def item_ids(self, owner: str, kinds: Iterable[ItemKind | str] | None = None) -> list[str]:
        """The ids of an owner's items (of some kinds), oldest first; readable or not."""
        query = sa.select(vault_items.c.id).where(vault_items.c.owner == check_owner(owner))
        if kinds is not None:
            query = query.where(vault_items.c.kind.in_([ItemKind(k).value for k in kinds]))
        with read_transaction(self.engine) as conn:
            return list(
                conn.execute(query.order_by(vault_items.c.created_at, vault_items.c.id)).scalars()
            )

    # --- crypto-shredding ------------------------------------------------------------------

    def shred(self, owner: str, *, reason: str = "erasure") -> ShredReceipt:
        """Destroy the owner's data key: every item they have becomes unreadable, in O(1).

        The destruction is journalled (fsync) before it commits, so a crash leaves at worst a
        journal entry for a key still present, which the next shred or restore destroys. An
        owner with no key yet gets a tombstone, so nothing can be stored for them afterwards.
        """
        return self.shred_many([(owner, reason)])[0]

    def shred_many(self, owners: Sequence[tuple[str, str]]) -> list[ShredReceipt]:
        """:meth:`shred` for many owners (each with its reason) in one transaction and one
        journal write: what queued erasure requests need. Receipts in the order given."""
        for owner, _ in owners:
            check_owner(owner)
        if not owners:
            return []
        at = self._clock()
        with write_transaction(self.engine) as conn:
            journal = self._journal()
            before = key_rows.destroy_many(conn, [o for o, _ in owners], self._key_id(), at)
            fresh = list(dict.fromkeys(o for o, _ in owners if o not in before))
            # Journalled (fsync) before the commit: see :meth:`shred`.
            journal.append(fresh, at)
            reasons = dict(reversed(owners))  # an owner named twice: its first reason
            self._trail.append(
                conn,
                [Pending(DataKeyDestroyed(o, reasons[o]), subject_ref_of(o)) for o in fresh],
                actor=self.actor,
                at=at,
            )
        return [
            ShredReceipt(o, before[o], already_destroyed=True)
            if o in before
            else ShredReceipt(o, at, already_destroyed=False)
            for o, _ in owners
        ]

    # --- rotation --------------------------------------------------------------------------

    def rotate(self, *, batch_size: int = DEFAULT_BATCH) -> RotationReport:
        """Re-wrap every data key not under the current master key, ``batch_size`` at a time.

        Each batch is one transaction and one UPDATE statement; an item is never re-encrypted.
        A key destroyed while its batch runs stays destroyed (the UPDATE checks for it).
        """
        if batch_size < 1:
            raise ValueError("batch size must be at least 1")
        current = self.provider.current().key_id
        total = batches = 0
        while True:
            at = self._clock()
            with write_transaction(self.engine) as conn:
                moved = key_rows.rewrap_batch(conn, self.provider, batch_size, at)
                if not moved:
                    break
                self._audit(conn, None, DataKeysRewrapped(current, moved), at)
            total += moved
            batches += 1
        return RotationReport(current, total, batches)

    # --- legal holds -----------------------------------------------------------------------

    def archive_for_hold(
        self,
        owner: str,
        hold_id: str,
        item_ids: Sequence[str],
        *,
        until: datetime,
    ) -> tuple[str, ...]:
        """Copy a person's items under the hold's own key, kept ``until`` the legal period ends.

        Call it before :meth:`shred` for what the law obliges to keep (art. 17(3)(b), (e);
        seed 003: data modified or deleted by the person). The archives are ``archive`` items
        that remember their original kind; erasing the person does not reach them, lifting
        the hold (:meth:`purge_expired_holds`) does.
        """
        check_owner(owner)
        hold = check_owner(HOLD_PREFIX + hold_id)
        if not item_ids:
            return ()
        at = self._clock()
        with write_transaction(self.engine) as conn:
            rows = conn.execute(
                sa.select(vault_items).where(
                    vault_items.c.id.in_(list(item_ids)), vault_items.c.owner == owner
                )
            ).all()
            found = {row.id for row in rows}
            for wanted in item_ids:
                if wanted not in found:
                    raise ItemNotFoundError(wanted)
            person_key, _ = key_rows.data_key(conn, self.provider, owner, at, create=False)
            hold_key, _ = key_rows.data_key(conn, self.provider, hold, at, create=True)
            archives = []
            for row in rows:
                content = open_sealed(person_key, row.ciphertext, item_aad(row.id, owner, row.kind))
                new_id = uuid.uuid4().hex
                archives.append(
                    {
                        "id": new_id,
                        "owner": hold,
                        "kind": ItemKind.ARCHIVE.value,
                        "archived_kind": row.kind,
                        "ciphertext": seal(hold_key, content, item_aad(new_id, hold, "archive")),
                        "created_at": at,
                        "expires_at": until,
                    }
                )
            conn.execute(vault_items.insert(), archives)
            new_ids = tuple(str(a["id"]) for a in archives)
            event = ItemsArchivedForHold(hold, owner, tuple(row.id for row in rows), new_ids)
            self._audit(conn, owner, event, at)
        return new_ids

    def purge_expired_holds(self, now: datetime | None = None) -> PurgeReport:
        """Delete hold archives whose period ended; destroy the keys of holds left empty."""
        at = now or self._clock()
        expired = sa.and_(
            vault_items.c.owner.startswith(HOLD_PREFIX, autoescape=True),
            vault_items.c.expires_at <= at,
        )
        with write_transaction(self.engine) as conn:
            owners = list(
                conn.execute(sa.select(vault_items.c.owner).where(expired).distinct()).scalars()
            )
            if not owners:
                return PurgeReport(0, ())
            deleted = conn.execute(vault_items.delete().where(expired)).rowcount
            still_used = sa.select(vault_items.c.id).where(
                vault_items.c.owner == vault_keys.c.owner
            )
            emptied = sorted(
                conn.execute(
                    sa.select(vault_keys.c.owner).where(
                        vault_keys.c.owner.in_(owners),
                        vault_keys.c.destroyed_at.is_(None),
                        ~sa.exists(still_used),
                    )
                ).scalars()
            )
            if emptied:
                self._journal().append(emptied, at)
                conn.execute(
                    vault_keys.update()
                    .where(vault_keys.c.owner.in_(emptied))
                    .values(wrapped=None, destroyed_at=at)
                )
            self._audit(conn, None, HoldArchivesPurged(int(deleted), tuple(emptied)), at)
        return PurgeReport(int(deleted), tuple(emptied))

    # --- internals -------------------------------------------------------------------------

    def _journal(self) -> ShredJournal:
        if self.journal is None:
            raise ShredJournalError(
                None,
                "none is configured, so no data key may be destroyed: a restored backup would "
                "bring it back; set GARDIEN_SHRED_JOURNAL or use a key file",
            )
        return self.journal

    def _key_id(self) -> str:
        return self.provider.current().key_id

    def _audit(self, conn: Connection, owner: str | None, event: AuditEvent, at: datetime) -> None:
        subject = subject_ref_of(owner) if owner else None
        self._trail.append(conn, [Pending(event, subject)], actor=self.actor, at=at)


def vault_for(
    engine: Engine,
    provider: MasterKeyProvider,
    key_file: Path | None,
    vault_settings: VaultSettings | None = None,
    *,
    actor: str = "gardien",
) -> Vault:
    """The vault of a running Gardien, with its shred journal when one can be located.

    Without a journal (the master key comes from the environment and no
    ``GARDIEN_SHRED_JOURNAL`` is set) the vault still reads and stores, but refuses to destroy a
    key with a message saying how to fix it: an erasure then ends partial, never silently.
    """
    configured = (vault_settings or VaultSettings()).shred_journal
    try:
        journal: ShredJournal | None = ShredJournal(
            journal_path_for(key_file, configured), provider
        )
    except ShredJournalError:
        journal = None
    return Vault(engine, provider, journal, actor=actor)
