"""What the vault keeps and returns: item kinds, items, and the reports of its operations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from gardien.vault.tables import OWNER_LENGTH

PERSON_PREFIX = "person:"
HOLD_PREFIX = "hold:"


class ItemKind(StrEnum):
    """What Gardien itself must keep about people (issue 5), each sealed per owner."""

    IDENTITY_DOCUMENT = "identity_document"
    """A copy of an identity document sent to prove who asks (art. 12(6))."""
    SUPPORT_MESSAGE = "support_message"
    CONSENT_EVIDENCE = "consent_evidence"
    """What demonstrates a consent (art. 7(1)) beyond the ledger's record."""
    ACCESS_PACKAGE = "access_package"
    """An access or portability export waiting for download (arts. 15, 20)."""
    ARCHIVE = "archive"
    """A copy kept under a legal hold's own key (art. 17(3)(b), (e))."""


class PurposeDecision(Protocol):
    """What the vault needs of a :class:`gardien.ledger.Decision`."""

    @property
    def allowed(self) -> bool: ...

    @property
    def purpose(self) -> str: ...

    def reasons(self, lang: str = "fr") -> tuple[str, ...]: ...


DecisionSource = PurposeDecision | Callable[[str], PurposeDecision]
"""A decision already taken, or a function of the item's owner that takes it."""


@dataclass(frozen=True)
class VaultItem:
    """One item, opened: its content is in clear, so it is never shown in a repr."""

    id: str
    owner: str
    kind: ItemKind
    content: bytes = field(repr=False)
    created_at: datetime
    expires_at: datetime | None
    archived_kind: ItemKind | None = None


@dataclass(frozen=True)
class ShredReceipt:
    """The outcome of crypto-shredding one owner."""

    owner: str
    destroyed_at: datetime
    already_destroyed: bool


@dataclass(frozen=True)
class RotationReport:
    """How many data keys moved to the current master key, in how many batches."""

    master_key_id: str
    rewrapped: int
    batches: int


@dataclass(frozen=True)
class PurgeReport:
    """Archive items deleted at the end of their legal period, and holds closed with them."""

    items: int
    holds_closed: tuple[str, ...]


def check_owner(owner: str) -> str:
    """``owner`` if it is a person or hold owner name that fits the table, else ValueError."""
    if not owner.startswith((PERSON_PREFIX, HOLD_PREFIX)) or owner.endswith(":"):
        raise ValueError(f"a vault owner is 'person:<ref>' or 'hold:<id>', not {owner!r}")
    if len(owner) > OWNER_LENGTH:
        raise ValueError(f"a vault owner name has at most {OWNER_LENGTH} characters")
    return owner


def subject_ref_of(owner: str) -> str | None:
    """The person's pseudonymous ref for the audit trail, or None for a hold."""
    return owner[len(PERSON_PREFIX) :] if owner.startswith(PERSON_PREFIX) else None


def item_aad(item_id: str, owner: str, kind: str) -> bytes:
    """Binds a sealed item to its row: moved to another id, owner or kind, it fails to open."""
    parts = [b"gardien/vault-item/v1", item_id.encode(), owner.encode(), kind.encode()]
    return b"".join(len(part).to_bytes(4, "big") + part for part in parts)
