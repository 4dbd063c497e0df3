"""Consents (GDPR art. 7), objections (art. 21), restrictions (art. 18), and a person's file.

Each write is the ledger's: append-only, audited in the same transaction. The evidence the
ledger keeps is what the caller sends plus what the service saw: which API key, the
user agent, the time. A person is named in the body, never in the URL (URLs end up in logs).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field

from gardien.audit.events import JsonValue
from gardien.ledger import (
    Channel,
    ConsentChange,
    ConsentMethod,
    ConsentRecord,
    ConsentStatus,
    ObjectionRecord,
    ObjectionStatus,
    RestrictionGround,
    RestrictionRecord,
    RestrictionStatus,
)
from gardien.service.api.decisions import PurposeId, SubjectText
from gardien.service.api.security import Context, Requires
from gardien.service.auth import ApiKey, Scope
from gardien.service.errors import NotFoundError

writes = APIRouter(tags=["consents"], dependencies=[Depends(Requires(Scope.CONSENTS_WRITE))])
reads = APIRouter(tags=["consents"], dependencies=[Depends(Requires(Scope.CONSENTS_READ))])

Evidence = Annotated[
    dict[str, str | int | float | bool | None],
    Field(max_length=50, description="What proves the choice: form id, text shown, …"),
]


def evidence_of(
    request: Request, given: dict[str, str | int | float | bool | None]
) -> dict[str, JsonValue]:
    """The caller's evidence plus what the service itself saw (GDPR art. 7(1))."""
    key = getattr(request.state, "api_key", None)
    seen: dict[str, JsonValue] = dict(given)
    seen["service"] = {
        "api_key": key.id if isinstance(key, ApiKey) else None,
        "user_agent": request.headers.get("user-agent", "")[:200],
    }
    return seen


class ConsentIn(BaseModel):
    subject: SubjectText
    purposes: list[PurposeId] = Field(min_length=1, max_length=50)
    status: Literal["given", "refused", "withdrawn"] = "given"
    channel: Channel = Channel.API
    method: ConsentMethod = ConsentMethod.EXPLICIT_OPT_IN
    notice_hash: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    evidence: Evidence = Field(default_factory=dict)


class ConsentOut(BaseModel):
    record_id: str
    receipt_id: str
    schema_version: str
    subject_ref: str
    purpose: str
    policy_version: str
    notice_hash: str | None
    at: datetime
    channel: str
    method: str
    status: str
    expires_at: datetime | None

    @classmethod
    def of(cls, r: ConsentRecord) -> ConsentOut:
        return cls(
            record_id=r.record_id,
            receipt_id=r.receipt_id,
            schema_version=r.schema_version,
            subject_ref=r.subject_ref,
            purpose=r.purpose,
            policy_version=r.policy_version,
            notice_hash=r.notice_hash,
            at=r.at,
            channel=r.channel.value,
            method=r.method.value,
            status=r.status.value,
            expires_at=r.expires_at,
        )


class ConsentsOut(BaseModel):
    records: list[ConsentOut]


@writes.post("/consents", response_model=ConsentsOut, status_code=201, summary="Record consent")
async def record_consent(body: ConsentIn, request: Request, ctx: Context) -> Response:
    """Give, refuse or withdraw consent to one or more purposes, with one receipt.

    Written with the requests that arrive at the same time, in one transaction (group commit,
    see :mod:`gardien.service.batching`).
    """
    receipt = str(uuid.uuid4())
    evidence = evidence_of(request, body.evidence)
    changes = [
        ConsentChange(
            body.subject,
            purpose,
            ConsentStatus(body.status),
            channel=body.channel,
            method=body.method,
            notice_hash=body.notice_hash,
            evidence=evidence,
            receipt_id=receipt,
        )
        for purpose in dict.fromkeys(body.purposes)
    ]
    records = await ctx.consent_writer.record(changes)
    out = ConsentsOut(records=[ConsentOut.of(r) for r in records])
    return Response(out.model_dump_json(), status_code=201, media_type="application/json")


class ObjectionIn(BaseModel):
    subject: SubjectText
    purpose: PurposeId
    status: ObjectionStatus = ObjectionStatus.RAISED
    channel: Channel = Channel.API
    evidence: Evidence = Field(default_factory=dict)


class ObjectionOut(BaseModel):
    record_id: str
    subject_ref: str
    purpose: str
    at: datetime
    status: str
    channel: str

    @classmethod
    def of(cls, r: ObjectionRecord) -> ObjectionOut:
        return cls(
            record_id=r.record_id,
            subject_ref=r.subject_ref,
            purpose=r.purpose,
            at=r.at,
            status=r.status.value,
            channel=r.channel.value,
        )


@writes.post(
    "/objections", response_model=ObjectionOut, status_code=201, summary="Record an objection"
)
def record_objection(body: ObjectionIn, request: Request, ctx: Context) -> ObjectionOut:
    record = ctx.ledger.object(
        body.subject,
        body.purpose,
        status=body.status,
        channel=body.channel,
        evidence=evidence_of(request, body.evidence),
    )
    return ObjectionOut.of(record)


class RestrictionIn(BaseModel):
    subject: SubjectText
    status: RestrictionStatus = RestrictionStatus.APPLIED
    ground: RestrictionGround | None = None
    channel: Channel = Channel.API
    evidence: Evidence = Field(default_factory=dict)


class RestrictionOut(BaseModel):
    record_id: str
    subject_ref: str
    at: datetime
    status: str
    ground: str | None
    channel: str

    @classmethod
    def of(cls, r: RestrictionRecord) -> RestrictionOut:
        return cls(
            record_id=r.record_id,
            subject_ref=r.subject_ref,
            at=r.at,
            status=r.status.value,
            ground=r.ground.value if r.ground else None,
            channel=r.channel.value,
        )


@writes.post(
    "/restrictions",
    response_model=RestrictionOut,
    status_code=201,
    summary="Restrict processing, or lift it",
)
def record_restriction(body: RestrictionIn, request: Request, ctx: Context) -> RestrictionOut:
    record = ctx.ledger.restrict(
        body.subject,
        ground=body.ground,
        status=body.status,
        channel=body.channel,
        evidence=evidence_of(request, body.evidence),
    )
    return RestrictionOut.of(record)


class SubjectIn(BaseModel):
    subject: SubjectText


class SubjectFileOut(BaseModel):
    """What the ledger holds on one person (GDPR art. 15), identifiers included."""

    ref: str
    created_at: datetime
    erased_at: datetime | None
    identifiers: list[str | None]
    consents: list[ConsentOut]
    objections: list[ObjectionOut]
    restrictions: list[RestrictionOut]


@reads.post("/subjects/file", response_model=SubjectFileOut, summary="A person's ledger file")
def subject_file(body: SubjectIn, ctx: Context) -> SubjectFileOut:
    found = ctx.ledger.subject(body.subject)
    if found is None:
        raise NotFoundError("the ledger holds nothing on this person")
    return SubjectFileOut(
        ref=found.ref,
        created_at=found.created_at,
        erased_at=found.erased_at,
        identifiers=[str(i) if i is not None else None for i in found.identifiers],
        consents=[ConsentOut.of(r) for r in found.consents],
        objections=[ObjectionOut.of(r) for r in found.objections],
        restrictions=[RestrictionOut.of(r) for r in found.restrictions],
    )
