"""The banner's two routes: ``GET /banner.js`` and ``POST /banner/consent``.

Mount them anywhere (``app.include_router(banner_router(...))``, with or without a prefix): the
script finds the consent route next to its own address. Both routes are public by design, as
the websites that paste the script cannot hold a secret; a choice names only a random browser
id, and the server checks it against the policy before it reaches the ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from gardien.errors import GardienError
from gardien.policy.model import Policy
from gardien.service.banner.choice import (
    BannerChoiceError,
    BannerChoiceRequest,
    ConsentSink,
    StaleBannerError,
    checked_choice,
    record,
)
from gardien.service.banner.config import BannerConfig, build_banner_config
from gardien.service.banner.script import ServedScript, render_script
from gardien.service.errors import error_body

PolicyProvider = Callable[[], Policy]
"""Returns the policy in force; called per request, so a reloaded policy is served at once."""

MAX_BODY = 8 * 1024
# The script posts from the organisation's own pages, another origin than Gardien's; it sends no
# credentials, so a wildcard origin exposes nothing.
_CORS = {"Access-Control-Allow-Origin": "*", "Vary": "Origin"}


@dataclass(frozen=True)
class _Built:
    policy: Policy
    config: BannerConfig
    script: ServedScript


class _Banners:
    """The last policy's banner, rebuilt only when the provider returns another policy."""

    def __init__(self, provider: PolicyProvider, notice_url: str | None) -> None:
        self._provider = provider
        self._notice_url = notice_url
        self._last: _Built | None = None

    def current(self) -> _Built:
        policy = self._provider()
        last = self._last
        if last is None or last.policy is not policy:
            config = build_banner_config(policy, self._notice_url)
            last = _Built(policy, config, render_script(config))
            self._last = last
        return last


def _etag_matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def _error(status: int, exc: GardienError) -> JSONResponse:
    return JSONResponse(error_body(exc.code, exc.message), status_code=status, headers=_CORS)


_REQUEST_SCHEMA = BannerChoiceRequest.model_json_schema(ref_template="#/components/schemas/{model}")


def banner_router(
    policy_provider: PolicyProvider,
    consent_sink: ConsentSink,
    *,
    notice_url: str | None = None,
    max_age: int = 300,
) -> APIRouter:
    """The routes of the cookie banner for the policy ``policy_provider`` returns.

    ``consent_sink`` records each choice (the ledger, channel ``cookie_banner``);
    ``notice_url`` is where the banner links to the notice (default: ``notice`` beside the
    script); ``max_age`` is how long browsers may reuse the script before revalidating it
    with its ETag (short, so that a policy change reaches every page quickly).
    """
    banners = _Banners(policy_provider, notice_url)
    router = APIRouter(tags=["cookie banner"])

    @router.get(
        "/banner.js",
        summary="The cookie banner script, configured from the policy",
        response_class=Response,
        responses={200: {"content": {"text/javascript": {}}}, 304: {"description": "Unchanged"}},
    )
    def banner_script(request: Request) -> Response:
        served = banners.current().script
        headers = {
            "ETag": served.etag,
            "Cache-Control": f"public, max-age={max_age}",
            "Vary": "Accept-Encoding",
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "cross-origin",
        }
        if _etag_matches(request.headers.get("if-none-match"), served.etag):
            return Response(status_code=304, headers=headers)
        body = served.body
        if "gzip" in request.headers.get("accept-encoding", ""):
            body = served.gzipped
            headers["Content-Encoding"] = "gzip"
        return Response(body, media_type="text/javascript; charset=utf-8", headers=headers)

    @router.options("/banner/consent", include_in_schema=False)
    def banner_consent_preflight() -> Response:
        return Response(
            status_code=204,
            headers={
                **_CORS,
                "Access-Control-Allow-Methods": "POST",
                "Access-Control-Allow-Headers": "Content-Type",
                "Access-Control-Max-Age": "86400",
            },
        )

    @router.post(
        "/banner/consent",
        summary="Record a choice made on the cookie banner (refusals too)",
        status_code=201,
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": _REQUEST_SCHEMA},
                    "text/plain": {"schema": _REQUEST_SCHEMA},
                },
            }
        },
    )
    async def banner_consent(request: Request) -> JSONResponse:
        # text/plain keeps the script's POST a "simple" cross-origin request (no preflight).
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return _error(413, BannerChoiceError(f"a choice is at most {MAX_BODY} bytes"))
        try:
            body = BannerChoiceRequest.model_validate_json(raw)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}"
                for e in exc.errors()[:5]
            )
            return _error(422, BannerChoiceError(f"invalid banner choice: {problems}"))
        built = banners.current()
        try:
            choice = checked_choice(
                built.config,
                body,
                gpc_header=request.headers.get("sec-gpc", "").strip() == "1",
                user_agent=request.headers.get("user-agent"),
                origin=request.headers.get("origin"),
            )
        except StaleBannerError as exc:
            return _error(409, exc)
        except BannerChoiceError as exc:
            return _error(422, exc)
        receipt_id = await run_in_threadpool(record, consent_sink, choice)
        return JSONResponse(
            {
                "receipt_id": receipt_id,
                "choices": {c.value: granted for c, granted in choice.choices.items()},
                "gpc": choice.evidence.get("gpc", False),
                "policy_version": choice.policy_version,
            },
            status_code=201,
            headers=_CORS,
        )

    return router
