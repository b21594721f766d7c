"""An organisation's webhook endpoint (aggregate ``webhook``): where to post, which kinds, and
its signing secrets. Rotation keeps the previous secret valid for a grace period, and
deliveries are signed with every valid secret (Standard Webhooks allows several signatures),
so a receiver that has not switched yet loses nothing."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from interlude.notify.domain import webhook_events as wev
from interlude.notify.domain.preferences import KINDS
from interlude.shared.errors import Invalid, InvalidState, NotFound
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.sealing import Secret

MAX_URL = 2000


@dataclass(frozen=True)
class Endpoint:
    exists: bool = False
    removed: bool = False
    url: str = ""
    kinds: tuple[str, ...] = ()


def evolve(state: Endpoint, event: Event) -> Endpoint:
    if isinstance(event, wev.WebhookEndpointRegistered | wev.WebhookEndpointChanged):
        return Endpoint(True, False, event.url, tuple(event.kinds))
    if isinstance(event, wev.WebhookEndpointRemoved):
        return Endpoint(True, True, state.url, state.kinds)
    return state


WEBHOOK = AggregateSpec(name="webhook", initial=Endpoint, evolve=evolve, state_type=Endpoint)


def public_host(host: str) -> bool:
    """False for a host that names this machine or a private network outright: a literal
    loopback, private, link-local or reserved address, or ``localhost``. (Names that resolve to
    such an address are refused when a delivery is sent.)"""
    if host.lower().rstrip(".") == "localhost" or host.lower().endswith(".localhost"):
        return False
    try:
        return public_address(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return True  # a name: checked against what it resolves to at send time


NAT64 = ipaddress.ip_network("64:ff9b::/96")  # the well-known prefix: an IPv4 address inside


def public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A globally reachable address, looking through the IPv6 forms that carry an IPv4 one
    (mapped, 6to4, Teredo, NAT64), which would otherwise pass as public while reaching
    loopback or a private network."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = (address.ipv4_mapped or address.sixtofour
                 or (address.teredo[1] if address.teredo else None)
                 or (ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
                     if address in NAT64 else None))
        if inner is not None:
            return inner.is_global and address.is_global
    return address.is_global


def check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname or len(url) > MAX_URL:
        raise Invalid("a webhook URL is an http(s) address with a host, at most 2000 characters",
                      field="url")
    if parts.username or parts.password:
        raise Invalid("a webhook URL carries no credentials: deliveries are signed instead",
                      field="url")
    return url


def check_kinds(kinds: Sequence[str]) -> tuple[str, ...]:
    unknown = sorted(set(kinds) - set(KINDS))
    if unknown:
        raise Invalid(f"no kind of notification is called {unknown[0]!r}", field="kinds")
    if not kinds:
        raise Invalid("subscribe the endpoint to at least one kind", field="kinds")
    return tuple(sorted(set(kinds)))


def require(state: Endpoint) -> Endpoint:
    if not state.exists or state.removed:
        raise NotFound("no such webhook endpoint in your organisation")
    return state


def register(state: Endpoint, endpoint_id: str, url: str, kinds: Sequence[str],
             secret: Secret) -> list[Event]:
    if state.exists:
        return []  # the same request again (its Idempotency-Key names the same endpoint)
    return [wev.WebhookEndpointRegistered(endpoint_id=endpoint_id, url=check_url(url),
                                          kinds=check_kinds(kinds), secret=secret)]


def change(state: Endpoint, endpoint_id: str, url: str | None,
           kinds: Sequence[str] | None) -> list[Event]:
    require(state)
    new_url = state.url if url is None else check_url(url)
    new_kinds = state.kinds if kinds is None else check_kinds(kinds)
    if (new_url, new_kinds) == (state.url, state.kinds):
        return []
    return [wev.WebhookEndpointChanged(endpoint_id=endpoint_id, url=new_url, kinds=new_kinds)]


def rotate(state: Endpoint, endpoint_id: str, secret: Secret,
           previous_valid_until: datetime) -> list[Event]:
    require(state)
    return [wev.WebhookSecretRotated(endpoint_id=endpoint_id, secret=secret,
                                     previous_valid_until=previous_valid_until)]


def remove(state: Endpoint, endpoint_id: str) -> list[Event]:
    if state.removed:
        return []
    require(state)
    return [wev.WebhookEndpointRemoved(endpoint_id=endpoint_id)]


def replayable(status: str) -> None:
    if status != "dead":
        raise InvalidState("only a delivery on the dead-letter list can be replayed")
