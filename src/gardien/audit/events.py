"""The events the audit trail proves, one frozen dataclass per kind of act.

Logs are for operators; these are for proof (GDPR art. 5(2), accountability; art. 7(1), the
controller must be able to demonstrate consent). An event carries no identifier in clear: the
entry names the person by their pseudonymous ref only. Other packages add their own events by
subclassing :class:`AuditEvent` with a new ``event_type``.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum
from typing import ClassVar

JsonScalar = str | int | float | bool | None
JsonValue = JsonScalar | list["JsonValue"] | dict[str, "JsonValue"]


def _json(value: object) -> JsonValue:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Enum):
        return _json(value.value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list | frozenset | set):
        items = [_json(v) for v in value]
        return sorted(items, key=str) if isinstance(value, frozenset | set) else items
    if isinstance(value, dict):
        return {str(k): _json(v) for k, v in value.items()}
    raise TypeError(f"cannot put {type(value).__name__} in an audit payload")


@dataclasses.dataclass(frozen=True)
class AuditEvent:
    """Base of every audited event; ``payload()`` is what the chain hashes."""

    event_type: ClassVar[str] = "event"

    def payload(self) -> dict[str, JsonValue]:
        return {f.name: _json(getattr(self, f.name)) for f in dataclasses.fields(self)}


@dataclasses.dataclass(frozen=True)
class PolicyVersionSeen(AuditEvent):
    """The ledger started enforcing a policy version it had not seen before."""

    event_type: ClassVar[str] = "policy.version_seen"
    version: str
    content_hash: str
    needs_new_consent: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class PersonRegistered(AuditEvent):
    """A data subject entered the ledger, known by identifiers of these kinds."""

    event_type: ClassVar[str] = "person.registered"
    identifier_kinds: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class IdentifierAdded(AuditEvent):
    """A person can now also be found by an identifier of this kind (value never logged)."""

    event_type: ClassVar[str] = "person.identifier_added"
    identifier_kind: str


@dataclasses.dataclass(frozen=True)
class ConsentRecorded(AuditEvent):
    """Consent given, refused, withdrawn or expired (GDPR arts. 7(1), 7(3))."""

    event_type: ClassVar[str] = "consent.recorded"
    record_id: str
    receipt_id: str
    purpose: str
    status: str
    policy_version: str
    channel: str
    method: str
    notice_hash: str | None
    expires_at: datetime | None


@dataclasses.dataclass(frozen=True)
class ObjectionRecorded(AuditEvent):
    """An objection raised, withdrawn or overridden (GDPR art. 21)."""

    event_type: ClassVar[str] = "objection.recorded"
    record_id: str
    purpose: str
    status: str
    channel: str


@dataclasses.dataclass(frozen=True)
class RestrictionRecorded(AuditEvent):
    """Processing restricted, or the restriction lifted (GDPR arts. 18, 18(3))."""

    event_type: ClassVar[str] = "restriction.recorded"
    record_id: str
    status: str
    ground: str | None
    channel: str
