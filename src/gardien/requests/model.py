"""A data-subject request as a value: what was asked, through which channel, where it stands.

The words are the GDPR's (chapter III). A request is *closed* once completed or refused; a
partial or failed one stays open, and running it again does only what is left.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from gardien.audit.events import JsonValue

COMPLETED_BY_HAND = "completed_by_hand"
"""The reason code of a request the DPO closed after finishing by hand what a run left."""


class RequestType(StrEnum):
    """The rights a person exercises (GDPR arts. 15–21)."""

    ACCESS = "access"
    PORTABILITY = "portability"
    RECTIFICATION = "rectification"
    ERASURE = "erasure"
    OBJECTION = "objection"
    RESTRICTION = "restriction"

    @property
    def article(self) -> str:
        return {
            RequestType.ACCESS: "art. 15",
            RequestType.PORTABILITY: "art. 20",
            RequestType.RECTIFICATION: "art. 16",
            RequestType.ERASURE: "art. 17",
            RequestType.OBJECTION: "art. 21",
            RequestType.RESTRICTION: "art. 18",
        }[self]

    def label(self, lang: str) -> str:
        return {
            RequestType.ACCESS: ("Droit d'accès", "Right of access"),
            RequestType.PORTABILITY: ("Droit à la portabilité", "Right to data portability"),
            RequestType.RECTIFICATION: ("Droit de rectification", "Right to rectification"),
            RequestType.ERASURE: ("Droit à l'effacement", "Right to erasure"),
            RequestType.OBJECTION: ("Droit d'opposition", "Right to object"),
            RequestType.RESTRICTION: ("Droit à la limitation", "Right to restriction"),
        }[self][1 if lang == "en" else 0]

    @property
    def changes_data(self) -> bool:
        """Rectification and erasure change the organisation's databases (dry run possible)."""
        return self in (RequestType.RECTIFICATION, RequestType.ERASURE)


class RequestChannel(StrEnum):
    PORTAL = "portal"
    EMAIL = "email"
    POSTAL = "postal"
    PHONE = "phone"
    API = "api"


class RequestStatus(StrEnum):
    """received → identity_pending → verified → running → completed | partial | failed;
    refused from any open status."""

    RECEIVED = "received"
    IDENTITY_PENDING = "identity_pending"
    VERIFIED = "verified"
    RUNNING = "running"
    COMPLETED = "completed"
    PARTIAL = "partial"
    FAILED = "failed"
    REFUSED = "refused"

    @property
    def closed(self) -> bool:
        return self in (RequestStatus.COMPLETED, RequestStatus.REFUSED)

    @property
    def runnable(self) -> bool:
        """Verified, or a run to resume (crashed while running, partial, failed)."""
        return self in (
            RequestStatus.VERIFIED,
            RequestStatus.RUNNING,
            RequestStatus.PARTIAL,
            RequestStatus.FAILED,
        )

    def label(self, lang: str) -> str:
        return {
            RequestStatus.RECEIVED: ("Reçue", "Received"),
            RequestStatus.IDENTITY_PENDING: ("Identité à confirmer", "Identity pending"),
            RequestStatus.VERIFIED: ("Identité confirmée", "Identity verified"),
            RequestStatus.RUNNING: ("En cours", "Running"),
            RequestStatus.COMPLETED: ("Traitée", "Completed"),
            RequestStatus.PARTIAL: ("Traitée en partie", "Partially completed"),
            RequestStatus.FAILED: ("Échec", "Failed"),
            RequestStatus.REFUSED: ("Refusée", "Refused"),
        }[self][1 if lang == "en" else 0]


class RefusalReason(StrEnum):
    """Why a request may be refused, each with its legal source."""

    MANIFESTLY_UNFOUNDED = "manifestly_unfounded"
    """GDPR art. 12(5)(b); the controller bears the burden of proof."""
    MANIFESTLY_EXCESSIVE = "manifestly_excessive"
    """GDPR art. 12(5)(b), in particular because of its repetitive character."""
    IDENTITY_NOT_CONFIRMED = "identity_not_confirmed"
    """GDPR arts. 11(2), 12(6): the person could not be identified."""
    RIGHT_NOT_APPLICABLE = "right_not_applicable"
    """E.g. an objection to a processing based on a contract (art. 21(1) does not apply)."""

    @property
    def article(self) -> str:
        return {
            RefusalReason.MANIFESTLY_UNFOUNDED: "art. 12(5)",
            RefusalReason.MANIFESTLY_EXCESSIVE: "art. 12(5)",
            RefusalReason.IDENTITY_NOT_CONFIRMED: "art. 12(6)",
            RefusalReason.RIGHT_NOT_APPLICABLE: "arts. 17(3), 20(1), 21(1)",
        }[self]


@dataclass(frozen=True)
class DataSubjectRequest:
    """One request as stored; personal values (identifier, new values) are not in it."""

    ref: str
    type: RequestType
    channel: RequestChannel
    status: RequestStatus
    lang: str
    subject_kind: str
    subject_ref: str | None
    received_at: datetime
    due_at: datetime
    extended_months: int = 0
    extension_reason: str | None = None
    verified_at: datetime | None = None
    closed_at: datetime | None = None
    reason_code: str | None = None
    reason: str | None = None
    params: dict[str, JsonValue] | None = None
    outcome: dict[str, JsonValue] | None = None

    def is_overdue(self, now: datetime) -> bool:
        """Still open after its deadline (GDPR art. 12(3))."""
        return not self.status.closed and now > self.due_at

    @property
    def purposes(self) -> tuple[str, ...]:
        """The purposes an objection names (empty: every purpose it can apply to)."""
        raw = (self.params or {}).get("purposes") or []
        return tuple(str(p) for p in raw) if isinstance(raw, list) else ()
