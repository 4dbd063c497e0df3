"""The portal's pages and forms (``/portal``). See :mod:`gardien.service.pages` for the rules.

A person signs in with a one-time code sent to their e-mail (GDPR art. 12(6): identity
confirmed by the least data that suffices); from then on the server-side session names them,
and every page shows only their own data: a request ref in a URL is checked against the
requests made by the signed-in identifier, so another person's ref is a plain 404.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from gardien.audit.events import JsonValue
from gardien.documents.notice import render_notice
from gardien.identity import TooManyCodesError
from gardien.ledger import Channel, Identifier, IdentifierKind, InvalidIdentifierError
from gardien.requests.model import DataSubjectRequest, RequestChannel, RequestType
from gardien.service.api.documents import VersionId, notice_versions, policy_version
from gardien.service.context import ServiceContext, context
from gardien.service.errors import BadRequestError, NotFoundError
from gardien.service.pages import (
    SignInRequiredError,
    check_csrf,
    ensure_session,
    redirect,
    render_page,
    sign_out,
)
from gardien.service.portal import views
from gardien.service.sessions import Session, SessionKind
from gardien.service.words import words_for

router = APIRouter(prefix="/portal", include_in_schema=False)
Ctx = Annotated[ServiceContext, Depends(context)]
Csrf = Annotated[str, Form(max_length=100)]
PORTAL = SessionKind.PORTAL
REQUEST_TYPES = tuple(t.value for t in RequestType)
_REF = re.compile(r"^[A-Za-z0-9-]{1,32}$")


def _page(
    ctx: ServiceContext,
    template: str,
    session: Session,
    cookie: str | None,
    *,
    status_code: int = 200,
    **values: object,
) -> HTMLResponse:
    """A portal page: with the notice's versions, the supervisory authority and the DPO."""
    return render_page(
        ctx,
        template,
        session,
        cookie,
        status_code=status_code,
        versions=notice_versions(ctx),
        authority=views.authority_view(ctx.policy, session.lang),
        dpo_email=ctx.policy.dpo.email if ctx.policy.dpo else None,
        **values,
    )


def _signin_page(
    ctx: ServiceContext,
    session: Session,
    cookie: str | None,
    email: str | None,
    problem: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """The sign-in form, with the address typed so far and what went wrong with it."""
    return _page(
        ctx,
        "signin.html.j2",
        session,
        cookie,
        email=email,
        problem=problem,
        status_code=status_code,
    )


def _signed_in(ctx: ServiceContext, request: Request) -> tuple[Session, Identifier]:
    session, _ = ensure_session(ctx, request, PORTAL)
    if not session.signed_in or session.subject is None:
        raise SignInRequiredError("/portal")
    return session, session.subject


def _requests_of(ctx: ServiceContext, subject: Identifier) -> list[DataSubjectRequest]:
    return ctx.requests.requests_of(subject)


def _own_request(ctx: ServiceContext, subject: Identifier, ref: str) -> DataSubjectRequest:
    """A request of the signed-in person, or 404 (never says whether the ref exists)."""
    if _REF.match(ref):
        for found in _requests_of(ctx, subject):
            if found.ref == ref:
                return found
    raise NotFoundError(f"no request {ref} among yours")


@router.get("", response_class=HTMLResponse)
def home(request: Request, ctx: Ctx) -> Response:
    session, cookie = ensure_session(ctx, request, PORTAL)
    if not session.signed_in or session.subject is None:
        return _signin_page(ctx, session, cookie, None)
    t = words_for(session.lang)
    subject = session.subject
    ctx.freshness.ensure()
    state = ctx.ledger.state(subject)
    held = ctx.ledger.subject(subject)
    flash = None
    if request.query_params.get("saved"):
        flash = t["saved"]
    sent = request.query_params.get("sent", "")
    if sent and _REF.match(sent):
        flash = t["request_sent"].format(ref=sent)
    return _page(
        ctx,
        "home.html.j2",
        session,
        cookie,
        flash=flash,
        who=subject.value,
        restricted=state.restricted,
        purposes=views.purpose_views(ctx.policy, state, session.lang),
        identifiers=[i.value for i in held.identifiers if i is not None] if held else [],
        requests=[views.request_view(r, session.lang) for r in _requests_of(ctx, subject)],
        request_types=REQUEST_TYPES,
    )


@router.post("/signin", response_class=HTMLResponse)
def signin(
    request: Request, ctx: Ctx, csrf: Csrf, email: Annotated[str, Form(max_length=320)]
) -> Response:
    """Send a one-time code (rate-limited per address by :mod:`gardien.identity`)."""
    session, cookie = ensure_session(ctx, request, PORTAL)
    check_csrf(ctx, session, csrf)
    t = words_for(session.lang)
    try:
        identifier = Identifier.of(IdentifierKind.EMAIL, email)
    except InvalidIdentifierError:
        return _signin_page(ctx, session, cookie, None, t["invalid_email"], 422)
    try:
        ctx.codes.issue_code(str(identifier), "signin", send_to=identifier.value, lang=session.lang)
    except TooManyCodesError:
        return _signin_page(ctx, session, cookie, identifier.value, t["too_many_codes"], 429)
    return _signin_page(ctx, session, cookie, identifier.value)


@router.post("/signin/code", response_class=HTMLResponse)
def signin_code(
    request: Request,
    ctx: Ctx,
    csrf: Csrf,
    email: Annotated[str, Form(max_length=320)],
    code: Annotated[str, Form(max_length=20)],
) -> Response:
    """Check the code; a new session replaces the anonymous one (no session fixation)."""
    session, cookie = ensure_session(ctx, request, PORTAL)
    check_csrf(ctx, session, csrf)
    t = words_for(session.lang)
    try:
        identifier = Identifier.of(IdentifierKind.EMAIL, email)
    except InvalidIdentifierError:
        return _signin_page(ctx, session, cookie, None, t["invalid_email"], 422)
    outcome = ctx.codes.check_code(str(identifier), "signin", code)
    if not outcome.ok:
        problem = t["code_refused"].format(outcome=outcome.value)
        return _signin_page(ctx, session, cookie, identifier.value, problem, 403)
    _, value = ctx.sessions.start(PORTAL, session.lang, subject=identifier, replacing=session)
    return redirect("/portal", cookie=(ctx, PORTAL, value))


@router.post("/signout")
def signout(request: Request, ctx: Ctx, csrf: Csrf) -> Response:
    return sign_out(ctx, request, csrf, PORTAL)


def _evidence(request: Request) -> dict[str, JsonValue]:
    return {"portal": True, "user_agent": request.headers.get("user-agent", "")[:200]}


@router.post("/consents")
def consent(
    request: Request,
    ctx: Ctx,
    csrf: Csrf,
    purpose: Annotated[str, Form(max_length=64)],
    action: Annotated[str, Form(pattern="^(give|withdraw)$")],
) -> Response:
    """Give or withdraw with one click each, the same form, the same effort (art. 7(3))."""
    session, subject = _signed_in(ctx, request)
    check_csrf(ctx, session, csrf)
    record = ctx.ledger.give_consent if action == "give" else ctx.ledger.withdraw_consent
    record(subject, purpose, channel=Channel.WEB_FORM, evidence=_evidence(request))
    return redirect(f"/portal?saved=1#purpose-{purpose}")


@router.post("/objections")
def objection(
    request: Request,
    ctx: Ctx,
    csrf: Csrf,
    purpose: Annotated[str, Form(max_length=64)],
    action: Annotated[str, Form(pattern="^(object|withdraw)$")],
) -> Response:
    """Object to a purpose resting on legitimate interests (art. 21), or withdraw it."""
    session, subject = _signed_in(ctx, request)
    check_csrf(ctx, session, csrf)
    if action == "object":
        ctx.ledger.object(subject, purpose, channel=Channel.WEB_FORM, evidence=_evidence(request))
    else:
        ctx.ledger.withdraw_objection(
            subject, purpose, channel=Channel.WEB_FORM, evidence=_evidence(request)
        )
    return redirect(f"/portal?saved=1#purpose-{purpose}")


def _changes(details: str) -> dict[str, str | None]:
    """``field = new value`` lines of a rectification."""
    changes: dict[str, str | None] = {}
    for line in details.splitlines():
        name, sep, value = line.partition("=")
        if sep and name.strip():
            changes[name.strip()] = value.strip() or None
    return changes


@router.post("/requests")
def new_request(
    request: Request,
    ctx: Ctx,
    csrf: Csrf,
    type: Annotated[str, Form(max_length=16)],
    details: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Record a request; the signed-in session already confirmed the identity (art. 12(6))."""
    session, subject = _signed_in(ctx, request)
    check_csrf(ctx, session, csrf)
    if type not in REQUEST_TYPES:
        raise BadRequestError(f"unknown request type {type!r}")
    kind = RequestType(type)
    changes = _changes(details) if kind is RequestType.RECTIFICATION else None
    if kind is RequestType.RECTIFICATION and not changes:
        raise BadRequestError(words_for(session.lang)["details_help"])
    received = ctx.requests.receive(
        kind,
        subject,
        RequestChannel.PORTAL,
        contact=subject.value if subject.kind is IdentifierKind.EMAIL else None,
        lang=session.lang,
        changes=changes,
    )
    ctx.requests.confirm_identity(received.ref, "signed in to the portal with a one-time code")
    return redirect(f"/portal?sent={received.ref}#req-h")


@router.get("/requests/{ref}", response_class=HTMLResponse)
def show_request(ref: str, request: Request, ctx: Ctx) -> Response:
    session, subject = _signed_in(ctx, request)
    found = _own_request(ctx, subject, ref)
    t = words_for(session.lang)
    return _page(
        ctx,
        "request.html.j2",
        session,
        None,
        title=t["request_title"].format(ref=found.ref),
        r=views.request_view(found, session.lang),
    )


@router.get("/requests/{ref}/package")
def download(ref: str, request: Request, ctx: Ctx) -> Response:
    """The access or portability package of a completed request (arts. 15(3), 20)."""
    _, subject = _signed_in(ctx, request)
    found = _own_request(ctx, subject, ref)
    files = views.package_files(found) if views.has_package(found) else []
    if not files or not Path(files[0]).is_file():
        raise NotFoundError(f"request {ref} has no package to download (yet)")
    return FileResponse(
        files[0],
        media_type="application/zip",
        filename=f"{found.ref}.zip",
        headers={"Cache-Control": "no-store"},
    )


@router.get("/notice", response_class=HTMLResponse)
def notice(request: Request, ctx: Ctx) -> Response:
    session, _ = ensure_session(ctx, request, PORTAL)
    return HTMLResponse(render_notice(ctx.policy, session.lang, "html"))


@router.get("/notice/versions/{version_id}", response_class=HTMLResponse)
def notice_version(version_id: VersionId, request: Request, ctx: Ctx) -> Response:
    session, _ = ensure_session(ctx, request, PORTAL)
    return HTMLResponse(render_notice(policy_version(ctx, version_id), session.lang, "html"))
