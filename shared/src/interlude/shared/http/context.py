"""Per-request facts every handler may need: the request id and where the request came from."""

from __future__ import annotations

import re
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interlude.shared.ids import new_id

request_id_var: ContextVar[str] = ContextVar("request_id", default="")
source_address_var: ContextVar[str | None] = ContextVar("source_address", default=None)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


class RequestContext:
    """Takes ``X-Request-Id`` when it is sane (else makes one), echoes it in the response, and
    records the client's address for access events."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = given if _SAFE_ID.match(given) else new_id()
        client = scope.get("client")
        token_id = request_id_var.set(request_id)
        token_src = source_address_var.set(client[0] if client else None)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"x-request-id", request_id.encode()))
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token_id)
            source_address_var.reset(token_src)
