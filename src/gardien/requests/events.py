"""The audit events of the request workflow (GDPR art. 5(2), accountability; art. 12).

No event carries a personal value: the person is the entry's pseudonymous subject ref, and a
rectification's new values never enter the trail (only the names of the fields).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import ClassVar

from gardien.audit.events import AuditEvent


@dataclasses.dataclass(frozen=True)
class RequestReceived(AuditEvent):
    event_type: ClassVar[str] = "request.received"
    ref: str
    type: str
    channel: str
    received_at: datetime
    due_at: datetime


@dataclasses.dataclass(frozen=True)
class RequestStatusChanged(AuditEvent):
    event_type: ClassVar[str] = "request.status_changed"
    ref: str
    from_status: str
    to_status: str
    reason_code: str | None = None
    reason: str | None = None


@dataclasses.dataclass(frozen=True)
class RequestExtended(AuditEvent):
    """The deadline moved by one or two months, with the reasons told to the person."""

    event_type: ClassVar[str] = "request.extended"
    ref: str
    months: int
    reason: str
    due_at: datetime


@dataclasses.dataclass(frozen=True)
class IdentityCodeSent(AuditEvent):
    event_type: ClassVar[str] = "request.identity_code_sent"
    ref: str
    expires_at: datetime


@dataclasses.dataclass(frozen=True)
class IdentityCheckFailed(AuditEvent):
    event_type: ClassVar[str] = "request.identity_check_failed"
    ref: str
    outcome: str


@dataclasses.dataclass(frozen=True)
class RequestStepDone(AuditEvent):
    """One unit of work of a run: a dataset handled, the ledger updated, a package written."""

    event_type: ClassVar[str] = "request.step"
    ref: str
    step: str
    status: str
    counts: tuple[tuple[str, int], ...] = ()
    error: str | None = None
