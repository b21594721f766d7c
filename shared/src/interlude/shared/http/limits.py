"""A cap on request bodies, enforced while reading, so a huge body is refused with a problem
before it is buffered (a Content-Length can lie or be absent)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interlude.shared.http.problems import Problem, problem_response


class BodyTooLarge(HTTPException):
    """An HTTP exception, so that FastAPI's body parsing passes it on instead of turning it
    into a vague 400, and the problem handlers answer 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit:,} bytes")


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int = 1_000_000) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        # a body declared too large is refused when the route first reads it, not before the
        # route runs: a route that answers its errors in a shape of its own (SCIM's) does so
        too_large = declared is not None and declared.isdigit() and int(declared) > self.max_bytes
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            if too_large:
                raise BodyTooLarge(self.max_bytes)
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        problem = Problem(413, "too-large",
                          f"the request body is larger than {self.max_bytes:,} bytes")
        await problem_response(None, problem)(scope, receive, send)
