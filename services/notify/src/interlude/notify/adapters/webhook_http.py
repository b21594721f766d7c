"""Posting one signed webhook delivery (``httpx``), and its fake. Signed in the Standard
Webhooks format with every secret still valid, space-separated, so a receiver holding either
the old or the new secret during a rotation verifies it."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import urllib.request
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import httpx
from standardwebhooks.webhooks import Webhook

from interlude.notify.domain.webhooks import public_address


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


Resolve = Callable[[str, int], Awaitable[list[str]]]


async def resolve(host: str, port: int) -> list[str]:
    """The addresses a name resolves to, as the system's resolver answers (a literal address
    answers itself)."""
    found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(sockaddr[0]).split("%")[0] for *_, sockaddr in found]


@dataclass
class HttpPoster:
    """Posts to the address the endpoint's name resolved to when it was checked, not to the
    name: resolving it again to connect would let a name that answers a public address to
    the check and this machine's to the connection (DNS rebinding) reach the cluster's own
    services. The request still names the host (``Host``, and TLS's server name, against
    which the certificate is verified). Through a proxy the environment names, the proxy
    connects by name (a proxy is given a name or an address, not both): the check stands,
    the pinning is the proxy's."""

    client: httpx.AsyncClient
    private_addresses: bool = False  # allow loopback and private networks (tests, a lab)
    resolver: Resolve = resolve

    async def post(self, url: str, body: str, headers: dict[str, str]) -> int:
        """The answer's status; a connection failure or timeout raises ``httpx.HTTPError``
        (:class:`RefusedAddress` for an endpoint that resolves to a non-public address)."""
        target = httpx.URL(url)
        host = target.raw_host.decode()  # a name in its ASCII (IDNA) form, or an address
        try:
            found = await self.resolver(host, target.port or (443 if target.scheme == "https"
                                                                else 80))
        except OSError as err:
            raise httpx.ConnectError(f"{host} does not resolve: {err}") from err
        addresses = [ipaddress.ip_address(a) for a in found]
        if not addresses:
            raise httpx.ConnectError(f"{host} does not resolve")
        if not self.private_addresses and not all(public_address(a) for a in addresses):
            raise RefusedAddress(f"{host} resolves to an address that is not public")
        if self.client.trust_env and proxied(target.scheme, host):
            response = await self.client.post(url, content=body.encode(), headers=headers)
            return response.status_code  # the proxy connects, by name (it cannot be given both)
        pinned = target.copy_with(host=str(addresses[0]))
        response = await self.client.post(
            pinned, content=body.encode(), headers={**headers, "host": target.netloc.decode()},
            extensions={"sni_hostname": host} if target.scheme == "https" else {})
        return response.status_code


def proxied(scheme: str, host: str) -> bool:
    """Whether the environment sends requests to this host through a proxy (``HTTPS_PROXY``,
    ``ALL_PROXY``, not ``NO_PROXY``), as httpx reads it."""
    proxies = urllib.request.getproxies_environment()
    return bool(proxies.get(scheme) or proxies.get("all")) and not (
        urllib.request.proxy_bypass(host))  # NO_PROXY, on Linux


@dataclass
class MemoryPoster:
    """The fake: records posts and answers ``statuses`` in turn (then 200)."""

    posts: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    async def post(self, url: str, body: str, headers: dict[str, str]) -> int:
        self.posts.append((url, body, headers))
        return self.statuses.pop(0) if self.statuses else 200
