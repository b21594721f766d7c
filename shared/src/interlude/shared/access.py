"""Access events: who read confidential content, or was refused, published to ``ACCESS``.

Domain events record changes; reads leave no trace there. Services call :class:`AccessRecorder`
when someone reads check-ins, messages, posts or goals, or is denied by a policy block, and the
audit service chains these records like any other event. No content is ever part of one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from nats.js import JetStreamContext

from interlude.shared.events.envelope import Actor, Envelope
from interlude.shared.eventstore.base import encode_commit
from interlude.shared.eventstore.streams import StreamSpec
from interlude.shared.ids import new_id
from interlude.shared.telemetry import inject_headers

Outcome = Literal["allowed", "denied"]
READ = "access.ContentRead"
DENIED = "access.AccessDenied"


@dataclass(frozen=True, slots=True)
class Access:
    """One access: ``action`` is what was attempted (``read``, ``list``, ``export``, a command
    name), ``resource_type``/``resource_id`` what it touched, ``data_subject`` whose data
    (``data_subjects`` when it is several people's, as in a page of a feed)."""

    tenant_id: str
    actor: Actor
    action: str
    resource_type: str
    resource_id: str
    outcome: Outcome = "allowed"
    data_subject: str | None = None
    data_subjects: tuple[str, ...] = ()  # for a read of several people's content (a feed page)
    reason: str | None = None  # for a denial: the block's name, e.g. "messaging.enabled"
    policy_version: int | None = None
    request_id: str = ""
    source_address: str | None = None


    def subjects(self) -> list[str]:
        """Everyone whose data it was: ``data_subject`` and ``data_subjects`` together."""
        found = set(self.data_subjects)
        if self.data_subject:
            found.add(self.data_subject)
        return sorted(found)


class AccessRecorder:
    """Publishes access events for one service into the ACCESS stream."""

    def __init__(self, js: JetStreamContext, stream: StreamSpec, service: str) -> None:
        self._js = js
        self._stream = stream
        self._service = service

    def envelope(self, access: Access, now: datetime | None = None) -> Envelope:
        return Envelope(
            event_id=new_id(), type=READ if access.outcome == "allowed" else DENIED,
            schema_version=1, tenant_id=access.tenant_id, aggregate_id=access.resource_id,
            occurred_at=now or datetime.now(UTC), actor=access.actor,
            correlation_id=access.request_id or new_id(), causation_id=None,
            policy_version=access.policy_version, source_address=access.source_address,
            payload={"service": self._service, "action": access.action,
                     "resource_type": access.resource_type, "resource_id": access.resource_id,
                     "data_subject": access.data_subject,
                     "data_subjects": access.subjects(),
                     "outcome": access.outcome, "reason": access.reason})

    async def record(self, access: Access) -> int:
        """Publish and wait for the ack; returns the ACCESS stream position."""
        envelope = self.envelope(access)
        subject = self._stream.subject(access.tenant_id, self._service, envelope.event_id)
        headers = inject_headers({"Nats-Msg-Id": envelope.event_id})
        ack = await self._js.publish(subject, encode_commit([envelope]), headers=headers)
        return int(ack.seq)
