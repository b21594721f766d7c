"""A space: a coach's cohort around a shared challenge, or a coaches' peer circle. The space
decides who is in it and under which name; its coach (the host of a peer circle) invites,
reveals a pseudonym with a reason, and switches slow mode on; a member may step out of their
pseudonym (to one peer, or to the space) and back. Coaches find peer circles by what they are
about, ask to join, and the circle's members admit them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from interlude.community.domain import events as ev
from interlude.community.domain import pseudonyms
from interlude.community.domain.errors import (
    Invalid,
    InvalidState,
    NotAllowed,
    NotEligible,
    NotFound,
)
from interlude.shared.events.registry import Event
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.sealing import Secret

Status = Literal["asked", "invited", "joined", "left"]
Decide = Callable[["Space"], Sequence[Event]]
MAX_MEMBERS = 500
MAX_SLOW_MODE_S = 86_400


@dataclass(frozen=True)
class Member:
    status: Status
    handle: str = ""
    pseudonym: str | None = None  # kept after leaving: stable, and nobody else may take it
    contract_id: str | None = None
    # stepped out of the pseudonym: to the whole space, or to these peers (user ids)
    open_to_all: bool = False
    open_to: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Space:
    exists: bool = False
    coach_id: str = ""
    coach_handle: str = ""
    kind: ev.SpaceKind = "cohort"
    pseudonymous: bool = False
    slow_mode_s: int = 0
    findable: bool = False  # a peer circle coaches of the organisation find and ask to join
    members: dict[str, Member] = field(default_factory=dict)

    def joined(self, user_id: str) -> Member | None:
        member = self.members.get(user_id)
        return member if member is not None and member.status == "joined" else None

    def taken(self, but: str | None = None) -> set[str]:
        """Keys of the pseudonyms of everyone (but ``but``) who ever joined."""
        return {pseudonyms.key(m.pseudonym) for u, m in self.members.items()
                if m.pseudonym and u != but}


def evolve(state: Space, event: Event) -> Space:
    match event:
        case ev.SpaceCreated():
            return Space(exists=True, coach_id=event.coach_id, coach_handle=event.coach_handle,
                         kind=event.kind, pseudonymous=event.pseudonymous,
                         findable=event.findable)
        case ev.JoinRequested():
            old = state.members.get(event.user_id)
            asked = replace(old, status="asked", handle=event.handle) if old else \
                Member("asked", handle=event.handle)
            return replace(state, members={**state.members, event.user_id: asked})
        case ev.JoinRequestDeclined():
            old = state.members[event.user_id]
            return replace(state, members={**state.members,
                                           event.user_id: replace(old, status="left")})
        case ev.MemberInvited():
            old = state.members.get(event.user_id)
            member = replace(old, status="invited", contract_id=event.contract_id) if old else \
                Member("invited", contract_id=event.contract_id)
            return replace(state, members={**state.members, event.user_id: member})
        case ev.MemberJoined():
            old = state.members.get(event.user_id, Member("invited"))
            member = replace(old, status="joined", handle=event.handle, pseudonym=event.pseudonym)
            return replace(state, members={**state.members, event.user_id: member})
        case ev.MemberLeft():
            old = state.members[event.user_id]
            return replace(state, members={**state.members,
                                           event.user_id: replace(old, status="left")})
        case ev.MemberSteppedOut():
            old = state.members[event.user_id]
            opened = replace(old, open_to_all=True) if event.peer_id is None else \
                replace(old, open_to=old.open_to | {event.peer_id})
            return replace(state, members={**state.members, event.user_id: opened})
        case ev.MemberSteppedBack():
            old = state.members[event.user_id]
            closed = replace(old, open_to_all=False, open_to=frozenset())
            return replace(state, members={**state.members, event.user_id: closed})
        case ev.SlowModeSet():
            return replace(state, slow_mode_s=event.seconds)
    return state


SPACE = AggregateSpec(name="space", initial=Space, evolve=evolve, state_type=Space)


def require(state: Space) -> Space:
    if not state.exists:
        raise NotFound("there is no such space")
    return state


def require_member(state: Space, user_id: str) -> Member:
    """The caller's membership; to anyone outside, the space does not exist."""
    require(state)
    member = state.joined(user_id)
    if member is None and user_id != state.coach_id:
        raise NotFound("there is no such space")
    return member or Member("joined", handle=state.coach_handle)


def require_coach(state: Space, user_id: str, what: str) -> None:
    require_member(state, user_id)
    if user_id != state.coach_id:
        raise NotAllowed(f"only the space's coach {what}")


@dataclass(frozen=True)
class About:
    """What a peer circle is about, by which coaches find it (empty for a cohort)."""

    methodology: str = ""
    challenges: tuple[str, ...] = ()
    context: str = ""
    findable: bool = False


MAX_CHALLENGES = 10


def create(coach_id: str, coach_handle: str, kind: ev.SpaceKind, name: str, description: str,
           pseudonymous: bool, about: About | None = None) -> list[Event]:
    if not name.strip():
        raise Invalid("a space needs a name: the challenge its members share", field="name")
    about = about or About()
    if kind == "cohort" and about != About():
        raise Invalid("methodology, challenges, context and findable describe a peer circle;"
                      " a cohort is found through its coach's invitations", field="findable")
    challenges = [c.strip() for c in about.challenges if c.strip()]
    if len(challenges) > MAX_CHALLENGES:
        raise Invalid(f"a circle names at most {MAX_CHALLENGES} client challenges",
                      field="challenges")
    return [ev.SpaceCreated(coach_id=coach_id, coach_handle=coach_handle, kind=kind,
                            name=name.strip(), description=description.strip(),
                            pseudonymous=pseudonymous, methodology=about.methodology.strip(),
                            challenges=challenges, context=about.context.strip(),
                            findable=about.findable)]


def ask_to_join(state: Space, user_id: str, handle: str, note: str | None,
                home_tenant: str | None = None) -> list[Event]:
    """A coach asks to join a findable peer circle (``home_tenant``: their organisation, when
    it is another one); to anyone else it does not exist."""
    require(state)
    if state.kind != "peer_circle" or not state.findable:
        raise NotFound("there is no such circle")
    member = state.members.get(user_id)
    if user_id == state.coach_id or (member is not None and member.status != "left"):
        return []  # asked, invited or in it already
    return [ev.JoinRequested(user_id=user_id, handle=handle,
                             note=Secret(note.strip(), user_id) if note and note.strip()
                             else None, home_tenant=home_tenant)]


def _asking(state: Space, actor_id: str, handle: str) -> str:
    """The user id of the coach asking to join as ``handle``; the actor must be in the circle."""
    require_member(state, actor_id)
    found = [u for u, m in state.members.items() if m.handle == handle and m.status == "asked"]
    if not found:
        raise NotFound("nobody with this handle is asking to join")
    return found[0]


def admit(state: Space, actor_id: str, handle: str) -> list[Event]:
    """Any member of the circle admits a coach who asked: they are invited, and join."""
    user_id = _asking(state, actor_id, handle)
    return [ev.MemberInvited(user_id=user_id, invited_by=actor_id, contract_id=None)]


def decline(state: Space, actor_id: str, handle: str) -> list[Event]:
    user_id = _asking(state, actor_id, handle)
    return [ev.JoinRequestDeclined(user_id=user_id, handle=handle, declined_by=actor_id)]


def invite(state: Space, actor_id: str, user_id: str, contract_id: str | None) -> list[Event]:
    """``contract_id``: for a cohort, the invitee's active contract with this coach that agrees
    community participation in this space (the caller looks it up; None when there is none)."""
    require_coach(state, actor_id, "invites members")
    if user_id == state.coach_id:
        raise Invalid("the coach is part of the space already", field="user_id")
    if state.kind == "cohort" and contract_id is None:
        raise NotEligible("this person has no active contract with you that agrees community "
                          "participation in this space; amend the contract first",
                          field="user_id")
    current = state.members.get(user_id)
    if current is not None and current.status in ("invited", "joined"):
        return []
    if sum(1 for m in state.members.values() if m.status != "left") >= MAX_MEMBERS:
        raise InvalidState(f"a space has at most {MAX_MEMBERS} members")
    return [ev.MemberInvited(user_id=user_id, invited_by=actor_id, contract_id=contract_id)]


def join(state: Space, user_id: str, handle: str, pseudonym: str | None,
         real_name: str | None) -> list[Event]:
    """Join on an invitation; in a pseudonymous space under the pseudonym chosen, or the one
    held before, or a suggestion."""
    require(state)
    member = state.members.get(user_id)
    if member is not None and member.status == "joined":
        return []
    if member is None or member.status != "invited":
        raise NotFound("there is no such space")  # uninvited: the space does not exist for them
    if not state.pseudonymous:
        if pseudonym is not None:
            raise Invalid("this space shows members by name; it takes no pseudonym",
                          field="pseudonym")
        return [ev.MemberJoined(user_id=user_id, handle=handle, pseudonym=None)]
    taken = state.taken(but=user_id)
    if pseudonym is not None:
        chosen = pseudonyms.check(pseudonym, taken, real_name)
        if member.pseudonym and pseudonyms.key(chosen) != pseudonyms.key(member.pseudonym):
            raise Invalid(f"you are known here as {member.pseudonym!r}; a pseudonym is stable "
                          "so that peers know who they talk to", field="pseudonym")
    else:
        chosen = member.pseudonym or pseudonyms.suggest(handle, taken)
    return [ev.MemberJoined(user_id=user_id, handle=handle, pseudonym=chosen)]


def leave(state: Space, actor_id: str, user_id: str,
          reason: ev.LeaveReason = "left") -> list[Event]:
    require(state)
    if actor_id != user_id and actor_id != state.coach_id and reason != "contract_ended":
        raise NotAllowed("members leave on their own; the coach may remove them")
    member = state.members.get(user_id)
    if member is None or member.status == "left":
        return []
    if member.status == "invited":
        return [ev.MemberLeft(user_id=user_id, handle="", reason=reason)]
    return [ev.MemberLeft(user_id=user_id, handle=member.handle, reason=reason)]


def reveal(state: Space, actor_id: str, handle: str, reason: str) -> list[Event]:
    require_coach(state, actor_id, "can reveal who is behind a pseudonym")
    if not state.pseudonymous:
        raise InvalidState("this space shows members by name: there is nothing to reveal")
    found = [(u, m) for u, m in state.members.items() if m.handle == handle and m.pseudonym]
    if not found:
        raise NotFound("there is no such member in this space")
    if not reason.strip():
        raise Invalid("a reveal needs a reason; the member will be told it", field="reason")
    user_id, member = found[0]
    assert member.pseudonym is not None
    return [ev.PseudonymRevealed(user_id=user_id, handle=handle, pseudonym=member.pseudonym,
                                 revealed_by=actor_id, reason=Secret(reason.strip(), user_id))]


SEEN_IS_SEEN = ("what was seen was seen: whoever saw your name may remember it, even after you"
                " step back")


def _pseudonymous_member(state: Space, actor_id: str) -> Member:
    member = require_member(state, actor_id)
    if actor_id == state.coach_id:
        raise InvalidState("the coach is shown by name already")
    if not state.pseudonymous or not member.pseudonym:
        raise InvalidState("this space shows members by name: there is no pseudonym to step "
                           "out of")
    return member


def step_out(state: Space, actor_id: str, peer_handle: str | None,
             understood: bool) -> list[Event]:
    """The member shows their name to one peer (by handle) or, with no handle, to the whole
    space; they confirm they understood that it cannot be unseen."""
    member = _pseudonymous_member(state, actor_id)
    if not understood:
        raise Invalid(f"confirm with understood: true; {SEEN_IS_SEEN}", field="understood")
    if member.open_to_all:
        return []
    if peer_handle is None:
        return [ev.MemberSteppedOut(user_id=actor_id, handle=member.handle, peer_id=None,
                                    peer_handle=None)]
    found = [u for u, m in state.members.items()
             if m.handle == peer_handle and m.status == "joined" and u != actor_id]
    if peer_handle == state.coach_handle:  # the coach is a reader of the space too
        found = [state.coach_id]
    if not found:
        raise NotFound("there is no such member in this space")
    if found[0] in member.open_to:
        return []
    return [ev.MemberSteppedOut(user_id=actor_id, handle=member.handle, peer_id=found[0],
                                peer_handle=peer_handle)]


def step_back(state: Space, actor_id: str, understood: bool) -> list[Event]:
    """The member is shown by pseudonym again to everyone in the space."""
    member = _pseudonymous_member(state, actor_id)
    if not understood:
        raise Invalid(f"confirm with understood: true; {SEEN_IS_SEEN}", field="understood")
    if not member.open_to_all and not member.open_to:
        return []
    return [ev.MemberSteppedBack(user_id=actor_id, handle=member.handle)]


def invite_quiet(state: Space, actor_id: str, handle: str) -> list[Event]:
    """The coach invites a member who reads without posting to join in."""
    require_coach(state, actor_id, "invites quiet members to join in")
    found = [u for u, m in state.members.items() if m.handle == handle and m.status == "joined"]
    if not found:
        raise NotFound("there is no such member in this space")
    return [ev.QuietMemberInvited(user_id=found[0], handle=handle, invited_by=actor_id)]


def slow_mode(state: Space, actor_id: str, seconds: int) -> list[Event]:
    require_coach(state, actor_id, "sets slow mode")
    if not 0 <= seconds <= MAX_SLOW_MODE_S:
        raise Invalid(f"slow mode is from 0 (off) to {MAX_SLOW_MODE_S} seconds between posts",
                      field="seconds")
    return [] if seconds == state.slow_mode_s else [ev.SlowModeSet(seconds=seconds)]
