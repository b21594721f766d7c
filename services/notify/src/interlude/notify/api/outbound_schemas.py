"""Request bodies of the outbound side: preferences and webhook endpoints."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictInt

from interlude.notify.domain.events import Kind, QuietHours, Timing
from interlude.shared.kit import RequestBody
from interlude.shared.text import SingleLine

Url = Annotated[str, SingleLine(2000)]


class QuietHoursBody(RequestBody):
    start: Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["22:00"])]
    end: Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", examples=["07:30"])]
    time_zone: Annotated[str, SingleLine(64)] = "UTC"

    def to_domain(self) -> QuietHours:
        return QuietHours(start=self.start, end=self.end, time_zone=self.time_zone)


class PreferencesUpdate(RequestBody):
    email: dict[Kind, Timing] = Field(
        default_factory=dict, description="per kind: immediately, daily, weekly or never; a "
                                          "kind not named takes its default")
    quiet_hours: QuietHoursBody | None = Field(
        None, description="your own quiet hours: e-mail waits until they end")
    time_zone: Annotated[str, SingleLine(64)] = Field("UTC", description="an IANA time zone")
    digest_hour: StrictInt = Field(8, ge=0, le=23,
                                   description="local hour of daily and weekly digests")


class WebhookCreate(RequestBody):
    url: Url = Field(description="where deliveries are posted (http or https)")
    kinds: list[Kind] = Field(min_length=1, max_length=64)


class WebhookUpdate(RequestBody):
    url: Url | None = None
    kinds: list[Kind] | None = Field(None, min_length=1, max_length=64)
