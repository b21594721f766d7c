"""Installation-wide claims on e-mail addresses: an address belongs to at most one person, so
signing in needs nothing but the address. The aggregate id is a keyed digest of the address
(the address itself never appears in a subject)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from interlude.identity.domain import events as ev
from interlude.identity.domain.errors import AlreadyExists
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec

GLOBAL_TENANT = "global"


@dataclass(frozen=True)
class EmailClaim:
    tenant_id: str | None = None
    user_id: str | None = None


def evolve(state: EmailClaim, event: Event) -> EmailClaim:
    match event:
        case ev.EmailClaimed():
            return replace(state, tenant_id=event.tenant_id, user_id=event.user_id)
        case ev.EmailReleased():
            return EmailClaim()
    return state


EMAIL = AggregateSpec(name="email", initial=EmailClaim, evolve=evolve, state_type=EmailClaim)


def claim(state: EmailClaim, tenant_id: str, user_id: str) -> list[Event]:
    if state.user_id == user_id and state.tenant_id == tenant_id:
        return []
    if state.user_id is not None:
        raise AlreadyExists("this e-mail address already has an account")
    return [ev.EmailClaimed(tenant_id=tenant_id, user_id=user_id)]


def release(state: EmailClaim, user_id: str) -> list[Event]:
    if state.user_id != user_id:
        return []
    return [ev.EmailReleased(user_id=user_id)]
