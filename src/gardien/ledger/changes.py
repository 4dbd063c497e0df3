"""What a change to the ledger writes: its rows, its audit events, the records returned.

Pure functions of the change, the person it concerns and the moment; the :class:`Ledger` runs
them inside one write transaction. The checks here refuse a record that would mean nothing
(consent to a purpose resting on a contract, an objection to a legal obligation) rather than
store it silently.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from gardien.audit.chain import Pending
from gardien.audit.events import (
    ConsentRecorded,
    JsonValue,
    ObjectionRecorded,
    RestrictionRecorded,
)
from gardien.errors import GardienError
from gardien.ledger.decision import PolicyIndex
from gardien.ledger.history import PolicyHistory
from gardien.ledger.identifiers import Identifier, Subject, as_identifier
from gardien.ledger.records import (
    CONSENT_SCHEMA_VERSION,
    Channel,
    ConsentMethod,
    ConsentRecord,
    ConsentStatus,
    ObjectionRecord,
    ObjectionStatus,
    RestrictionGround,
    RestrictionRecord,
    RestrictionStatus,
)
from gardien.ledger.store import Person
from gardien.policy.model import Policy
from gardien.policy.vocabulary import LegalBasisKind

Row = dict[str, Any]
_OBJECTABLE = {LegalBasisKind.LEGITIMATE_INTERESTS, LegalBasisKind.PUBLIC_TASK}


class NotApplicableError(GardienError):
    """A right or record that does not apply to this purpose (e.g. consent to a contract)."""

    code = "not_applicable"


@dataclass(frozen=True)
class ConsentChange:
    """One consent event to record; the batch form of :meth:`Ledger.give_consent` and co."""

    subject: Subject
    purpose: str
    status: ConsentStatus
    channel: Channel = Channel.API
    method: ConsentMethod = ConsentMethod.EXPLICIT_OPT_IN
    notice_hash: str | None = None
    expires_at: datetime | None = None
    evidence: Mapping[str, JsonValue] = field(default_factory=dict)
    receipt_id: str | None = None


def check_consent_applies(policy: Policy, index: PolicyIndex, purpose_id: str) -> None:
    """Unknown purpose: an error with a suggestion; a purpose without consent: refused."""
    index.rule(purpose_id)
    purpose = policy.purpose_by_id.get(purpose_id)
    if purpose is not None and LegalBasisKind.CONSENT not in purpose.bases():
        raise NotApplicableError(
            f"purpose {purpose_id!r} does not rest on consent "
            f"({', '.join(b.value for b in purpose.bases()) or 'no basis stated'}); to stop "
            "it, record an objection (art. 21) or a restriction (art. 18)"
        )


def check_objection_applies(
    policy: Policy, index: PolicyIndex, purpose_id: str, status: ObjectionStatus
) -> None:
    """Art. 21 covers legitimate interests, public tasks and direct marketing (absolutely)."""
    index.rule(purpose_id)
    declared = policy.purpose_by_id[purpose_id]
    if not declared.direct_marketing and not _OBJECTABLE & set(declared.bases()):
        raise NotApplicableError(
            f"purpose {purpose_id!r} rests on "
            f"{', '.join(b.value for b in declared.bases()) or 'no stated basis'}: the right "
            "to object (art. 21) applies to legitimate interests, public tasks and direct "
            "marketing"
        )
    if status is ObjectionStatus.OVERRIDDEN and declared.direct_marketing:
        raise NotApplicableError(
            "an objection to direct marketing cannot be overridden (art. 21(3))"
        )


def consent_expiry(
    policy: Policy, purpose_id: str, status: ConsentStatus, at: datetime
) -> datetime | None:
    """When a consent given now lapses, if the policy sets a validity (e.g. CNIL: 13 months)."""
    purpose = policy.purpose_by_id[purpose_id]
    if status is ConsentStatus.GIVEN and purpose.consent and purpose.consent.validity:
        return purpose.consent.validity.after(at)
    return None


def consent_entries(
    policy: Policy,
    history: PolicyHistory,
    changes: Sequence[ConsentChange],
    persons: Mapping[Identifier, Person],
    when: datetime,
    who: str,
) -> tuple[list[Row], list[Pending], list[ConsentRecord]]:
    rows: list[Row] = []
    events: list[Pending] = []
    records: list[ConsentRecord] = []
    for c in changes:
        person = persons[as_identifier(c.subject)]
        expires = c.expires_at or consent_expiry(policy, c.purpose, c.status, when)
        record = ConsentRecord(
            record_id=str(uuid.uuid4()),
            receipt_id=c.receipt_id or str(uuid.uuid4()),
            schema_version=CONSENT_SCHEMA_VERSION,
            subject_ref=person.ref,
            purpose=c.purpose,
            policy_version=history.version,
            notice_hash=c.notice_hash,
            at=when,
            channel=c.channel,
            method=c.method,
            status=c.status,
            expires_at=expires,
            evidence=dict(c.evidence),
            actor=who,
        )
        records.append(record)
        rows.append(
            {
                "record_id": record.record_id,
                "receipt_id": record.receipt_id,
                "schema_version": record.schema_version,
                "person_id": person.id,
                "purpose": c.purpose,
                "policy_version_id": history.ordinal,
                "notice_hash": c.notice_hash,
                "at": when,
                "channel": c.channel.value,
                "method": c.method.value,
                "status": c.status.value,
                "expires_at": expires,
                "evidence": record.evidence,
                "actor": who,
            }
        )
        event = ConsentRecorded(
            record.record_id,
            record.receipt_id,
            c.purpose,
            c.status.value,
            history.version,
            c.channel.value,
            c.method.value,
            c.notice_hash,
            expires,
        )
        events.append(Pending(event, person.ref))
    return rows, events, records


def objection_entry(
    person: Person,
    purpose: str,
    status: ObjectionStatus,
    channel: Channel,
    evidence: Mapping[str, JsonValue],
    when: datetime,
    who: str,
) -> tuple[Row, Pending, ObjectionRecord]:
    record = ObjectionRecord(
        str(uuid.uuid4()), person.ref, purpose, when, status, channel, dict(evidence), who
    )
    row = {
        "record_id": record.record_id,
        "person_id": person.id,
        "purpose": purpose,
        "at": when,
        "status": status.value,
        "channel": channel.value,
        "evidence": record.evidence,
        "actor": who,
    }
    event = ObjectionRecorded(record.record_id, purpose, status.value, channel.value)
    return row, Pending(event, person.ref), record


def restriction_entry(
    person: Person,
    status: RestrictionStatus,
    ground: RestrictionGround | None,
    channel: Channel,
    evidence: Mapping[str, JsonValue],
    when: datetime,
    who: str,
) -> tuple[Row, Pending, RestrictionRecord]:
    record = RestrictionRecord(
        str(uuid.uuid4()), person.ref, when, status, ground, channel, dict(evidence), who
    )
    ground_value = ground.value if ground else None
    row = {
        "record_id": record.record_id,
        "person_id": person.id,
        "at": when,
        "status": status.value,
        "ground": ground_value,
        "channel": channel.value,
        "evidence": record.evidence,
        "actor": who,
    }
    event = RestrictionRecorded(record.record_id, status.value, ground_value, channel.value)
    return row, Pending(event, person.ref), record
