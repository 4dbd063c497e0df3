"""Checking the audit trail over HTTP: the same verification as ``gardien audit verify``."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from gardien.audit import AuditReport, AuditTrail
from gardien.ledger.protection import IdentifierVault
from gardien.service.api.security import Context, Requires
from gardien.service.auth import Scope
from gardien.service.context import ServiceContext
from gardien.storage import read_transaction

router = APIRouter(tags=["audit"], dependencies=[Depends(Requires(Scope.AUDIT))])


class AuditProblemOut(BaseModel):
    seq: int
    kind: str
    message: str


class AuditVerification(BaseModel):
    """Intact, or where the chain breaks (GDPR art. 5(2): accountability)."""

    intact: bool
    entries: int
    head_seq: int
    head_hash: str
    first_broken_seq: int | None
    problems: list[AuditProblemOut]


def verify_trail(ctx: ServiceContext) -> AuditReport:
    trail = AuditTrail(IdentifierVault(ctx.keys).audit_key())
    with read_transaction(ctx.engine) as conn:
        return trail.verify(conn)


@router.get("/audit/verify", response_model=AuditVerification, summary="Verify the audit trail")
def verify(ctx: Context) -> AuditVerification:
    report = verify_trail(ctx)
    return AuditVerification(
        intact=report.intact,
        entries=report.entries,
        head_seq=report.head_seq,
        head_hash=report.head_hash,
        first_broken_seq=report.first_broken_seq,
        problems=[
            AuditProblemOut(seq=p.seq, kind=p.kind.value, message=p.message)
            for p in report.problems
        ],
    )
