"""The ledger's records: consents, objections and restrictions, as they are kept.

Consent records carry the fields of ISO/IEC TS 27560:2023 and of the Kantara Consent Receipt
v1.1 that a controller needs to *demonstrate* consent (GDPR art. 7(1)): record id and schema
version, the person, the purpose, the policy version and a hash of the notice shown, when,
through which channel, how, the resulting state, its expiry, and the evidence. Records are
never changed: a withdrawal is a new record (art. 7(3)), so the history is the proof.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from gardien.audit.events import JsonValue

CONSENT_SCHEMA_VERSION = "gardien-cr-1"
"""Version of the consent record layout (27560 ``schema_version``)."""


class ConsentStatus(StrEnum):
    """27560 ``event_state`` / DPV consent status: only GIVEN is a valid consent."""

    GIVEN = "given"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    EXPIRED = "expired"

    @property
    def dpv(self) -> str:
        return (
            "https://w3id.org/dpv#Consent"
            + {
                ConsentStatus.GIVEN: "Given",
                ConsentStatus.REFUSED: "Refused",
                ConsentStatus.WITHDRAWN: "Withdrawn",
                ConsentStatus.EXPIRED: "Expired",
            }[self]
        )


class Channel(StrEnum):
    """Where the person expressed the choice (27560 ``collection_method``)."""

    WEB_FORM = "web_form"
    COOKIE_BANNER = "cookie_banner"
    EMAIL = "email"
    API = "api"
    PAPER = "paper"


class ConsentMethod(StrEnum):
    """How the choice was expressed (Kantara ``consentType``)."""

    EXPLICIT_OPT_IN = "explicit_opt_in"
    EXPLICIT_OPT_OUT = "explicit_opt_out"
    GLOBAL_PRIVACY_CONTROL = "global_privacy_control"
    """Sec-GPC: 1, read as a refusal or objection by automated means (art. 21(5))."""
    SYSTEM = "system"
    """Written by Gardien itself, e.g. an expiry found by a sweep."""


class ObjectionStatus(StrEnum):
    """GDPR art. 21: raised by the person, withdrawn by them, or overridden by the controller."""

    RAISED = "raised"
    WITHDRAWN = "withdrawn"
    OVERRIDDEN = "overridden"
    """Compelling legitimate grounds shown (art. 21(1)); never possible for direct marketing."""


class RestrictionStatus(StrEnum):
    APPLIED = "applied"
    LIFTED = "lifted"


class RestrictionGround(StrEnum):
    """GDPR art. 18(1)(a)–(d)."""

    ACCURACY_CONTESTED = "accuracy_contested"
    UNLAWFUL_PROCESSING = "unlawful_processing"
    NEEDED_FOR_LEGAL_CLAIMS = "needed_for_legal_claims"
    OBJECTION_PENDING = "objection_pending"


def notice_hash(notice_text: str) -> str:
    """SHA-256 of the notice text shown to the person, as recorded with their consent."""
    return hashlib.sha256(notice_text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ConsentRecord:
    record_id: str
    receipt_id: str
    schema_version: str
    subject_ref: str
    purpose: str
    policy_version: str
    notice_hash: str | None
    at: datetime
    channel: Channel
    method: ConsentMethod
    status: ConsentStatus
    expires_at: datetime | None
    evidence: dict[str, JsonValue]
    actor: str


@dataclass(frozen=True)
class ObjectionRecord:
    record_id: str
    subject_ref: str
    purpose: str
    at: datetime
    status: ObjectionStatus
    channel: Channel
    evidence: dict[str, JsonValue]
    actor: str


@dataclass(frozen=True)
class RestrictionRecord:
    record_id: str
    subject_ref: str
    at: datetime
    status: RestrictionStatus
    ground: RestrictionGround | None
    channel: Channel
    evidence: dict[str, JsonValue]
    actor: str
