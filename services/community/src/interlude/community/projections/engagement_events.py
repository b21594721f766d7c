"""engagement's events as community reads them: a published contract of the names and fields
community relies on, declared here because services share events, never code. Unknown fields
are ignored (engagement may add some); a new version of one of these in engagement needs its
step here too, or community's consumers dead-letter what they cannot read."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from interlude.shared.events.published import Published
from interlude.shared.events.registry import EventRegistry

engagement = EventRegistry()


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class Channels(_Part):
    community: bool = False
    community_space: str | None = None


class Terms(_Part):
    channels: Channels = Channels()


class Consents(_Part):
    pin_insights: bool = False
    peer_tagging: bool = False
    share_posts: bool = False
    counted_when_quiet: bool = True


@engagement.event("engagement.ContractActivated")
class ContractActivated(Published):
    coach_id: str
    coachee_id: str
    terms: Terms
    consents: Consents = Consents()


@engagement.event("engagement.ConsentGiven")
class ConsentGiven(Published):
    consent: str


@engagement.event("engagement.ConsentWithdrawn")
class ConsentWithdrawn(Published):
    consent: str


@engagement.event("engagement.ContractEnded")
class ContractEnded(Published):
    pass
