"""``NotificationQueued`` written straight to its envelope, for the reactions' hot path: what
:class:`~interlude.shared.events.codec.EventCodec` makes of the event (its payload in field
order, ``excerpt`` and ``topic`` sealed under their path and the event's id), without building
the model and walking it (a third of the cost of telling someone). Its unit test holds it to
the codec's output, and decodes it with the codec."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from interlude.notify.domain.events import NotificationQueued, QuietHours
from interlude.shared.events.envelope import Actor, Envelope
from interlude.shared.ids import new_id
from interlude.shared.projections.typed import Sealed
from interlude.shared.sealing import Sealer, Secret

TYPE, VERSION = NotificationQueued.type_name, NotificationQueued.schema_version
SYSTEM = Actor.system("notify")


async def opened(sealer: Sealer, tenant_id: str, value: Secret | None) -> Secret | None:
    """The cause's content (still sealed as the cause holds it) opened, to be sealed again into
    the notification; None when absent or erased."""
    if value is None:
        return None
    if not isinstance(value, Sealed):
        raise TypeError("a notification copies content sealed, as its cause holds it")
    secret = await sealer.open(value.sealed, tenant=tenant_id, event_id=value.event_id,
                               field=value.field)
    return None if secret.is_erased else secret


async def envelope(sealer: Sealer, *, tenant_id: str, notification_id: str,
                   cause_id: str, cause_type: str, occurred_at: datetime,
                   correlation_id: str | None, recipient_id: str, kind: str, link: str,
                   actor_id: str | None = None, actor_pseudonym: str | None = None,
                   contract_id: str | None = None, space_id: str | None = None,
                   item_id: str | None = None, topic: Secret | None = None,
                   excerpt: Secret | None = None,
                   quiet_hours: QuietHours | None = None) -> Envelope:
    """The envelope of the notification ``notification_id`` of a cause, by the system, at the
    cause's time, caused and correlated by it; ``topic`` and ``excerpt`` opened (plaintext
    secrets), sealed here under the new event's id."""
    event_id = new_id()

    async def sealed(value: Secret | None, field: str) -> dict[str, Any] | None:
        if value is None:
            return None
        return await sealer.seal(value, tenant=tenant_id, event_id=event_id, field=field)

    payload = {
        "recipient_id": recipient_id, "kind": kind, "cause_id": cause_id,
        "cause_type": cause_type, "occurred_at": occurred_at.isoformat(),
        "actor_id": actor_id, "actor_pseudonym": actor_pseudonym, "contract_id": contract_id,
        "space_id": space_id, "item_id": item_id, "link": link,
        "topic": await sealed(topic, "topic"), "excerpt": await sealed(excerpt, "excerpt"),
        "quiet_hours": None if quiet_hours is None else {
            "start": quiet_hours.start, "end": quiet_hours.end,
            "time_zone": quiet_hours.time_zone}}
    return Envelope(event_id=event_id, type=TYPE, schema_version=VERSION, tenant_id=tenant_id,
                    aggregate_id=notification_id, occurred_at=occurred_at, actor=SYSTEM,
                    correlation_id=correlation_id or new_id(), causation_id=cause_id,
                    policy_version=None, payload=payload)
