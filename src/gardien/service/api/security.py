"""The dependency that guards every API route: a valid key holding the route's scope."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from gardien.service.auth import ApiKey, ForbiddenError, Scope
from gardien.service.context import ServiceContext, context

bearer = HTTPBearer(auto_error=False, description="An API key: `gdn_<id>_<secret>`")


class Requires:
    """``Depends(Requires(Scope.DECISIONS))``: 401 without a valid key, 403 without the scope.

    The authorization tests find the scope of every route through this class, so a route
    without one is noticed.
    """

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    async def __call__(
        self,
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> ApiKey:
        token = credentials.credentials if credentials is not None else None
        ctx: ServiceContext = request.app.state.gardien
        key = ctx.verifier.verify(token)
        if not key.allows(self.scope):
            raise ForbiddenError(self.scope)
        request.state.api_key = key
        return key

    def __repr__(self) -> str:
        return f"Requires({self.scope.value!r})"


Context = Annotated[ServiceContext, Depends(context)]
