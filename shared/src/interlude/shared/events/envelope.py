"""The envelope of DESIGN.md: what every stored event carries besides its payload.

Envelopes are plain frozen dataclasses (not pydantic models) because every replay decodes
hundreds of thousands of them; :meth:`Envelope.to_wire` and :meth:`Envelope.from_wire` are the
only place their JSON shape is defined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

ActorKind = Literal["user", "service", "system"]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who caused an event: a user with their roles, a service, or the system itself."""

    id: str
    roles: tuple[str, ...] = ()
    kind: ActorKind = "user"

    @classmethod
    def system(cls, name: str = "system") -> Actor:
        return cls(id=name, kind="system")

    def to_wire(self) -> dict[str, Any]:
        return {"id": self.id, "roles": list(self.roles), "kind": self.kind}

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Actor:
        return cls(id=data["id"], roles=tuple(data.get("roles", ())), kind=data.get("kind", "user"))


@dataclass(frozen=True, slots=True)
class CommandContext:
    """Everything about a command that is not the command itself; the app layer builds it from
    the request and the token, and every event the command produces inherits it."""

    tenant_id: str
    actor: Actor
    now: datetime
    correlation_id: str
    causation_id: str | None = None
    policy_version: int | None = None
    source_address: str | None = None


@dataclass(frozen=True, slots=True)
class Envelope:
    """One event as stored: metadata plus its wire payload (sealed fields stay sealed here)."""

    event_id: str
    type: str
    schema_version: int
    tenant_id: str
    aggregate_id: str
    occurred_at: datetime
    actor: Actor
    correlation_id: str
    causation_id: str | None
    policy_version: int | None
    payload: dict[str, Any] = field(default_factory=dict)
    source_address: str | None = None

    def to_wire(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "type": self.type,
            "schema_version": self.schema_version,
            "tenant_id": self.tenant_id,
            "aggregate_id": self.aggregate_id,
            "occurred_at": self.occurred_at.isoformat(),
            "actor": self.actor.to_wire(),
            "correlation_id": self.correlation_id,
            "causation_id": self.causation_id,
            "policy_version": self.policy_version,
            "source_address": self.source_address,
            "payload": self.payload,
        }

    @classmethod
    def from_wire(cls, data: dict[str, Any]) -> Envelope:
        return cls(
            event_id=data["event_id"],
            type=data["type"],
            schema_version=int(data["schema_version"]),
            tenant_id=data["tenant_id"],
            aggregate_id=data["aggregate_id"],
            occurred_at=datetime.fromisoformat(data["occurred_at"]),
            actor=Actor.from_wire(data["actor"]),
            correlation_id=data["correlation_id"],
            causation_id=data.get("causation_id"),
            policy_version=data.get("policy_version"),
            source_address=data.get("source_address"),
            payload=data.get("payload") or {},
        )
