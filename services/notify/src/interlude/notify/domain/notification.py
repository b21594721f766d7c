"""One notification (aggregate ``notification``, id = ``notification_id(cause, recipient)``):
queued once, read by its recipient once. The delivery side's events (delivered, failed,
cancelled) are part of its history too; what they change is the delivery side's business, so
this state keeps only what the inbox decides on."""

from __future__ import annotations

from dataclasses import dataclass

from interlude.notify.domain import events as ev
from interlude.shared.errors import NotFound
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec


@dataclass(frozen=True)
class Notification:
    recipient_id: str | None = None  # None: never queued
    kind: str | None = None
    read: bool = False


def evolve(state: Notification, event: Event) -> Notification:
    if isinstance(event, ev.NotificationQueued):
        return Notification(recipient_id=event.recipient_id, kind=event.kind)
    if isinstance(event, ev.NotificationRead):
        return Notification(recipient_id=state.recipient_id, kind=state.kind, read=True)
    return state


NOTIFICATION = AggregateSpec(name="notification", initial=Notification, evolve=evolve,
                             state_type=Notification)


def read(state: Notification, reader_id: str) -> list[Event]:
    """The recipient opened it; anyone else finds nothing there (404, as for a stranger)."""
    if state.recipient_id is None or state.recipient_id != reader_id:
        raise NotFound("there is no such notification")
    if state.read:
        return []
    return [ev.NotificationRead(recipient_id=reader_id)]
