"""community's events: released contracts, named for good, never edited (a new shape gets a new
version and an upcaster).

Content (posts, comments, notes, report reasons, a reveal's reason) is sealed with the key of
the person it belongs to: erasing them makes it unreadable in every copy. Events carry user ids
(they are internal: audit and the other services need them); what a peer sees is decided by
the read side, which shows a pseudonymous member only by pseudonym.

Engagement's dashboard reads ``PostPublished``, ``CommentAdded``, ``InsightPinned`` and
``InsightUnpinned`` by name and ``author_id``: keep those names and that field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from interlude.shared.events.registry import Event, EventRegistry
from interlude.shared.sealing import Secret

registry = EventRegistry()
EVENT = registry.event
SpaceKind = Literal["cohort", "peer_circle"]
PostKind = Literal["reflection", "small_win", "experiment", "question"]
Reaction = Literal["like", "support", "insightful", "celebrate"]
REACTIONS: tuple[Reaction, ...] = ("like", "support", "insightful", "celebrate")
LeaveReason = Literal["left", "removed", "contract_ended"]


# -- a space (aggregate id = space id): who is in it, under which name -------------------------

@EVENT("community.SpaceCreated")
class SpaceCreated(Event):
    coach_id: str
    coach_handle: str
    kind: SpaceKind
    name: str  # the shared challenge, e.g. "Saying no without burning bridges"
    description: str
    pseudonymous: bool
    # a coaches' peer circle: what it is about, by which coaches find it and ask to join
    methodology: str = ""
    challenges: list[str] = Field(default_factory=list)
    context: str = ""
    findable: bool = False


@EVENT("community.MemberInvited")
class MemberInvited(Event):
    user_id: str
    invited_by: str
    contract_id: str | None  # the contract that agreed community participation (a cohort)


@EVENT("community.MemberJoined")
class MemberJoined(Event):
    user_id: str
    handle: str  # the member's handle in this space (never the user id): how peers name them
    pseudonym: str | None  # in a pseudonymous space; stable, unique in the space


@EVENT("community.MemberLeft")
class MemberLeft(Event):
    user_id: str
    handle: str
    reason: LeaveReason = "left"


@EVENT("community.PseudonymRevealed")
class PseudonymRevealed(Event):
    """The space's coach learnt who is behind a pseudonym; the member is told."""

    user_id: str
    handle: str
    pseudonym: str
    revealed_by: str
    reason: Secret  # sealed for the member


@EVENT("community.JoinRequested")
class JoinRequested(Event):
    """A coach found a peer circle and asks to join; its members admit or decline."""

    user_id: str
    handle: str  # the handle they will have in the circle
    note: Secret | None  # sealed for the coach who asks
    # the coach's own organisation, when it is not the circle's (ADR 0015)
    home_tenant: str | None = None


@EVENT("community.JoinRequestDeclined")
class JoinRequestDeclined(Event):
    user_id: str
    handle: str
    declined_by: str


@EVENT("community.MemberSteppedOut")
class MemberSteppedOut(Event):
    """A member of a pseudonymous space shows their name, by their own act alone: to one peer
    (``peer_id``), or to the whole space (``peer_id`` None). Only in this space."""

    user_id: str
    handle: str
    peer_id: str | None
    peer_handle: str | None


@EVENT("community.MemberSteppedBack")
class MemberSteppedBack(Event):
    """The member is shown by pseudonym again to everyone (what was seen was seen)."""

    user_id: str
    handle: str


@EVENT("community.QuietMemberInvited")
class QuietMemberInvited(Event):
    """The coach gently invites a member who reads the cohort without posting to join in;
    notify tells the member (never the peers)."""

    user_id: str
    handle: str
    invited_by: str


@EVENT("community.SlowModeSet")
class SlowModeSet(Event):
    seconds: int  # 0: off


# -- a post (aggregate id = post id), with its comments, gestures and moderation ---------------

@EVENT("community.PostPublished")
class PostPublished(Event):
    space_id: str
    author_id: str
    handle: str
    kind: PostKind
    body: Secret
    rehearsal_id: str | None = None


@EVENT("community.PostEdited")
class PostEdited(Event):
    space_id: str
    author_id: str
    body: Secret


@EVENT("community.PostWithdrawn")
class PostWithdrawn(Event):
    space_id: str
    author_id: str


@EVENT("community.CommentAdded")
class CommentAdded(Event):
    space_id: str
    comment_id: str
    author_id: str
    handle: str
    post_author_id: str
    parent_id: str | None  # a reply to this comment (one level only)
    body: Secret


@EVENT("community.CommentWithdrawn")
class CommentWithdrawn(Event):
    space_id: str
    comment_id: str
    author_id: str


@EVENT("community.ReactionAdded")
class ReactionAdded(Event):
    space_id: str
    user_id: str
    reaction: Reaction


@EVENT("community.ReactionRemoved")
class ReactionRemoved(Event):
    space_id: str
    user_id: str
    reaction: Reaction


@EVENT("community.MemberTagged")
class MemberTagged(Event):
    space_id: str
    tagged_id: str
    tagged_by: str


@EVENT("community.PostShared")
class PostShared(Event):
    """A member brings someone's post to the space's attention again (it rises in the feed)."""

    space_id: str
    shared_by: str
    post_author_id: str


@EVENT("community.InsightPinned")
class InsightPinned(Event):
    space_id: str
    author_id: str
    coach_id: str
    note: Secret | None  # the coach's note, sealed for the author: part of their record


@EVENT("community.InsightUnpinned")
class InsightUnpinned(Event):
    space_id: str
    author_id: str
    reason: Literal["coach", "consent_withdrawn", "post_withdrawn"]


@EVENT("community.PostReported")
class PostReported(Event):
    space_id: str
    reporter_id: str
    reason: Secret  # sealed for the reporter


@EVENT("community.PostHidden")
class PostHidden(Event):
    space_id: str
    author_id: str
    by: Literal["coach", "reports"]
    hidden_by: str | None  # the coach, or None when the reports hid it


@EVENT("community.PostRestored")
class PostRestored(Event):
    space_id: str
    author_id: str
    restored_by: str


# -- a rehearsal (aggregate id = rehearsal id): a draft only its author and coach see ----------

@EVENT("community.RehearsalDrafted")
class RehearsalDrafted(Event):
    space_id: str
    author_id: str
    coach_id: str
    kind: PostKind
    body: Secret


@EVENT("community.RehearsalRevised")
class RehearsalRevised(Event):
    space_id: str
    author_id: str
    body: Secret


@EVENT("community.RehearsalFeedbackGiven")
class RehearsalFeedbackGiven(Event):
    space_id: str
    author_id: str
    coach_id: str
    body: Secret  # sealed for the author: it is about their draft


@EVENT("community.RehearsalPublished")
class RehearsalPublished(Event):
    space_id: str
    author_id: str
    post_id: str


@EVENT("community.RehearsalDropped")
class RehearsalDropped(Event):
    space_id: str
    author_id: str


# -- how far a member has read a space's feed (aggregate id = "<space id>_<handle>") -----------

@EVENT("community.FeedRead")
class FeedRead(Event):
    space_id: str
    user_id: str
    up_to: datetime


# -- a member's pace in a slow-mode space (aggregate id = "<space id>_<handle>") ----------------

@EVENT("community.PostPaced")
class PostPaced(Event):
    """A member posted while slow mode was on: the time the next post is counted from. Kept on
    an aggregate of its own so that two posts sent at once meet at its expected sequence."""

    space_id: str
    user_id: str
    post_id: str
    at: datetime


# -- a material shared with a space (aggregate id = material id) --------------------------------

MaterialKind = Literal["reading", "exercise", "worksheet", "link"]


@EVENT("community.CohortMaterialShared")
class CohortMaterialShared(Event):
    """The space's coach shares a reading, an exercise, a worksheet or a link with its members,
    with a note on why now. Sealed for the coach: it is theirs. ``members``: who was in the
    space then (notify tells them); whoever joins later sees it too."""

    space_id: str
    coach_id: str
    kind: MaterialKind
    title: Secret
    url: Secret | None  # stored and shown, never fetched
    note: Secret | None
    members: list[str]


@EVENT("community.CohortMaterialOpened")
class CohortMaterialOpened(Event):
    space_id: str
    user_id: str


@EVENT("community.CohortMaterialDone")
class CohortMaterialDone(Event):
    space_id: str
    user_id: str
