"""What the outbound side's commands, reads and senders work with (set on the API as
``app.state.outbound``, built in ``interlude.notify.outbound``): the kit's :class:`ServiceApp`
plus the preferences and webhook aggregates and the knobs of the channels."""

from __future__ import annotations

from dataclasses import dataclass

from interlude.notify.domain.preferences import Preferences
from interlude.notify.domain.webhooks import Endpoint
from interlude.notify.settings import NotifySettings
from interlude.shared.events.codec import EventCodec
from interlude.shared.eventstore.base import EventStore
from interlude.shared.eventstore.repository import Repository
from interlude.shared.eventstore.streams import StreamSpec
from interlude.shared.kit import ServiceApp

VIEWS = "notify-outbound"  # the consumer of its read models (preferences, webhooks, outbox)


@dataclass(kw_only=True)
class Outbound(ServiceApp):
    preferences: Repository[Preferences]
    webhooks: Repository[Endpoint]
    store: EventStore
    codec: EventCodec
    stream: StreamSpec
    settings: NotifySettings
    unsubscribe_secret: bytes
