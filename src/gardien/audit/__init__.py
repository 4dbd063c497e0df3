"""The tamper-evident audit trail: typed events, a keyed hash chain, verification."""

from gardien.audit.chain import (
    GENESIS,
    AuditEntry,
    AuditProblem,
    AuditReport,
    AuditTrail,
    Pending,
    ProblemKind,
    canonical_json,
    entries_about,
    entry_hash,
)
from gardien.audit.events import (
    AuditEvent,
    ConsentRecorded,
    IdentifierAdded,
    ObjectionRecorded,
    PersonRegistered,
    PolicyVersionSeen,
    RestrictionRecorded,
)

__all__ = [
    "GENESIS",
    "AuditEntry",
    "AuditEvent",
    "AuditProblem",
    "AuditReport",
    "AuditTrail",
    "ConsentRecorded",
    "IdentifierAdded",
    "ObjectionRecorded",
    "Pending",
    "PersonRegistered",
    "PolicyVersionSeen",
    "ProblemKind",
    "RestrictionRecorded",
    "canonical_json",
    "entries_about",
    "entry_hash",
]
