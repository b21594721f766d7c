"""Events of the webhook channel, an organisation's (not a person's): endpoints registered,
changed, re-keyed and removed (aggregate ``webhook``, id = the endpoint's), and what became of
each delivery (aggregate ``webhook_delivery``, id = the delivery's: one per endpoint and
notification). Registered on notify's one registry. A secret is sealed; a delivery event holds
ids, a status and a reason, never content or an address."""

from __future__ import annotations

from datetime import datetime

from interlude.notify.domain.events import EVENT
from interlude.shared.events.registry import Event
from interlude.shared.sealing import Secret


@EVENT("notify.WebhookEndpointRegistered")
class WebhookEndpointRegistered(Event):
    endpoint_id: str
    url: str
    kinds: tuple[str, ...]
    secret: Secret  # "whsec_..." sealed under the endpoint's own key (subject = endpoint id)


@EVENT("notify.WebhookEndpointChanged")
class WebhookEndpointChanged(Event):
    endpoint_id: str
    url: str
    kinds: tuple[str, ...]


@EVENT("notify.WebhookSecretRotated")
class WebhookSecretRotated(Event):
    endpoint_id: str
    secret: Secret
    previous_valid_until: datetime  # deliveries are signed with both until then


@EVENT("notify.WebhookEndpointRemoved")
class WebhookEndpointRemoved(Event):
    endpoint_id: str


@EVENT("notify.WebhookDelivered")
class WebhookDelivered(Event):
    endpoint_id: str
    notification_id: str
    attempt: int
    status_code: int


@EVENT("notify.WebhookDeliveryFailed")
class WebhookDeliveryFailed(Event):
    endpoint_id: str
    notification_id: str
    attempt: int
    reason: str         # "http 500", "timeout"; never the answer's body
    dead: bool          # given up: on the dead-letter list until replayed


@EVENT("notify.WebhookDeliveryReplayed")
class WebhookDeliveryReplayed(Event):
    endpoint_id: str
    notification_id: str
