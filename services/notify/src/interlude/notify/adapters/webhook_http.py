"""Posting one signed webhook delivery (``httpx``), and its fake. Signed in the Standard
Webhooks format with every secret still valid, space-separated, so a receiver holding either
the old or the new secret during a rotation verifies it."""

from __future__ import annotations

import asyncio
import ipaddress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit

import httpx
from standardwebhooks.webhooks import Webhook


class Poster(Protocol):
    async def post(self, url: str, body: str, headers: dict[str, str]) -> int: ...


def signed_headers(message_id: str, timestamp: datetime, body: str,
                   secrets: list[str]) -> dict[str, str]:
    signatures = " ".join(Webhook(secret).sign(message_id, timestamp, body) for secret in secrets)
    return {"webhook-id": message_id, "webhook-timestamp": str(int(timestamp.timestamp())),
            "webhook-signature": signatures, "content-type": "application/json"}


class RefusedAddress(httpx.HTTPError):
    """The endpoint's name resolves to loopback, a private network or a reserved address: no
    request is made (it would let a webhook reach the cluster's own services)."""


async def check_public(url: str) -> None:
    parts = urlsplit(url)
    host, port = parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80)
    found = await asyncio.get_running_loop().getaddrinfo(host, port)
    for *_, sockaddr in found:
        if not ipaddress.ip_address(str(sockaddr[0]).split("%")[0]).is_global:
            raise RefusedAddress(f"{host} resolves to an address that is not public")


@dataclass
class HttpPoster:
    client: httpx.AsyncClient
    private_addresses: bool = False  # allow loopback and private networks (tests, a lab)

    async def post(self, url: str, body: str, headers: dict[str, str]) -> int:
        """The answer's status; a connection failure or timeout raises ``httpx.HTTPError``
        (:class:`RefusedAddress` for an endpoint that resolves to a non-public address)."""
        if not self.private_addresses:
            await check_public(url)
        response = await self.client.post(url, content=body.encode(), headers=headers)
        return response.status_code


@dataclass
class MemoryPoster:
    """The fake: records posts and answers ``statuses`` in turn (then 200)."""

    posts: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    async def post(self, url: str, body: str, headers: dict[str, str]) -> int:
        self.posts.append((url, body, headers))
        return self.statuses.pop(0) if self.statuses else 200
