"""``X-Gardien-Worker``: which worker process answered, for operators and the multi-process tests.

With ``gardien serve --workers N`` every worker has its own cache of person states, kept
current by the ledger's change feed (issue 9); when a decision looks wrong, the first question
is which process gave it. A plain ASGI wrapper: one header, no per-request allocation beyond it.
"""

from __future__ import annotations

import os
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-gardien-worker"


class WorkerHeader:
    """Adds ``X-Gardien-Worker: <pid>`` to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        value = str(os.getpid()).encode()

        async def with_header(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: list[Any] = list(message.get("headers", []))
                headers.append((HEADER, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_header)
