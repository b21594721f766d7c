"""A rehearsal: a member drafts a post that tries a new behaviour (a firmer "no"), asks the
coach for feedback first, then publishes it to the space or drops it. Only its author and the
space's coach ever see the draft."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from interlude.community.domain import events as ev
from interlude.community.domain.errors import InvalidState, NotAllowed, NotFound
from interlude.community.domain.post import body_of
from interlude.community.domain.space import Space, require_member
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec

Status = Literal["drafted", "published", "dropped"]


@dataclass(frozen=True)
class Rehearsal:
    exists: bool = False
    space_id: str = ""
    author_id: str = ""
    coach_id: str = ""
    kind: ev.PostKind = "reflection"
    status: Status = "drafted"
    post_id: str | None = None


def evolve(state: Rehearsal, event: Event) -> Rehearsal:
    match event:
        case ev.RehearsalDrafted():
            return Rehearsal(exists=True, space_id=event.space_id, author_id=event.author_id,
                             coach_id=event.coach_id, kind=event.kind)
        case ev.RehearsalPublished():
            return replace(state, status="published", post_id=event.post_id)
        case ev.RehearsalDropped():
            return replace(state, status="dropped")
    return state


REHEARSAL = AggregateSpec(name="rehearsal", initial=Rehearsal, evolve=evolve,
                          state_type=Rehearsal)


def seen_by(state: Rehearsal, user_id: str) -> Rehearsal:
    """The rehearsal, to its author and their coach; to anyone else it does not exist."""
    if not state.exists or user_id not in (state.author_id, state.coach_id):
        raise NotFound("there is no such rehearsal")
    return state


def _open(state: Rehearsal, user_id: str, who: Literal["author", "coach"]) -> Rehearsal:
    seen_by(state, user_id)
    if user_id != (state.author_id if who == "author" else state.coach_id):
        raise NotAllowed("the author revises, publishes or drops a rehearsal" if who == "author"
                         else "the coach gives feedback on a rehearsal")
    if state.status != "drafted":
        raise InvalidState(f"this rehearsal is {state.status} already")
    return state


def draft(space: Space, space_id: str, user_id: str, kind: ev.PostKind,
          body: str) -> list[Event]:
    require_member(space, user_id)
    if user_id == space.coach_id:
        raise NotAllowed("members rehearse with their coach; as the coach, post directly")
    return [ev.RehearsalDrafted(space_id=space_id, author_id=user_id, coach_id=space.coach_id,
                                kind=kind, body=body_of(body, user_id, "a rehearsal"))]


def revise(state: Rehearsal, user_id: str, body: str) -> list[Event]:
    _open(state, user_id, "author")
    return [ev.RehearsalRevised(space_id=state.space_id, author_id=user_id,
                                body=body_of(body, user_id, "a rehearsal"))]


def feedback(state: Rehearsal, user_id: str, body: str) -> list[Event]:
    _open(state, user_id, "coach")
    return [ev.RehearsalFeedbackGiven(space_id=state.space_id, author_id=state.author_id,
                                      coach_id=user_id,
                                      body=body_of(body, state.author_id, "feedback"))]


def publish(state: Rehearsal, space: Space, user_id: str, post_id: str) -> list[Event]:
    _open(state, user_id, "author")
    require_member(space, user_id)
    return [ev.RehearsalPublished(space_id=state.space_id, author_id=user_id, post_id=post_id)]


def drop(state: Rehearsal, user_id: str) -> list[Event]:
    _open(state, user_id, "author")
    return [ev.RehearsalDropped(space_id=state.space_id, author_id=user_id)]
