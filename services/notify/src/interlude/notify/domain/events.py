"""notify's events: released contracts, named for good, never edited (a new shape gets a new
version and an upcaster).

The life of one notification (aggregate ``notification``, id = ``notification_id(cause_id,
recipient_id)``, so the same cause never tells the same person twice):

    NotificationQueued  -> one per (cause, recipient): what kind of thing and the references;
                           it is in the recipient's inbox at once (the in-app channel); whether
                           and when it goes by e-mail is decided by the delivery side from the
                           recipient's preferences, quiet hours and the organisation's policy
    NotificationDelivered / NotificationFailed / NotificationCancelled
                        -> per channel, as the delivery side gets on with it
    NotificationRead    -> the recipient opened it in the inbox

A notification holds references and sealed values only: ``excerpt`` and ``topic`` are the
causing content, sealed under the key of the person it belongs to (copied from the cause, so
erasing that person erases it here too). Who did it is ``actor_id``, rendered by name only when
the recipient reads it, and never in a pseudonymous space, where ``actor_pseudonym`` is shown.

Webhooks are an organisation's channel, not a person's: they follow ``NotificationQueued`` for
the organisation's registered endpoints and have events of their own (``Webhook*``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict

from interlude.shared.events.registry import Event, EventRegistry
from interlude.shared.sealing import Secret

registry = EventRegistry()
EVENT = registry.event

PersonalChannel = Literal["in_app", "email"]
Timing = Literal["immediately", "daily", "weekly", "never"]  # e-mail preference per kind
CancelReason = Literal["policy", "erased", "preference", "deactivated"]

# What a person can be told. Stable names: they are in events, preferences and webhooks.
Kind = Literal[
    # engagement
    "coach_replied",           # to the coachee: a message from the coach
    "message_received",        # to the coach: a message from the coachee
    "checkin_acknowledged",    # to the coachee: the coach liked / acknowledged a check-in
    "checkin_questioned",      # to the coachee: the coach asked a question on a check-in
    "checkin_awaits",          # to the coach: a new check-in waits for them
    "reply_overdue",           # to the coach: the contract's reply window has passed
    "allowance_nearly_used",   # to the coachee
    "allowance_renewed",       # to the coachee
    "contract_awaits_signature",
    "contract_amended",
    "consent_withdrawn",       # to the coach
    "session_tomorrow",
    "session_moved",
    "session_cancelled",
    "content_expired",         # to both: the contract's retention ran out, its content erased
    # community (takes over community's in-app notices)
    "post_commented",
    "comment_replied",
    "post_reacted",
    "member_tagged",
    "post_shared",
    "insight_pinned",
    "post_hidden",
    "pseudonym_revealed",      # with the coach's reason, sealed for the member
    "space_invitation",
    "rehearsal_drafted",
    "rehearsal_feedback",
    "quiet_invitation",        # to a member who reads without posting: the coach's invitation
    "stepped_out_to_you",      # to a peer: a member showed them their name (in that space)
    "join_requested",          # to a circle's host: a coach asks to join
    "material_shared",         # to a space's members: its coach shared a material with them
    # identity
    "invitation",
    "policy_changed",          # to org admins
]

COMMUNITY_KINDS = frozenset({
    "post_commented", "comment_replied", "post_reacted", "member_tagged", "post_shared",
    "insight_pinned", "post_hidden", "pseudonym_revealed", "space_invitation",
    "rehearsal_drafted", "rehearsal_feedback", "quiet_invitation", "stepped_out_to_you",
    "join_requested", "material_shared"})
# the organisation's switches of the feature a kind is about: one switched off, the kind is
# told no more and what is held of it is not sent (a timer set before, a cause applied after
# the switch, an e-mail held for quiet hours or a digest): its link would lead to a refusal
FEATURES_OF: Mapping[str, tuple[str, ...]] = MappingProxyType({
    **dict.fromkeys(COMMUNITY_KINDS, ("community.enabled",)),
    "material_shared": ("community.enabled", "materials.enabled"),
    **dict.fromkeys(("coach_replied", "message_received", "reply_overdue",
                     "allowance_nearly_used", "allowance_renewed"), ("messaging.enabled",)),
    **dict.fromkeys(("checkin_acknowledged", "checkin_questioned", "checkin_awaits"),
                    ("checkins.enabled",))})
SWITCHES = frozenset(switch for switches in FEATURES_OF.values() for switch in switches)


def notification_id(cause_id: str, recipient_id: str) -> str:
    """The id of what ``cause_id`` tells ``recipient_id``: the same pair, the same id, so a
    cause replayed or redelivered cannot notify twice (the aggregate exists already)."""
    return hashlib.sha256(f"{cause_id}\x1f{recipient_id}".encode()).hexdigest()[:32]


class QuietHours(BaseModel):
    """A window in which nothing but the in-app inbox is sent (held until it ends), e.g.
    22:00-07:30 in Europe/Paris; it may wrap midnight."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: str  # "22:00"
    end: str    # "07:30"
    time_zone: str = "UTC"


@EVENT("notify.NotificationQueued")
class NotificationQueued(Event):
    recipient_id: str
    kind: Kind
    cause_id: str               # the causing event's id (idempotency: one per cause and person)
    cause_type: str             # e.g. "engagement.MessageSent"
    occurred_at: datetime       # when the cause happened (its time, not ours)
    actor_id: str | None = None           # who did it; rendered by name when read
    actor_pseudonym: str | None = None    # set in a pseudonymous space: the only name shown
    contract_id: str | None = None
    space_id: str | None = None
    item_id: str | None = None            # the post, message, check-in or session concerned
    link: str                             # path in the web front end, e.g. "/contracts/{id}/thread"
    topic: Secret | None = None           # a short title from the cause (subject level)
    excerpt: Secret | None = None         # the causing content (full level, and in-app)
    quiet_hours: QuietHours | None = None  # the contract's, when the cause belongs to one


@EVENT("notify.NotificationDelivered")
class NotificationDelivered(Event):
    channel: PersonalChannel
    recipient_id: str
    batch_id: str | None = None  # the e-mail (a digest or a quiet-hours release) it went in


@EVENT("notify.NotificationFailed")
class NotificationFailed(Event):
    channel: PersonalChannel
    recipient_id: str
    attempt: int
    final: bool            # true: given up (e.g. a 5xx for this recipient)
    reason: str            # e.g. "smtp 550"; never content, never an address


@EVENT("notify.NotificationCancelled")
class NotificationCancelled(Event):
    channel: PersonalChannel
    recipient_id: str
    reason: CancelReason


@EVENT("notify.NotificationRead")
class NotificationRead(Event):
    recipient_id: str


@EVENT("notify.PreferencesChanged")
class PreferencesChanged(Event):
    """aggregate ``preferences``, id = the person's user id: the whole preference set."""

    user_id: str
    email: dict[str, Timing]            # per kind; a kind not named takes its default
    quiet_hours: QuietHours | None = None  # the person's own, on top of the contract's
    time_zone: str = "UTC"
    digest_hour: int = 8                # local hour for daily and weekly digests


@EVENT("notify.NotificationsExpired")
class NotificationsExpired(Event):
    """aggregate ``retention``, id = the organisation's: a round of the retention job removed
    the organisation's notifications older than ``before`` (what went, counted; no content,
    no one named)."""

    before: datetime
    retention_days: int
    inbox: dict[str, int]  # inbox rows removed, by kind
    email: int             # e-mails sent, failed or cancelled, no longer recorded
    webhook: int           # webhook deliveries done with (delivered, dead, cancelled)
    timers: int            # timers fired or cancelled
