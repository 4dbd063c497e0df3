"""What a sweep proves in the audit trail: one entry per batch, one per table swept.

GDPR art. 5(2) (accountability) and 5(1)(e) (storage limitation): the controller must be able
to show that data past its period was erased, and what a legal hold kept. Entries carry counts
and names of tables and rules, never a row's content or key.
"""

from __future__ import annotations

import dataclasses
from typing import ClassVar

from gardien.audit.events import AuditEvent


@dataclasses.dataclass(frozen=True)
class RetentionBatchSwept(AuditEvent):
    """One committed batch: ``rows`` deleted or anonymised in one table under one rule."""

    event_type: ClassVar[str] = "retention.batch_swept"
    store: str
    table: str
    rule: str
    action: str
    batch: int
    rows: int
    cutoff: str


@dataclasses.dataclass(frozen=True)
class RetentionTableSwept(AuditEvent):
    """A table's sweep finished: totals, what holds kept and what they released."""

    event_type: ClassVar[str] = "retention.table_swept"
    store: str
    table: str
    rule: str
    action: str
    deleted: int
    anonymised: int
    held: int
    released: int
    kept_referenced: int
    batches: int
    complete: bool
    holds: tuple[str, ...]
