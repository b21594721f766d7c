"""An organisation: its name, its security policy (versioned), its single sign-on and its SCIM
tokens. The policy lives in this aggregate so that registering an organisation and its first
policy is one commit: there is never an organisation without a policy."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from interlude.identity.domain import events as ev
from interlude.identity.domain.errors import AlreadyExists, Invalid, NotFound
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.policy import DEFAULT_POLICY, SecurityPolicy
from interlude.shared.sealing import Secret


@dataclass(frozen=True)
class SingleSignOn:
    issuer: str
    client_id: str
    allowed_domains: tuple[str, ...]
    default_roles: tuple[str, ...]


@dataclass(frozen=True)
class Organisation:
    registered: bool = False
    name: str = ""
    allowed_domains: tuple[str, ...] = ()
    policy_version: int = 0
    policy: dict[str, Any] = field(default_factory=dict)
    sso: SingleSignOn | None = None
    scim_tokens: dict[str, str] = field(default_factory=dict)  # token id -> hash

    @property
    def security_policy(self) -> SecurityPolicy:
        return SecurityPolicy.from_wire(self.policy)


def evolve(state: Organisation, event: Event) -> Organisation:
    match event:
        case ev.OrganisationRegistered():
            return replace(state, registered=True, name=event.name,
                           allowed_domains=event.allowed_domains)
        case ev.SecurityPolicyChanged():
            return replace(state, policy_version=event.version, policy=dict(event.policy))
        case ev.SingleSignOnConfigured():
            return replace(state, sso=SingleSignOn(event.issuer, event.client_id,
                                                   event.allowed_domains, event.default_roles))
        case ev.ScimTokenIssued():
            return replace(state, scim_tokens={**state.scim_tokens,
                                               event.token_id: event.token_hash})
        case ev.ScimTokenRevoked():
            return replace(state, scim_tokens={k: v for k, v in state.scim_tokens.items()
                                               if k != event.token_id})
    return state


ORGANISATION = AggregateSpec(name="organisation", initial=Organisation, evolve=evolve,
                             state_type=Organisation)


def must_exist(state: Organisation) -> None:
    if not state.registered:
        raise NotFound("there is no such organisation")


def register(state: Organisation, *, name: str, allowed_domains: tuple[str, ...]) -> list[Event]:
    if state.registered:
        raise AlreadyExists("this organisation is already registered")
    policy = DEFAULT_POLICY.to_wire()
    return [ev.OrganisationRegistered(name=name, allowed_domains=allowed_domains),
            ev.SecurityPolicyChanged(version=1, policy=policy, changed_keys=(),
                                     reason="organisation registered with the default policy")]


def change_policy(state: Organisation, changes: dict[str, Any], reason: str) -> list[Event]:
    """Raises :class:`interlude.shared.policy.PolicyInvalid` naming the first bad key."""
    must_exist(state)
    current = state.security_policy
    updated = current.changed(changes)
    changed = current.differences(updated)
    if not changed:
        return []
    return [ev.SecurityPolicyChanged(version=state.policy_version + 1, policy=updated.to_wire(),
                                     changed_keys=tuple(changed), reason=reason)]


def configure_sso(state: Organisation, *, issuer: str, client_id: str, client_secret: Secret,
                  allowed_domains: tuple[str, ...], default_roles: tuple[str, ...]) -> list[Event]:
    must_exist(state)
    if not allowed_domains:
        raise Invalid("allowed_domains: name at least one e-mail domain whose people may sign in")
    return [ev.SingleSignOnConfigured(issuer=issuer, client_id=client_id,
                                      client_secret=client_secret,
                                      allowed_domains=allowed_domains,
                                      default_roles=default_roles)]


def issue_scim_token(state: Organisation, token_id: str, token_hash: str,
                     label: str) -> list[Event]:
    must_exist(state)
    return [ev.ScimTokenIssued(token_id=token_id, token_hash=token_hash, label=label)]


def revoke_scim_token(state: Organisation, token_id: str) -> list[Event]:
    must_exist(state)
    if token_id not in state.scim_tokens:
        raise NotFound("there is no such SCIM token")
    return [ev.ScimTokenRevoked(token_id=token_id)]
