"""The notice (public, GDPR arts. 12–14), its earlier versions, and the art. 30 register."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pydantic import BaseModel

from gardien.documents.notice import render_notice
from gardien.documents.register import register_entries, register_headers, render_register
from gardien.ledger.history import content_hash
from gardien.policy.model import Policy
from gardien.service.api.security import Context, Requires
from gardien.service.auth import Scope
from gardien.service.errors import NotFoundError
from gardien.storage import read_transaction
from gardien.storage.tables import policy_versions

public = APIRouter(tags=["documents"])
register_router = APIRouter(tags=["documents"], dependencies=[Depends(Requires(Scope.REGISTER))])

Lang = Literal["fr", "en"]
VersionId = Annotated[int, PathParam(ge=1, le=2**31 - 1)]
DocFormat = Literal["html", "md"]


class NoticeVersion(BaseModel):
    """A policy version the ledger has enforced, newest first in listings."""

    id: int
    version: str
    first_seen_at: datetime
    current: bool


def _document(text: str, fmt: str) -> Response:
    if fmt == "html":
        return HTMLResponse(text)
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")


@public.get("/notice", summary="The current privacy notice", response_class=Response)
def notice(
    ctx: Context,
    lang: Annotated[Lang, Query()] = "fr",
    format: Annotated[DocFormat, Query()] = "html",
) -> Response:
    return _document(render_notice(ctx.policy, lang, format), format)


def notice_versions(ctx: Context) -> list[NoticeVersion]:
    """Every version seen by the ledger (GDPR art. 12(1): people may read what they agreed to)."""
    current = content_hash(ctx.policy)
    with read_transaction(ctx.engine) as conn:
        rows = conn.execute(
            sa.select(
                policy_versions.c.id,
                policy_versions.c.version,
                policy_versions.c.first_seen_at,
                policy_versions.c.content_hash,
            ).order_by(policy_versions.c.id.desc())
        ).all()
    return [
        NoticeVersion(
            id=r.id,
            version=r.version,
            first_seen_at=r.first_seen_at,
            current=r.content_hash == current,
        )
        for r in rows
    ]


public.get(
    "/notice/versions", summary="Versions of the notice", response_model=list[NoticeVersion]
)(notice_versions)


def policy_version(ctx: Context, version_id: int) -> Policy:
    with read_transaction(ctx.engine) as conn:
        document = conn.execute(
            sa.select(policy_versions.c.document).where(policy_versions.c.id == version_id)
        ).scalar()
    if document is None:
        raise NotFoundError(f"no notice version {version_id}")
    return Policy.model_validate_json(document)


@public.get(
    "/notice/versions/{version_id}",
    summary="An earlier version of the notice",
    response_class=Response,
)
def notice_version(
    ctx: Context,
    version_id: VersionId,
    lang: Annotated[Lang, Query()] = "fr",
    format: Annotated[DocFormat, Query()] = "html",
) -> Response:
    return _document(render_notice(policy_version(ctx, version_id), lang, format), format)


class RegisterRow(BaseModel):
    purpose: str
    cells: dict[str, str]


@register_router.get(
    "/register", summary="The record of processing activities (art. 30)", response_model=None
)
def register(
    ctx: Context,
    lang: Annotated[Lang, Query()] = "fr",
    format: Annotated[Literal["json", "csv", "html"], Query()] = "json",
) -> Response | list[RegisterRow]:
    if format == "json":
        names = register_headers(lang)
        return [
            RegisterRow(purpose=e.purpose_id, cells=dict(zip(names, e.cells, strict=False)))
            for e in register_entries(ctx.policy, lang)
        ]
    text = render_register(ctx.policy, format, lang)
    if format == "html":
        return HTMLResponse(text)
    return PlainTextResponse(text, media_type="text/csv; charset=utf-8")
