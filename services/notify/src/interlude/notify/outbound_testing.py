"""What tests of the outbound side share (notify's own and the journeys): a webhook receiver as
an organisation would run one, a real HTTP server that verifies every delivery's Standard
Webhooks signature with the secret it holds, answers what the test tells it to (500s, then
200) and keeps what it got; and the text of an e-mail as a leak scan reads it."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from fastapi import FastAPI, Request, Response
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from interlude.shared.testing.inprocess import served


@dataclass
class Receiver:
    url: str = ""
    secret: str = ""  # the one the organisation's system holds
    answers: list[int] = field(default_factory=list)  # then 200
    accepted: list[dict[str, Any]] = field(default_factory=list)  # verified and answered 2xx
    refused: int = 0  # failed verification
    calls: list[tuple[str, int]] = field(default_factory=list)  # (webhook-id, status answered)

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            body = (await request.body()).decode()
            try:
                Webhook(self.secret).verify(body, dict(request.headers))
            except WebhookVerificationError:
                self.refused += 1
                return Response(status_code=401)
            status = self.answers.pop(0) if self.answers else 200
            self.calls.append((request.headers["webhook-id"], status))
            if status < 300:
                self.accepted.append({**json.loads(body), "id": request.headers["webhook-id"]})
            return Response(status_code=status)

        return app


@contextlib.asynccontextmanager
async def receiving() -> AsyncIterator[Receiver]:
    """A receiver on a free port of this process, at ``receiver.url``."""
    r = Receiver()
    async with served(r.app()) as url:
        r.url = url + "/hook"
        yield r


def everything(message: EmailMessage) -> str:
    """Every header and text part of a message, decoded: what a leak scan reads."""
    text = [f"{k}: {v}" for k, v in message.items()]
    text += [part.get_content() for part in message.walk()
             if part.get_content_maintype() == "text"]
    return "\n".join(text)
