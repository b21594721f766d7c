"""Who is calling: the verified claims of an access token, as the application sees them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from interlude.shared.events.envelope import Actor

PrincipalKind = Literal["user", "service"]
DEFAULT_ISSUER = "urn:interlude:identity"
AUDIENCE = "interlude"
SERVICE_ROLE = "service"
SERVICE_TENANT = "*"  # a service token is not bound to one organisation
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def from_timestamp_ms(seconds: float) -> datetime:
    """A UTC datetime from epoch seconds, exact to the millisecond (``iat`` is sent with
    millisecond precision and a float's binary rounding must not move it)."""
    return _EPOCH + timedelta(milliseconds=round(seconds * 1000))


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller of a request, from a verified access token.

    ``user_id`` is the token's ``sub``: a user id, or ``service:<name>`` for a service;
    ``tenant_id`` is ``*`` for services. ``policy_version`` is the organisation's security
    policy version the token was issued under (None for service tokens).
    """

    user_id: str
    tenant_id: str
    roles: frozenset[str]
    policy_version: int | None
    kind: PrincipalKind
    token_id: str
    issued_at: datetime
    expires_at: datetime
    amr: tuple[str, ...] = ()

    @property
    def actor(self) -> Actor:
        """The actor recorded on the events and access records this principal causes."""
        return Actor(id=self.user_id, roles=tuple(sorted(self.roles)), kind=self.kind)

    @property
    def is_service(self) -> bool:
        return self.kind == "service"

    def has(self, *roles: str) -> bool:
        """True when the principal holds any of ``roles``."""
        return not self.roles.isdisjoint(roles)
