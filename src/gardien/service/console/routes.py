"""The console's pages and forms (``/console``), for the DPO.

Signing in takes an API key holding the ``admin`` scope (``gardien keys create --scope admin``);
the session keeps only the key's id and re-checks on every page that the key is still valid,
so revoking the key ends every console session at once. Every action is a form with a CSRF
token, and each one is the request workflow's own (so the audit trail records it).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from gardien.documents.notice import render_notice
from gardien.documents.register import render_register
from gardien.errors import GardienError
from gardien.requests.erasure import report, report_html
from gardien.requests.execution import run
from gardien.requests.model import RefusalReason, RequestStatus, RequestType
from gardien.service.api.audit import verify_trail
from gardien.service.api.requests import package_path
from gardien.service.auth import AuthenticationError, Scope
from gardien.service.console import chart
from gardien.service.context import ServiceContext, context
from gardien.service.errors import NotFoundError, status_of
from gardien.service.pages import (
    SignInRequiredError,
    check_csrf,
    ensure_session,
    redirect,
    render_page,
    sign_out,
)
from gardien.service.portal.views import day
from gardien.service.sessions import Session, SessionKind
from gardien.service.words import words_for

router = APIRouter(prefix="/console", include_in_schema=False)
Ctx = Annotated[ServiceContext, Depends(context)]
Csrf = Annotated[str, Form(max_length=100)]
CONSOLE = SessionKind.CONSOLE
REF = r"^[A-Za-z0-9-]{1,32}$"


def _admin(ctx: ServiceContext, request: Request) -> Session:
    """The signed-in DPO's session, its key still valid and still ``admin``."""
    session, _ = ensure_session(ctx, request, CONSOLE)
    key = ctx.verifier.active(session.api_key_id) if session.api_key_id else None
    if key is None or not key.allows(Scope.ADMIN):
        raise SignInRequiredError("/console")
    return session


@router.get("", response_class=HTMLResponse)
def home(request: Request, ctx: Ctx) -> Response:
    session, cookie = ensure_session(ctx, request, CONSOLE)
    key = ctx.verifier.active(session.api_key_id) if session.api_key_id else None
    if key is None or not key.allows(Scope.ADMIN):
        return render_page(ctx, "signin.html.j2", session, cookie)
    t = words_for(session.lang)
    include_closed = request.query_params.get("closed") == "1"
    now = ctx.requests.clock()
    shown = ctx.requests.list_requests(include_closed=include_closed)
    everything = ctx.requests.list_requests(include_closed=True)
    data = chart.months(everything, now)
    return render_page(
        ctx,
        "home.html.j2",
        session,
        cookie,
        include_closed=include_closed,
        rows=[
            {
                "ref": r.ref,
                "type": r.type.label(session.lang),
                "status": r.status.label(session.lang),
                "channel": r.channel.value,
                "received": day(r.received_at, session.lang),
                "due": day(r.due_at, session.lang),
                "overdue": r.is_overdue(now),
            }
            for r in shown
        ],
        months=data,
        chart_svg=chart.svg(
            data, t["chart_title"], t["chart_days"], "d" if session.lang == "en" else "j"
        ),
    )


@router.post("/signin", response_class=HTMLResponse)
def signin(
    request: Request, ctx: Ctx, csrf: Csrf, api_key: Annotated[str, Form(max_length=200)]
) -> Response:
    session, cookie = ensure_session(ctx, request, CONSOLE)
    check_csrf(ctx, session, csrf)
    try:
        key = ctx.verifier.verify(api_key.strip())
    except AuthenticationError:
        key = None
    if key is None or not key.allows(Scope.ADMIN):
        t = words_for(session.lang)
        return render_page(
            ctx, "signin.html.j2", session, cookie, problem=t["key_refused"], status_code=403
        )
    _, value = ctx.sessions.start(CONSOLE, session.lang, api_key_id=key.id, replacing=session)
    return redirect("/console", cookie=(ctx, CONSOLE, value))


@router.post("/signout")
def signout(request: Request, ctx: Ctx, csrf: Csrf) -> Response:
    return sign_out(ctx, request, csrf, CONSOLE)


@router.get("/requests/{ref}", response_class=HTMLResponse)
def show_request(ref: str, request: Request, ctx: Ctx) -> Response:
    return _request_page(ctx, request, ref)


def _request_page(
    ctx: ServiceContext,
    request: Request,
    ref: str,
    *,
    problem: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    session = _admin(ctx, request)
    found = ctx.requests.get(ref)
    t = words_for(session.lang)
    flash = t["done"] if request.query_params.get("done") and problem is None else None
    return render_page(
        ctx,
        "request.html.j2",
        session,
        None,
        status_code=status_code,
        title=t["request_title"].format(ref=found.ref),
        flash=flash,
        problem=problem,
        r=found,
        type_label=found.type.label(session.lang),
        status_label=found.status.label(session.lang),
        received=day(found.received_at, session.lang),
        due=day(found.due_at, session.lang),
        overdue=found.is_overdue(ctx.requests.clock()),
        refusal_reasons=[r.value for r in RefusalReason],
        can_verify=found.status in (RequestStatus.RECEIVED, RequestStatus.IDENTITY_PENDING),
        can_run=found.status.runnable,
        can_complete=found.status
        in (RequestStatus.PARTIAL, RequestStatus.FAILED, RequestStatus.RUNNING),
        is_open=not found.status.closed,
        has_package=package_path(found) is not None,
        has_report=found.type is RequestType.ERASURE and bool(ctx.requests.steps(found.ref)),
    )


@router.get("/requests/{ref}/package")
def package(ref: str, request: Request, ctx: Ctx) -> Response:
    """The access or portability package, for the DPO to hand over (signed-in session)."""
    _admin(ctx, request)
    found = ctx.requests.get(ref)
    path = package_path(found)
    if path is None:
        raise NotFoundError(f"request {found.ref} has no package (not run, or not access)")
    return FileResponse(path, media_type="application/zip", filename=f"{found.ref}.zip")


@router.get("/requests/{ref}/erasure-report", response_class=HTMLResponse)
def erasure_report(ref: str, request: Request, ctx: Ctx) -> Response:
    """The erasure report in the person's language, rendered from the recorded steps."""
    _admin(ctx, request)
    found, data = report(ctx.requests, ref)  # no such report: 404 (ReportNotFoundError)
    return HTMLResponse(report_html(ctx.requests, found, data))


def _act(ctx: ServiceContext, request: Request, ref: str, csrf: str, action: object) -> Response:
    """Run one workflow action; its error is shown on the request's page, not as a crash.

    The page is rendered in the answer (not through a redirect carrying the message in its
    URL, which anyone could forge into a link).
    """
    session = _admin(ctx, request)
    check_csrf(ctx, session, csrf)
    ctx.requests.get(ref)  # 404 for an unknown ref, before anything else
    try:
        assert callable(action)
        action()
    except GardienError as exc:
        return _request_page(ctx, request, ref, problem=exc.message, status_code=status_of(exc))
    return redirect(f"/console/requests/{ref}?done=1")


@router.post("/requests/{ref}/verify")
def verify(
    ref: str,
    request: Request,
    ctx: Ctx,
    csrf: Csrf,
    how: Annotated[str, Form(min_length=1, max_length=200)],
) -> Response:
    return _act(ctx, request, ref, csrf, lambda: ctx.requests.confirm_identity(ref, how))


@router.post("/requests/{ref}/extend")
def extend(
    ref: str,
    request: Request,
    ctx: Ctx,
    csrf: Csrf,
    reason: Annotated[str, Form(min_length=1, max_length=2000)],
    months: Annotated[int, Form(ge=1, le=2)] = 2,
) -> Response:
    return _act(ctx, request, ref, csrf, lambda: ctx.requests.extend(ref, reason, months))


@router.post("/requests/{ref}/run")
def run_request(
    ref: str,
    request: Request,
    ctx: Ctx,
    csrf: Csrf,
    dry_run: Annotated[bool, Form()] = False,
) -> Response:
    return _act(ctx, request, ref, csrf, lambda: run(ctx.requests, ref, dry_run=dry_run))


@router.post("/requests/{ref}/complete")
def complete(
    ref: str,
    request: Request,
    ctx: Ctx,
    csrf: Csrf,
    note: Annotated[str, Form(min_length=1, max_length=2000)],
) -> Response:
    return _act(ctx, request, ref, csrf, lambda: ctx.requests.complete(ref, note))


@router.post("/requests/{ref}/refuse")
def refuse(
    ref: str,
    request: Request,
    ctx: Ctx,
    csrf: Csrf,
    reason: Annotated[RefusalReason, Form()],
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return _act(ctx, request, ref, csrf, lambda: ctx.requests.refuse(ref, reason, note))


@router.get("/register", response_class=HTMLResponse)
def register(request: Request, ctx: Ctx) -> Response:
    session = _admin(ctx, request)
    return HTMLResponse(render_register(ctx.policy, "html", session.lang))


@router.get("/notice", response_class=HTMLResponse)
def notice(request: Request, ctx: Ctx) -> Response:
    session = _admin(ctx, request)
    return HTMLResponse(render_notice(ctx.policy, session.lang, "html"))


@router.get("/audit", response_class=HTMLResponse)
def audit(request: Request, ctx: Ctx) -> Response:
    session = _admin(ctx, request)
    report = verify_trail(ctx)
    t = words_for(session.lang)
    return render_page(ctx, "audit.html.j2", session, None, title=t["audit"], report=report)
