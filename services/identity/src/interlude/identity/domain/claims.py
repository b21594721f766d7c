"""E-mail addresses (ADR 0005). An address is unique within an organisation: the claim is an
aggregate in the organisation's own tenant. Signing in knows only the address, so an index in
the tenant ``global`` lists every account that has it, at most one per organisation. Both are
keyed by a keyed digest of the address (the address itself never appears in a subject).

Before ADR 0005 the ``global`` subject was an installation-wide claim (``EmailClaimed`` /
``EmailReleased``); the index reads those events as the one account they name, marked
``legacy``: for such an account the index is also its organisation's claim."""

from __future__ import annotations

from dataclasses import dataclass, replace

from interlude.identity.domain import events as ev
from interlude.identity.domain.errors import AlreadyExists
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec

GLOBAL_TENANT = "global"
TAKEN = "someone in your organisation already has this e-mail address"


# -- the claim, in the organisation's tenant ----------------------------------------------------

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


def claim(state: EmailClaim, tenant_id: str, user_id: str,
          legacy_holder: str | None = None) -> list[Event]:
    """``legacy_holder``: who holds the address in this organisation by a claim made before
    ADR 0005 (it lives in the index only)."""
    if state.user_id == user_id and state.tenant_id == tenant_id:
        return []
    if state.user_id is not None or legacy_holder not in (None, user_id):
        raise AlreadyExists(TAKEN)
    return [ev.EmailClaimed(tenant_id=tenant_id, user_id=user_id)]


def release(state: EmailClaim, user_id: str) -> list[Event]:
    if state.user_id != user_id:
        return []
    return [ev.EmailReleased(user_id=user_id)]


# -- the index, in the tenant "global" ------------------------------------------------------------

@dataclass(frozen=True)
class Account:
    tenant_id: str
    user_id: str
    legacy: bool = False  # listed by a pre-ADR-0005 EmailClaimed: also its organisation's claim


@dataclass(frozen=True)
class EmailIndex:
    accounts: tuple[Account, ...] = ()

    def holder_in(self, tenant_id: str, *, legacy_only: bool = False) -> str | None:
        return next((a.user_id for a in self.accounts if a.tenant_id == tenant_id
                     and (a.legacy or not legacy_only)), None)


def _without(state: EmailIndex, tenant_id: str | None, user_id: str) -> EmailIndex:
    return EmailIndex(tuple(a for a in state.accounts if a.user_id != user_id
                            or (tenant_id is not None and a.tenant_id != tenant_id)))


def evolve_index(state: EmailIndex, event: Event) -> EmailIndex:
    match event:
        case ev.EmailAccountListed():  # its organisation's claim says nobody else there has it
            kept = tuple(a for a in state.accounts if a.tenant_id != event.tenant_id)
            return EmailIndex((*kept, Account(event.tenant_id, event.user_id)))
        case ev.EmailAccountUnlisted():
            return _without(state, event.tenant_id, event.user_id)
        case ev.EmailClaimed():  # written before ADR 0005: the address's one account
            return EmailIndex((Account(event.tenant_id, event.user_id, legacy=True),))
        case ev.EmailReleased():
            return _without(state, None, event.user_id)
    return state


# snapshot version 2: a snapshot of the old claim's state (version 1) is not an index
EMAIL_INDEX = AggregateSpec(name="email", initial=EmailIndex, evolve=evolve_index,
                            state_type=EmailIndex, snapshot_version=2)


def list_account(state: EmailIndex, tenant_id: str, user_id: str) -> list[Event]:
    if any(a.tenant_id == tenant_id and a.user_id == user_id for a in state.accounts):
        return []
    return [ev.EmailAccountListed(tenant_id=tenant_id, user_id=user_id)]


def unlist_account(state: EmailIndex, tenant_id: str, user_id: str) -> list[Event]:
    if not any(a.tenant_id == tenant_id and a.user_id == user_id for a in state.accounts):
        return []
    return [ev.EmailAccountUnlisted(tenant_id=tenant_id, user_id=user_id)]
