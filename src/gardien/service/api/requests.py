"""Data-subject requests over HTTP (GDPR arts. 12, 15–21): receive, verify, extend, run, close.

The routes call :class:`~gardien.requests.workflow.RequestWorkflow`; the service adds nothing
but the shape. Reading needs ``requests:read``, recording one ``requests:write``, and acting on
one (identity, deadline, run, close, package) ``requests:admin``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from gardien.audit.events import JsonValue
from gardien.ledger import RestrictionGround
from gardien.requests.erasure import report, report_html
from gardien.requests.execution import RunResult, run
from gardien.requests.model import (
    DataSubjectRequest,
    RefusalReason,
    RequestChannel,
    RequestStatus,
    RequestType,
)
from gardien.service.api.decisions import PurposeId, SubjectText
from gardien.service.api.security import Context, Requires
from gardien.service.auth import Scope
from gardien.service.context import ServiceContext
from gardien.service.errors import BadRequestError, NotFoundError

reads = APIRouter(tags=["requests"], dependencies=[Depends(Requires(Scope.REQUESTS_READ))])
writes = APIRouter(tags=["requests"], dependencies=[Depends(Requires(Scope.REQUESTS_WRITE))])
admin = APIRouter(tags=["requests"], dependencies=[Depends(Requires(Scope.REQUESTS_ADMIN))])

Ref = Annotated[str, PathParam(pattern=r"^[A-Za-z0-9-]{1,32}$", examples=["R-7KQ2M9XW"])]


class RequestOut(BaseModel):
    ref: str
    type: RequestType
    channel: RequestChannel
    status: RequestStatus
    lang: str
    subject_kind: str
    subject_ref: str | None
    received_at: datetime
    due_at: datetime
    overdue: bool
    extended_months: int
    extension_reason: str | None
    verified_at: datetime | None
    closed_at: datetime | None
    reason_code: str | None
    reason: str | None
    params: dict[str, Any] | None
    outcome: dict[str, Any] | None

    @classmethod
    def of(cls, r: DataSubjectRequest, now: datetime) -> RequestOut:
        return cls(
            ref=r.ref,
            type=r.type,
            channel=r.channel,
            status=r.status,
            lang=r.lang,
            subject_kind=r.subject_kind,
            subject_ref=r.subject_ref,
            received_at=r.received_at,
            due_at=r.due_at,
            overdue=r.is_overdue(now),
            extended_months=r.extended_months,
            extension_reason=r.extension_reason,
            verified_at=r.verified_at,
            closed_at=r.closed_at,
            reason_code=r.reason_code,
            reason=r.reason,
            params=r.params,
            outcome=r.outcome,
        )


class RequestsOut(BaseModel):
    requests: list[RequestOut]


def _out(ctx: ServiceContext, request: DataSubjectRequest) -> RequestOut:
    return RequestOut.of(request, ctx.requests.clock())


@reads.get("/requests", response_model=RequestsOut, summary="Requests, overdue first")
def list_requests(ctx: Context, include_closed: Annotated[bool, Query()] = False) -> RequestsOut:
    now = ctx.requests.clock()
    found = ctx.requests.list_requests(include_closed=include_closed)
    return RequestsOut(requests=[RequestOut.of(r, now) for r in found])


@reads.get("/requests/{ref}", response_model=RequestOut, summary="One request")
def get_request(ref: Ref, ctx: Context) -> RequestOut:
    return _out(ctx, ctx.requests.get(ref))


class RequestIn(BaseModel):
    type: RequestType
    subject: SubjectText
    channel: RequestChannel = RequestChannel.API
    contact: str | None = Field(default=None, max_length=320, description="Where to answer")
    lang: str = Field(default="fr", pattern="^(fr|en)$")
    purposes: list[PurposeId] = Field(default_factory=list, max_length=50)
    changes: dict[str, str | None] | None = Field(
        default=None, max_length=100, description="Rectification: field -> new value"
    )
    ground: RestrictionGround | None = None
    identity_confirmed: str | None = Field(
        default=None,
        max_length=200,
        description="How the caller already confirmed the identity (e.g. 'signed-in account')",
    )


@writes.post("/requests", response_model=RequestOut, status_code=201, summary="Record a request")
def new_request(body: RequestIn, ctx: Context) -> RequestOut:
    """Received now; the deadline is one month later (art. 12(3))."""
    received = ctx.requests.receive(
        body.type,
        body.subject,
        body.channel,
        contact=body.contact,
        lang=body.lang,
        purposes=body.purposes,
        changes=body.changes,
        ground=body.ground,
    )
    if body.identity_confirmed:
        received = ctx.requests.confirm_identity(received.ref, body.identity_confirmed)
    return _out(ctx, received)


@admin.post("/requests/{ref}/send-code", response_model=RequestOut, summary="Send a code")
def send_code(ref: Ref, ctx: Context) -> RequestOut:
    ctx.requests.send_code(ref)
    return _out(ctx, ctx.requests.get(ref))


class VerifyIn(BaseModel):
    code: str | None = Field(default=None, max_length=20, description="The code typed back")
    how: str | None = Field(
        default=None, max_length=200, description="Or: how the identity was confirmed otherwise"
    )


@admin.post("/requests/{ref}/verify", response_model=RequestOut, summary="Confirm identity")
def verify(ref: Ref, body: VerifyIn, ctx: Context) -> RequestOut:
    """Art. 12(6): by the code sent to the person, or another way the DPO states."""
    if body.code:
        return _out(ctx, ctx.requests.verify(ref, body.code))
    if body.how and body.how.strip():
        return _out(ctx, ctx.requests.confirm_identity(ref, body.how.strip()))
    raise BadRequestError("give the `code` the person typed back, or `how` they were identified")


class ExtendIn(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)
    months: int = Field(default=2, ge=1, le=2)


@admin.post("/requests/{ref}/extend", response_model=RequestOut, summary="Extend the deadline")
def extend(ref: Ref, body: ExtendIn, ctx: Context) -> RequestOut:
    """By one or two months, with the reason told to the person (art. 12(3))."""
    return _out(ctx, ctx.requests.extend(ref, body.reason, body.months))


class RunIn(BaseModel):
    dry_run: bool = False


class StepOut(BaseModel):
    step: str
    status: str
    result: dict[str, Any]
    error: str | None
    skipped: bool


class RunOut(BaseModel):
    request: RequestOut
    dry_run: bool
    steps: list[StepOut]
    files: list[str]


def run_out(ctx: ServiceContext, result: RunResult) -> RunOut:
    return RunOut(
        request=_out(ctx, result.request),
        dry_run=result.dry_run,
        steps=[
            StepOut(step=s.step, status=s.status, result=s.result, error=s.error, skipped=s.skipped)
            for s in result.steps
        ],
        files=[p.name for p in result.files],
    )


@admin.post("/requests/{ref}/run", response_model=RunOut, summary="Carry out a request")
def run_request(ref: Ref, body: RunIn, ctx: Context) -> RunOut:
    """Run it on every declared dataset and the ledger; ``dry_run`` changes nothing."""
    return run_out(ctx, run(ctx.requests, ref, dry_run=body.dry_run))


class CloseIn(BaseModel):
    note: str = Field(min_length=1, max_length=2000)


@admin.post("/requests/{ref}/complete", response_model=RequestOut, summary="Close as completed")
def complete(ref: Ref, body: CloseIn, ctx: Context) -> RequestOut:
    """Close what a run left partial, failed or stuck and the DPO finished by hand; the
    person is told it is now carried out in full."""
    return _out(ctx, ctx.requests.complete(ref, body.note))


class RefuseIn(BaseModel):
    reason: RefusalReason
    note: str = Field(default="", max_length=2000)


@admin.post("/requests/{ref}/refuse", response_model=RequestOut, summary="Refuse, with reasons")
def refuse(ref: Ref, body: RefuseIn, ctx: Context) -> RequestOut:
    """The person is told why and that they may complain to the CNIL (art. 12(4))."""
    return _out(ctx, ctx.requests.refuse(ref, body.reason, body.note))


def package_path(request: DataSubjectRequest) -> Path | None:
    """The zip an access or portability run wrote, if it is still there."""
    outcome: dict[str, JsonValue] = request.outcome or {}
    files = outcome.get("files")
    if not isinstance(files, list):
        return None
    for name in files:
        path = Path(str(name))
        if path.suffix == ".zip" and path.is_file():
            return path
    return None


@admin.get(
    "/requests/{ref}/package",
    response_class=FileResponse,
    summary="The access or portability package",
    responses={200: {"content": {"application/zip": {}}}},
)
def package(ref: Ref, ctx: Context) -> FileResponse:
    request = ctx.requests.get(ref)
    path = package_path(request)
    if path is None:
        raise NotFoundError(f"request {ref} has no package (not run, or not access/portability)")
    return FileResponse(path, media_type="application/zip", filename=f"{request.ref}.zip")


@admin.get(
    "/requests/{ref}/report",
    response_class=HTMLResponse,
    summary="An erasure's report for the person",
    responses={200: {"content": {"text/html": {}, "application/json": {}}}},
)
def erasure_report(
    ref: Ref,
    ctx: Context,
    format: Annotated[Literal["html", "json"], Query(description="html or json")] = "html",
    lang: Annotated[Literal["fr", "en"] | None, Query(description="default: the request's")] = None,
) -> Response:
    """What the erasure did and what the law keeps (table, text, end date; art. 17(3)),
    rendered from the steps its runs recorded, in the person's language unless ``lang``."""
    request, data = report(ctx.requests, ref)  # no such report: 404 (ReportNotFoundError)
    if format == "json":
        return JSONResponse(data)
    return HTMLResponse(report_html(ctx.requests, request, data, lang))
