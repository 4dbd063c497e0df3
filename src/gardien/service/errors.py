"""Every error the service returns, as one JSON shape with a stable code.

``{"error": {"code": "unknown_reference", "message": "unknown purpose 'marketting'; did you
mean 'marketing'?", "details": ...}}``. Every :class:`~gardien.errors.GardienError` keeps its own
``code``; HTTP errors (404, 405) and invalid input (422) get theirs here; anything else is a bug
and becomes ``internal_error`` with no stack trace in the body (it goes to the operator's log).
Pages of the portal and the console get the same code and message in a small HTML page.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from html import escape

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from gardien.errors import ConfigurationError, GardienError, UnknownReferenceError
from gardien.service.auth import AuthenticationError, ForbiddenError

log = logging.getLogger("gardien.service")

JsonDetails = list[dict[str, object]] | dict[str, object] | None


class NotFoundError(GardienError):
    """The thing named in the URL does not exist, or is not this caller's to see."""

    code = "not_found"


class ConflictError(GardienError):
    """The operation does not fit the current state (e.g. running a refused request)."""

    code = "conflict"


class BadRequestError(GardienError):
    """The request is well-formed but cannot be carried out as asked."""

    code = "bad_request"


class CsrfError(GardienError):
    """A form posted without this session's CSRF token: refused."""

    code = "csrf_failed"


_STATUS: dict[type[GardienError], int] = {
    AuthenticationError: 401,
    ForbiddenError: 403,
    CsrfError: 403,
    NotFoundError: 404,
    ConflictError: 409,
    UnknownReferenceError: 422,
    BadRequestError: 400,
    ConfigurationError: 503,
}

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
}


def status_of(exc: GardienError) -> int:
    """The HTTP status of a Gardien error: the nearest class in :data:`_STATUS`, else by name.

    Packages that the service does not know by name follow a naming convention: ``...NotFound``
    is 404, ``TooMany...`` is 429, ``...Conflict``/``...State`` is 409; anything else is a 400
    (a problem the caller can fix).
    """
    for cls in type(exc).__mro__:
        if cls in _STATUS:
            return _STATUS[cls]
        name = cls.__name__
        if "NotFound" in name or name.startswith("Unknown"):
            return 404 if cls is not UnknownReferenceError else 422
        if name.startswith("TooMany"):
            return 429
        if "Conflict" in name or "State" in name or "Transition" in name:
            return 409
        if cls is GardienError:
            break
    return 400


def error_body(code: str, message: str, details: JsonDetails = None) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "details": details}}


def _is_page(request: Request) -> bool:
    path = request.url.path
    return path.startswith(("/portal", "/console")) and "text/html" in request.headers.get(
        "accept", ""
    )


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: JsonDetails = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    if _is_page(request):
        page = (
            f'<!doctype html><html lang="fr"><head><meta charset="utf-8">'
            f"<title>{status} — Gardien</title></head><body><main>"
            f"<h1>{status}</h1><p>{escape(message)}</p><p><code>{escape(code)}</code></p>"
            f'<p><a href="/portal">Retour / Back</a></p></main></body></html>'
        )
        return HTMLResponse(page, status_code=status, headers=headers)
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


async def _gardien_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, GardienError)
    status = status_of(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    details: JsonDetails = None
    if isinstance(exc, UnknownReferenceError):
        details = {"kind": exc.kind, "value": exc.value, "suggestion": exc.suggestion}
    return error_response(request, status, exc.code, exc.message, details, headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(request, exc.status_code, code, message, None, exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details: list[dict[str, object]] = [
        {
            "field": ".".join(str(p) for p in error.get("loc", ())),
            "message": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors()
    ]
    summary = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
    return error_response(request, 422, "invalid_request", f"invalid request: {summary}", details)


async def _server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        request, 500, "internal_error", "an internal error occurred; the operator has the details"
    )


def install_error_handlers(app: FastAPI) -> None:
    """Make every error leave the service in the shape described in the module docstring."""
    app.add_exception_handler(GardienError, _gardien_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _server_error)
