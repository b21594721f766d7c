"""Answers of the outbound side's routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from interlude.notify.domain.events import QuietHours, Timing


class PreferencesPublic(BaseModel):
    email: dict[str, Timing] = Field(description="every kind with its e-mail timing")
    quiet_hours: QuietHours | None
    time_zone: str
    digest_hour: int
    fresh: bool = True


class UnsubscribedPublic(BaseModel):
    kind: str | None = Field(description="the kind no longer e-mailed; null: every kind")
    timing: Timing = "never"
    position: int = Field(description="pass as ?after= to read the preferences back")


class WebhookCreatedPublic(BaseModel):
    id: str
    position: int
    secret: str = Field(description="shown once: verify deliveries' signatures with it")


class WebhookRotatedPublic(WebhookCreatedPublic):
    previous_valid_until: datetime = Field(
        description="deliveries are signed with the previous secret too until then")


class WebhookPublic(BaseModel):
    id: str
    url: str
    kinds: list[str]
    created_at: datetime


class WebhooksPublic(BaseModel):
    webhooks: list[WebhookPublic]
    fresh: bool = True


class DeadLetterPublic(BaseModel):
    delivery_id: str
    endpoint_id: str
    notification_id: str
    kind: str
    attempts: int
    replays: int
    last_reason: str | None
    created_at: datetime
    updated_at: datetime


class DeadLettersPublic(BaseModel):
    deliveries: list[DeadLetterPublic]
    next_before: datetime | None = Field(description="pass as ?before= for the next page")
