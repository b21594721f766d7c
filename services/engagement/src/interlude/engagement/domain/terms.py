"""A contract's terms: how coach and coachee agreed to work between sessions. The same models
validate a request body and travel in the events, so what was signed is exactly what is
enforced. Their booleans and whole numbers are strict (interlude.shared.kit.body): a request's
``"messaging": 0`` is refused, and the events, written by these models, hold nothing else."""

from __future__ import annotations

from datetime import datetime, time
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

Mode = Literal["in_person", "phone", "video"]
SponsorView = Literal["none", "attendance", "goals"]
Consent = Literal["pin_insights", "peer_tagging", "share_posts", "counted_when_quiet"]
CONSENTS: tuple[Consent, ...] = ("pin_insights", "peer_tagging", "share_posts",
                                 "counted_when_quiet")


class _Terms(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class SessionPlan(_Terms):
    count: StrictInt = Field(ge=1, le=100, description="sessions agreed, e.g. 6")
    over_months: StrictInt = Field(ge=1, le=36, description="over how many months, e.g. 6")
    mode: Mode = "video"
    minutes: StrictInt = Field(default=60, ge=15, le=480)


class Channels(_Terms):
    checkins: StrictBool = True
    messaging: StrictBool = True
    community: StrictBool = False
    community_space: str | None = Field(default=None, max_length=64,
                                        description="the community space agreed, if any")

    @model_validator(mode="after")
    def _space_needs_community(self) -> Channels:
        if self.community_space and not self.community:
            raise ValueError("community_space is set but community participation is not agreed")
        return self


class Allowance(_Terms):
    kind: Literal["monthly", "per_message"] = "monthly"
    replies_per_month: StrictInt | None = Field(default=8, ge=0, le=1000)
    reply_window_hours: StrictInt = Field(default=48, ge=1, le=720)

    @model_validator(mode="after")
    def _monthly_needs_a_limit(self) -> Allowance:
        if self.kind == "monthly" and self.replies_per_month is None:
            raise ValueError("a monthly allowance needs replies_per_month")
        return self


class QuietHours(_Terms):
    start: time
    end: time
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as "
                             "Europe/London)") from None
        return value


    def contains(self, moment: datetime) -> bool:
        """Whether ``moment`` falls in the quiet hours (which may span midnight)."""
        local = moment.astimezone(ZoneInfo(self.timezone)).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


class Consents(_Terms):
    pin_insights: StrictBool = False
    peer_tagging: StrictBool = False
    share_posts: StrictBool = False
    # the coach may see that the coachee reads the cohort without posting (never what they
    # read), to invite them gently; on unless the coachee switches it off
    counted_when_quiet: StrictBool = True

    def given(self) -> tuple[Consent, ...]:
        return tuple(c for c in CONSENTS if getattr(self, c))

    def with_(self, consent: Consent, value: bool) -> Consents:
        return self.model_copy(update={consent: value})


class OutsideUse(_Terms):
    """One platform outside Interlude the coach and coachee agreed to use, and for what."""

    platform: str = Field(min_length=1, max_length=60, description='e.g. "LinkedIn", "phone"')
    use: str = Field(default="", max_length=200,
                     description='what it is for, e.g. "sharing articles, never coaching"')
    response_hours: StrictInt | None = Field(default=None, ge=1, le=720,
                                       description="how soon either answers there, if agreed")


class OutsidePlatforms(_Terms):
    """What coach and coachee agree about social media and other platforms outside Interlude.
    ``sessions_in_outside_calendars`` and ``cohort_posts_stay_inside`` are enforced by the
    product (the private calendar feed leaves the contract's sessions out; notify carries no
    cohort content about the coachee off Interlude: no e-mail or webhook excerpt); the rest is
    agreed, recorded with the signatures and shown to both."""

    connect_on_social_media: StrictBool = Field(
        default=False, description="whether coach and coachee connect on social media")
    uses: tuple[OutsideUse, ...] = Field(default=(), max_length=10)
    note: str = Field(default="", max_length=2000, description="anything else agreed, in words")
    sessions_in_outside_calendars: StrictBool = Field(
        default=True, description="enforced: false leaves this contract's sessions out of the "
        "private calendar feed (no session in an outside calendar)")
    cohort_posts_stay_inside: StrictBool = Field(
        default=True, description="enforced: no e-mail or webhook carries content of the "
        "coachee's cohort, whatever the organisation's notify.email_content allows")


class Terms(_Terms):
    programme: str = Field(default="General", min_length=1, max_length=80,
                           description="the programme the sponsor's figures group by")
    sessions: SessionPlan
    channels: Channels = Channels()
    allowance: Allowance = Allowance()
    quiet_hours: QuietHours | None = None
    sponsor_view: SponsorView = "none"
    consents: Consents = Consents()
    retention_days: StrictInt = Field(default=365, ge=0, le=3650,
                                description="how long content is kept after the contract ends")
    outside_platforms: OutsidePlatforms = OutsidePlatforms()
