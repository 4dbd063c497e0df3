"""``POST /decisions`` and ``/decisions/batch``: may purpose P use data C of person S?

The answer is the ledger's :func:`~gardien.ledger.decide` (GDPR art. 6(1): a legal basis that
holds for this person), with its reasons in French and English. An unknown purpose or category
is a 422 with a suggestion, never a silent "no".
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, Field

from gardien.ledger import Decision
from gardien.service.api.security import Context, Requires
from gardien.service.auth import Scope

router = APIRouter(tags=["decisions"], dependencies=[Depends(Requires(Scope.DECISIONS))])

SubjectText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=400,
        description="email:…, phone:…, customer:…, cookie:… or a bare e-mail address",
        examples=["email:marie@example.fr"],
    ),
]
PurposeId = Annotated[str, Field(min_length=1, max_length=64, examples=["marketing"])]
CategoryId = Annotated[str, Field(min_length=1, max_length=128, examples=["contact.email"])]
MAX_BATCH = 1000


class Question(BaseModel):
    subject: SubjectText
    purpose: PurposeId
    categories: list[CategoryId] = Field(max_length=200, examples=[["contact"]])


class Reasons(BaseModel):
    fr: list[str]
    en: list[str]


class DecisionOut(BaseModel):
    allowed: bool
    purpose: str
    basis: str | None = Field(description="The legal basis that holds, or that would apply")
    codes: list[str]
    reasons: Reasons

    @classmethod
    def of(cls, decision: Decision) -> DecisionOut:
        return _shaped(decision)


@lru_cache(maxsize=4096)
def _shaped(decision: Decision) -> DecisionOut:
    """Decisions repeat (allowed ones are shared objects): shape each distinct one once."""
    return DecisionOut(
        allowed=decision.allowed,
        purpose=decision.purpose,
        basis=decision.basis.value if decision.basis else None,
        codes=[c.value for c in decision.codes],
        reasons=Reasons(fr=list(decision.reasons("fr")), en=list(decision.reasons("en"))),
    )


class Batch(BaseModel):
    questions: list[Question] = Field(min_length=1, max_length=MAX_BATCH)


class BatchOut(BaseModel):
    decisions: list[DecisionOut]


@lru_cache(maxsize=4096)
def _json(decision: Decision) -> bytes:
    return _shaped(decision).model_dump_json().encode()


# The hot path runs on the event loop, not in the thread pool: a warm decision is a few
# microseconds of work, far less than a hop to a worker thread; a cold one reads a handful of
# indexed rows. Its body is serialised once per distinct decision.
@router.post("/decisions", response_model=DecisionOut, summary="Decide one use of data")
async def decide_one(question: Question, ctx: Context) -> Response:
    ctx.freshness.ensure()
    decision = ctx.ledger.decide(question.subject, question.purpose, question.categories)
    return Response(_json(decision), media_type="application/json")


@router.post("/decisions/batch", response_model=BatchOut, summary="Decide many at once")
async def decide_batch(batch: Batch, ctx: Context) -> Response:
    ctx.freshness.ensure()
    decisions = ctx.ledger.decide_many(
        (q.subject, q.purpose, q.categories) for q in batch.questions
    )
    body = b'{"decisions":[' + b",".join(_json(d) for d in decisions) + b"]}"
    return Response(body, media_type="application/json")
