"""community's events as notify reads them: a published contract of the names and fields notify
relies on, declared here because services share events, never code. Unknown fields are ignored
(community may add some); a new version of one of these in community needs its step here too,
or notify's consumers dead-letter what they cannot read."""

from __future__ import annotations

from typing import Literal

from interlude.shared.events.published import Published
from interlude.shared.events.registry import EventRegistry
from interlude.shared.sealing import Secret

community = EventRegistry()


@community.event("community.SpaceCreated")
class SpaceCreated(Published):
    coach_id: str
    name: str
    pseudonymous: bool


@community.event("community.MemberInvited")
class MemberInvited(Published):
    user_id: str
    invited_by: str
    contract_id: str | None = None


@community.event("community.MemberJoined")
class MemberJoined(Published):
    user_id: str
    pseudonym: str | None = None


@community.event("community.MemberLeft")
class MemberLeft(Published):
    user_id: str


@community.event("community.PseudonymRevealed")
class PseudonymRevealed(Published):
    user_id: str
    revealed_by: str
    reason: Secret


@community.event("community.PostPublished")
class PostPublished(Published):
    space_id: str
    author_id: str


@community.event("community.CommentAdded")
class CommentAdded(Published):
    space_id: str
    comment_id: str
    author_id: str
    post_author_id: str
    parent_id: str | None = None
    body: Secret


@community.event("community.ReactionAdded")
class ReactionAdded(Published):
    space_id: str
    user_id: str
    reaction: str


@community.event("community.MemberTagged")
class MemberTagged(Published):
    space_id: str
    tagged_id: str
    tagged_by: str


@community.event("community.PostShared")
class PostShared(Published):
    space_id: str
    shared_by: str
    post_author_id: str


@community.event("community.InsightPinned")
class InsightPinned(Published):
    space_id: str
    author_id: str
    coach_id: str
    note: Secret | None = None


@community.event("community.PostHidden")
class PostHidden(Published):
    space_id: str
    author_id: str
    by: Literal["coach", "reports"]
    hidden_by: str | None = None


@community.event("community.QuietMemberInvited")
class QuietMemberInvited(Published):
    user_id: str
    invited_by: str


@community.event("community.MemberSteppedOut")
class MemberSteppedOut(Published):
    user_id: str
    peer_id: str | None = None


@community.event("community.JoinRequested")
class JoinRequested(Published):
    user_id: str


@community.event("community.CohortMaterialShared")
class CohortMaterialShared(Published):
    space_id: str
    coach_id: str
    title: Secret
    members: list[str]


@community.event("community.RehearsalDrafted")
class RehearsalDrafted(Published):
    space_id: str
    author_id: str
    coach_id: str


@community.event("community.RehearsalFeedbackGiven")
class RehearsalFeedbackGiven(Published):
    space_id: str
    author_id: str
    coach_id: str
    body: Secret
