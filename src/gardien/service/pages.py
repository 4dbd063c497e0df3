"""What the portal and the console share: templates, words, sessions in cookies, CSRF.

Pages are server-rendered HTML (Jinja2, autoescaped), in French by default and in English, and
work without JavaScript: every action is a plain form posting a CSRF token bound to the
server-side session (a form posted from another site cannot carry it).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from gardien.errors import GardienError
from gardien.service.context import ServiceContext
from gardien.service.errors import CsrfError
from gardien.service.sessions import Session, SessionKind
from gardien.service.words import WORDS, words_for

LANGS = ("fr", "en")


class SignInRequiredError(GardienError):
    """A page or form that needs a signed-in session: answered by a redirect to sign in."""

    code = "sign_in_required"

    def __init__(self, where: str) -> None:
        super().__init__("sign in first")
        self.where = where


async def _to_sign_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignInRequiredError)
    return RedirectResponse(exc.where, status_code=303)


def install_page_handlers(app: FastAPI) -> None:
    app.add_exception_handler(SignInRequiredError, _to_sign_in)


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("gardien.service", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def cookie_name(kind: SessionKind) -> str:
    return f"gardien_{kind.value}"


def wanted_lang(request: Request, session: Session | None, default: str) -> str:
    """``?lang=`` first, then the session's, then the browser's, then the default (French)."""
    asked = request.query_params.get("lang")
    if asked in LANGS:
        return asked
    if session is not None:
        return session.lang
    accept = request.headers.get("accept-language", "")[:2].lower()
    return accept if accept in LANGS else default


def current_session(ctx: ServiceContext, request: Request, kind: SessionKind) -> Session | None:
    return ctx.sessions.find(kind, request.cookies.get(cookie_name(kind)))


def ensure_session(
    ctx: ServiceContext, request: Request, kind: SessionKind
) -> tuple[Session, str | None]:
    """The browser's session, or a new anonymous one (its cookie value is then returned)."""
    session = current_session(ctx, request, kind)
    lang = wanted_lang(request, session, ctx.options.default_lang)
    if session is None:
        return ctx.sessions.start(kind, lang)
    if session.lang != lang:
        ctx.sessions.set_lang(session, lang)
        session = Session(
            session.id,
            session.kind,
            session.subject,
            session.api_key_id,
            session.csrf_token,
            lang,
            session.expires_at,
        )
    return session, None


def set_cookie(ctx: ServiceContext, response: Response, kind: SessionKind, value: str) -> None:
    response.set_cookie(
        cookie_name(kind),
        value,
        max_age=int(ctx.options.session_lifetime.total_seconds()),
        path=f"/{kind.value}",
        httponly=True,
        samesite="lax",
        secure=ctx.options.secure_cookies,
    )


def clear_cookie(response: Response, kind: SessionKind) -> None:
    response.delete_cookie(cookie_name(kind), path=f"/{kind.value}")


def check_csrf(ctx: ServiceContext, session: Session, token: str | None) -> None:
    if not ctx.sessions.check_csrf(session, token):
        raise CsrfError("this form has expired or did not come from this site; reload the page")


def render(
    template: str,
    session: Session,
    *,
    status_code: int = 200,
    cookie: tuple[ServiceContext, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    """A page in the session's language, with its CSRF token and the words of that language."""
    page = (
        environment()
        .get_template(template)
        .render(
            lang=session.lang,
            t=words_for(session.lang),
            csrf=session.csrf_token,
            session=session,
            **values,
        )
    )
    response = HTMLResponse(page, status_code=status_code)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = (
        "default-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'"
    )
    if cookie is not None:
        set_cookie(cookie[0], response, session.kind, cookie[1])
    return response


def render_page(
    ctx: ServiceContext,
    template: str,
    session: Session,
    cookie: str | None,
    *,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    """A page of the session's area (``portal/`` or ``console/`` templates under ``/portal`` or
    ``/console``), with the organisation's name; a new session's ``cookie`` is set with it."""
    area = session.kind.value
    t = words_for(session.lang)
    return render(
        f"{area}/{template}",
        session,
        cookie=(ctx, cookie) if cookie else None,
        status_code=status_code,
        org=ctx.policy.controller.name,
        area=t[area],
        base=f"/{area}",
        title=str(values.pop("title", t[area])),
        flash=values.pop("flash", None),
        problem=values.pop("problem", None),
        **values,
    )


def sign_out(ctx: ServiceContext, request: Request, csrf: str, kind: SessionKind) -> Response:
    """End the session of ``kind`` (CSRF-checked) and clear its cookie."""
    session, _ = ensure_session(ctx, request, kind)
    check_csrf(ctx, session, csrf)
    ctx.sessions.end(session)
    response = redirect(f"/{kind.value}")
    clear_cookie(response, kind)
    return response


def redirect(
    url: str, *, cookie: tuple[ServiceContext, SessionKind, str] | None = None
) -> Response:
    response = RedirectResponse(url, status_code=303)
    if cookie is not None:
        set_cookie(cookie[0], response, cookie[1], cookie[2])
    return response


__all__ = ["WORDS", "CsrfError", "check_csrf", "ensure_session", "redirect", "render"]
