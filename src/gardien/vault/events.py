"""What the vault proves in the audit trail: items stored, keys destroyed, rotated, purged.

Events name owners only by their pseudonymous form (``person:<ref>``, ``hold:<id>``) and never
carry content: the trail must stay readable after an erasure (GDPR art. 5(2), accountability).
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from gardien.audit.events import AuditEvent


@dataclasses.dataclass(frozen=True)
class VaultItemsStored(AuditEvent):
    """Items were sealed in the vault under their owner's data key."""

    event_type: ClassVar[str] = "vault.items_stored"
    owner: str
    kind: str
    item_ids: tuple[str, ...]
    new_data_key: bool


@dataclasses.dataclass(frozen=True)
class DataKeyDestroyed(AuditEvent):
    """Crypto-shredding (art. 17): the owner's data key is gone, with every item it sealed."""

    event_type: ClassVar[str] = "vault.data_key_destroyed"
    owner: str
    reason: str


@dataclasses.dataclass(frozen=True)
class DataKeysRewrapped(AuditEvent):
    """Data keys moved to the current master key (art. 32(1)); no item was re-encrypted."""

    event_type: ClassVar[str] = "vault.data_keys_rewrapped"
    master_key_id: str
    count: int


@dataclasses.dataclass(frozen=True)
class ItemsArchivedForHold(AuditEvent):
    """Items copied under a legal hold's key before the person's key is destroyed (17(3))."""

    event_type: ClassVar[str] = "vault.items_archived_for_hold"
    hold: str
    from_owner: str
    source_item_ids: tuple[str, ...]
    archive_item_ids: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class HoldArchivesPurged(AuditEvent):
    """Archives whose legal period ended were deleted, and emptied holds' keys destroyed."""

    event_type: ClassVar[str] = "vault.hold_archives_purged"
    items: int
    holds_closed: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class BackupRestored(AuditEvent):
    """A backup was restored, and the shred journal replayed onto it before any use."""

    event_type: ClassVar[str] = "vault.backup_restored"
    backup_id: str
    backup_created_at: str
    owners_shredded_again: int
    people_erased_again: int
