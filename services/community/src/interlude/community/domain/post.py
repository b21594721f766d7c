"""A post in a space, with its comments (one level of replies), reactions, tags, shares, the
coach's insight pin and its moderation. The space (its state passed in) says who may act; the
consents of the person concerned are looked up by the caller and passed in as facts."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from interlude.community.domain import events as ev
from interlude.community.domain.errors import (
    ConsentMissing,
    Invalid,
    InvalidState,
    NotAllowed,
    NotFound,
)
from interlude.community.domain.space import Space, require_coach, require_member
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.sealing import Secret

MAX_BODY = 5000
MAX_COMMENTS = 500


@dataclass(frozen=True)
class Comment:
    author_id: str
    parent_id: str | None
    withdrawn: bool = False


@dataclass(frozen=True)
class Post:
    exists: bool = False
    space_id: str = ""
    author_id: str = ""
    withdrawn: bool = False
    hidden: bool = False
    pinned: bool = False
    reports: frozenset[str] = frozenset()  # who reported it since the coach last decided
    reactions: frozenset[tuple[str, str]] = frozenset()  # (user, reaction)
    tagged: frozenset[str] = frozenset()
    shared_by: frozenset[str] = frozenset()
    comments: dict[str, Comment] = field(default_factory=dict)


def evolve(state: Post, event: Event) -> Post:
    match event:
        case ev.PostPublished():
            return Post(exists=True, space_id=event.space_id, author_id=event.author_id)
        case ev.PostWithdrawn():
            return replace(state, withdrawn=True)
        case ev.CommentAdded():
            comment = Comment(event.author_id, event.parent_id)
            return replace(state, comments={**state.comments, event.comment_id: comment})
        case ev.CommentWithdrawn():
            old = state.comments[event.comment_id]
            return replace(state, comments={**state.comments,
                                            event.comment_id: replace(old, withdrawn=True)})
        case ev.ReactionAdded():
            return replace(state, reactions=state.reactions | {(event.user_id, event.reaction)})
        case ev.ReactionRemoved():
            return replace(state, reactions=state.reactions - {(event.user_id, event.reaction)})
        case ev.MemberTagged():
            return replace(state, tagged=state.tagged | {event.tagged_id})
        case ev.PostShared():
            return replace(state, shared_by=state.shared_by | {event.shared_by})
        case ev.InsightPinned():
            return replace(state, pinned=True)
        case ev.InsightUnpinned():
            return replace(state, pinned=False)
        case ev.PostReported():
            return replace(state, reports=state.reports | {event.reporter_id})
        case ev.PostHidden():
            return replace(state, hidden=True,
                           reports=frozenset() if event.by == "coach" else state.reports)
        case ev.PostRestored():
            return replace(state, hidden=False, reports=frozenset())
    return state


POST = AggregateSpec(name="post", initial=Post, evolve=evolve, state_type=Post)


def body_of(text: str, author_id: str, what: str = "a post") -> Secret:
    if not text.strip():
        raise Invalid(f"{what} needs some text", field="body")
    if len(text) > MAX_BODY:
        raise Invalid(f"{what} is at most {MAX_BODY} characters", field="body")
    return Secret(text, author_id)


def visible(post: Post, space: Space, user_id: str) -> Post:
    """The post as ``user_id`` may act on it: withdrawn posts are gone for everyone, hidden
    ones for everyone but their author and the coach."""
    require_member(space, user_id)
    if not post.exists or post.withdrawn or (
            post.hidden and user_id not in (post.author_id, space.coach_id)):
        raise NotFound("there is no such post")
    return post


def publish(space: Space, space_id: str, user_id: str, kind: ev.PostKind, body: str,
            rehearsal_id: str | None = None) -> list[Event]:
    member = require_member(space, user_id)
    return [ev.PostPublished(space_id=space_id, author_id=user_id, handle=member.handle,
                             kind=kind, body=body_of(body, user_id), rehearsal_id=rehearsal_id)]


def _own(post: Post, space: Space, user_id: str) -> None:
    visible(post, space, user_id)
    if post.author_id != user_id:
        raise NotAllowed("only its author edits or withdraws a post")


def edit(post: Post, space: Space, user_id: str, body: str) -> list[Event]:
    _own(post, space, user_id)
    return [ev.PostEdited(space_id=post.space_id, author_id=user_id, body=body_of(body, user_id))]


def withdraw(post: Post, space: Space, user_id: str) -> list[Event]:
    _own(post, space, user_id)
    return [ev.PostWithdrawn(space_id=post.space_id, author_id=user_id),
            *unpin(post, "post_withdrawn")]


def comment(post: Post, space: Space, user_id: str, comment_id: str, parent_id: str | None,
            body: str) -> list[Event]:
    member = require_member(space, user_id)
    visible(post, space, user_id)
    if parent_id is not None:
        parent = post.comments.get(parent_id)
        if parent is None or parent.withdrawn:
            raise NotFound("there is no such comment to reply to", field="parent_id")
        if parent.parent_id is not None:
            raise Invalid("replies go one level deep: reply to the comment this one answers",
                          field="parent_id")
    if len(post.comments) >= MAX_COMMENTS:
        raise InvalidState(f"this post has {MAX_COMMENTS} comments; start a new post")
    return [ev.CommentAdded(space_id=post.space_id, comment_id=comment_id, author_id=user_id,
                            handle=member.handle, post_author_id=post.author_id,
                            parent_id=parent_id, body=body_of(body, user_id, "a comment"))]


def withdraw_comment(post: Post, space: Space, user_id: str, comment_id: str) -> list[Event]:
    visible(post, space, user_id)
    found = post.comments.get(comment_id)
    if found is None or found.withdrawn:
        raise NotFound("there is no such comment")
    if found.author_id != user_id:
        raise NotAllowed("only its author withdraws a comment")
    return [ev.CommentWithdrawn(space_id=post.space_id, comment_id=comment_id,
                                author_id=user_id)]


def react(post: Post, space: Space, user_id: str, reaction: ev.Reaction,
          on: bool) -> list[Event]:
    visible(post, space, user_id)
    has = (user_id, reaction) in post.reactions
    if on and not has:
        return [ev.ReactionAdded(space_id=post.space_id, user_id=user_id, reaction=reaction)]
    if not on and has:
        return [ev.ReactionRemoved(space_id=post.space_id, user_id=user_id, reaction=reaction)]
    return []


def tag(post: Post, space: Space, user_id: str, tagged_id: str,
        tagged_consents: bool) -> list[Event]:
    """``tagged_consents``: the tagged person's peer_tagging consent (a coachee's contract with
    the space's coach says so; coaches in a peer circle have no contract and may be tagged)."""
    visible(post, space, user_id)
    if tagged_id == user_id:
        raise Invalid("tag someone else", field="member")
    if space.joined(tagged_id) is None and tagged_id != space.coach_id:
        raise NotFound("there is no such member in this space", field="member")
    if not tagged_consents:
        raise ConsentMissing("this member has not agreed to be tagged by peers",
                             consent="peer_tagging")
    if tagged_id in post.tagged:
        return []
    return [ev.MemberTagged(space_id=post.space_id, tagged_id=tagged_id, tagged_by=user_id)]


def share(post: Post, space: Space, user_id: str, author_consents: bool) -> list[Event]:
    visible(post, space, user_id)
    if post.author_id == user_id:
        raise Invalid("share someone else's post; your own is in the feed already")
    if not author_consents:
        raise ConsentMissing("the author has not agreed to their posts being shared",
                             consent="share_posts")
    if user_id in post.shared_by:
        return []
    return [ev.PostShared(space_id=post.space_id, shared_by=user_id,
                          post_author_id=post.author_id)]


def pin(post: Post, space: Space, user_id: str, note: str | None,
        author_consents: bool) -> list[Event]:
    require_coach(space, user_id, "pins insights")
    visible(post, space, user_id)
    if post.hidden:
        raise InvalidState("restore the post before pinning it")
    if post.author_id == user_id:
        raise Invalid("pin a member's post: an insight is theirs")
    if not author_consents:
        raise ConsentMissing("the author has not agreed to their posts being pinned as "
                             "insights", consent="pin_insights")
    if note is not None and len(note) > 1000:
        raise Invalid("a note is at most 1000 characters", field="note")
    if post.pinned:
        return []
    return [ev.InsightPinned(space_id=post.space_id, author_id=post.author_id,
                             coach_id=user_id,
                             note=Secret(note, post.author_id) if note else None)]


def unpin(post: Post,
          reason: Literal["coach", "consent_withdrawn", "post_withdrawn"]) -> list[Event]:
    if not post.exists or not post.pinned:
        return []
    return [ev.InsightUnpinned(space_id=post.space_id, author_id=post.author_id, reason=reason)]


def report(post: Post, space: Space, user_id: str, reason: str,
           hide_at: int) -> list[Event]:
    """A member reports a post; the ``hide_at``-th distinct report hides it until the coach
    decides."""
    visible(post, space, user_id)
    if post.author_id == user_id:
        raise Invalid("withdraw your own post instead of reporting it")
    if not reason.strip() or len(reason) > 1000:
        raise Invalid("a report needs a reason (at most 1000 characters)", field="reason")
    if user_id in post.reports:
        return []
    events: list[Event] = [ev.PostReported(space_id=post.space_id, reporter_id=user_id,
                                           reason=Secret(reason.strip(), user_id))]
    if not post.hidden and len(post.reports) + 1 >= hide_at:
        events.append(ev.PostHidden(space_id=post.space_id, author_id=post.author_id,
                                    by="reports", hidden_by=None))
    return events


def hide(post: Post, space: Space, user_id: str) -> list[Event]:
    """The coach hides a post, or confirms the hiding the reports did."""
    require_coach(space, user_id, "hides posts")
    visible(post, space, user_id)
    if post.hidden and not post.reports:
        return []
    return [ev.PostHidden(space_id=post.space_id, author_id=post.author_id, by="coach",
                          hidden_by=user_id)]


def restore(post: Post, space: Space, user_id: str) -> list[Event]:
    require_coach(space, user_id, "restores posts")
    visible(post, space, user_id)
    if not post.hidden:
        return []
    return [ev.PostRestored(space_id=post.space_id, author_id=post.author_id,
                            restored_by=user_id)]
