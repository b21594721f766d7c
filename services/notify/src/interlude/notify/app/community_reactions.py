"""Who community's events tell (what community's own notices told, in the one inbox now): the
author of a post commented on, reacted to, shared, pinned or hidden; the author of a comment
replied to; a member tagged, invited, or whose pseudonym the coach revealed (with the reason,
sealed for them); the coach asked for feedback on a rehearsal, and its author given it.

In a pseudonymous space whoever did it is named by pseudonym (``actor_pseudonym``), or as the
space's coach: a notification from there never carries a real name, on any channel.

A new post tells no one: it is news for the open feeds of the space's other members, announced
live and kept nowhere (:mod:`.news`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import asyncpg

from interlude.notify.app import news
from interlude.notify.app.deps import Notify
from interlude.notify.app.reactions import Reactions
from interlude.notify.app.telling import Tell, quiet_hours
from interlude.notify.domain.events import Kind
from interlude.notify.projections import community_events as com
from interlude.notify.projections import queries
from interlude.shared.projections.base import RecordedEvent

COACH = "the space's coach"
MEMBER = "a member"


# what a community event tells, when its fields say it all: (kind, who is told, who did it,
# the content it is about, what it links to), by field name of the event
Told = tuple[Kind, str, str | None, str | None, str]
TOLD: dict[str, Told] = {
    "community.MemberTagged": ("member_tagged", "tagged_id", "tagged_by", None, "post"),
    "community.PostShared": ("post_shared", "post_author_id", "shared_by", None, "post"),
    "community.InsightPinned": ("insight_pinned", "author_id", "coach_id", "note", "post"),
    "community.PostHidden": ("post_hidden", "author_id", "hidden_by", None, "post"),
    "community.PseudonymRevealed": ("pseudonym_revealed", "user_id", "revealed_by", "reason",
                                    "space"),
    "community.RehearsalDrafted": ("rehearsal_drafted", "coach_id", "author_id", None,
                                   "rehearsal"),
    "community.RehearsalFeedbackGiven": ("rehearsal_feedback", "author_id", "coach_id", "body",
                                         "rehearsal"),
    "community.QuietMemberInvited": ("quiet_invitation", "user_id", "invited_by", None,
                                     "space"),
    # to one peer only: a member stepping out to the whole space tells nobody in particular
    "community.MemberSteppedOut": ("stepped_out_to_you", "peer_id", "user_id", None, "space"),
}


class CommunityReactions(Reactions):
    name = "notify-community-reactions"
    reads = (com.community,)
    when: ClassVar[dict[str, str]] = {
        "community.CommentAdded": "when_comment_added_tell",
        "community.ReactionAdded": "when_reaction_added_tell",
        "community.MemberInvited": "when_member_invited_tell",
        "community.JoinRequested": "when_join_requested_tell",
        "community.PostPublished": "when_post_published_announce",
        "community.CohortMaterialShared": "when_cohort_material_shared_tell",
        **dict.fromkeys(TOLD, "when_told_tell")}

    def __init__(self, deps: Notify) -> None:
        super().__init__(deps)
        self._known: dict[tuple[str, ...], Any] = {}  # this batch's look-ups, by what and ids

    async def prepare(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        self._known = {}

    def seen(self, event: RecordedEvent) -> None:
        """Forget the look-up the read model has just changed (its four kinds of rows)."""
        p, ids = event.payload, (event.tenant_id, event.aggregate_id)
        changed = {"community.SpaceCreated": ("space", *ids),
                   "community.MemberJoined": ("pseudonym", *ids, str(p.get("user_id"))),
                   "community.PostPublished": ("post_author", *ids),
                   "community.CommentAdded": ("comment_author", event.tenant_id,
                                              str(p.get("comment_id")))}.get(event.type)
        if changed is not None:
            self._known.pop(changed, None)

    async def _once(self, key: tuple[str, ...], look_up: Callable[[], Awaitable[Any]]) -> Any:
        """A look-up made once a batch (a busy space's events ask the same again and again)."""
        if key not in self._known:
            self._known[key] = await look_up()
        return self._known[key]

    async def _tell(self, conn: asyncpg.Connection, event: RecordedEvent, recipient: str | None,
                    kind: Kind, space_id: str, actor_id: str | None, **more: Any) -> list[Tell]:
        """``kind`` to ``recipient``, whoever did it named as the space names them."""
        if recipient is None:
            return []
        tenant = event.tenant_id
        space = await self._once(("space", tenant, space_id),
                                 lambda: queries.space(conn, tenant, space_id))
        pseudonym = None
        if space is not None and space["pseudonymous"] and actor_id is not None:
            pseudonym = COACH if actor_id == space["coach_id"] else (
                await self._once(("pseudonym", tenant, space_id, actor_id),
                                 lambda: queries.pseudonym(conn, tenant, space_id, actor_id))
                or MEMBER)
        return [Tell(recipient, kind, actor_id=actor_id, actor_pseudonym=pseudonym,
                     space_id=space_id, **more)]

    @staticmethod
    def _about(event: RecordedEvent, space_id: str, what: str) -> dict[str, Any]:
        """The link and item of a post, a rehearsal (the event's aggregate) or a space."""
        if what == "space":
            return {"link": f"/community/spaces/{space_id}"}
        plural = {"post": "posts", "rehearsal": "rehearsals"}[what]
        return {"link": f"/community/spaces/{space_id}/{plural}/{event.aggregate_id}",
                "item_id": event.aggregate_id}

    async def when_told_tell(self, conn: asyncpg.Connection, event: RecordedEvent) -> list[Tell]:
        """The events whose fields say who is told of what (:data:`TOLD`)."""
        kind, recipient, actor, content, what = TOLD[event.type]
        e = event.event
        space_id = str(getattr(e, "space_id", None) or event.aggregate_id)
        return await self._tell(conn, event, getattr(e, recipient),
                                kind, space_id, getattr(e, actor) if actor else None,
                                excerpt=getattr(e, content) if content else None,
                                **self._about(event, space_id, what))

    async def when_comment_added_tell(self, conn: asyncpg.Connection,
                                      event: RecordedEvent) -> list[Tell]:
        e = event.of(com.CommentAdded)
        post = self._about(event, e.space_id, "post")
        told = await self._tell(conn, event, e.post_author_id, "post_commented", e.space_id,
                                e.author_id, excerpt=e.body, **post)
        if e.parent_id:
            parent_id = e.parent_id
            parent = await self._once(
                ("comment_author", event.tenant_id, parent_id),
                lambda: queries.comment_author(conn, event.tenant_id, parent_id))
            if parent != e.post_author_id:
                told += await self._tell(conn, event, parent, "comment_replied", e.space_id,
                                         e.author_id, excerpt=e.body, **post)
        return told

    async def when_reaction_added_tell(self, conn: asyncpg.Connection,
                                       event: RecordedEvent) -> list[Tell]:
        e = event.of(com.ReactionAdded)
        author = await self._once(
            ("post_author", event.tenant_id, event.aggregate_id),
            lambda: queries.post_author(conn, event.tenant_id, event.aggregate_id))
        return await self._tell(conn, event, author, "post_reacted", e.space_id, e.user_id,
                                **self._about(event, e.space_id, "post"))

    async def when_member_invited_tell(self, conn: asyncpg.Connection,
                                       event: RecordedEvent) -> list[Tell]:
        e = event.of(com.MemberInvited)
        row = await queries.contract(conn, event.tenant_id, e.contract_id) \
            if e.contract_id else None
        return await self._tell(conn, event, e.user_id, "space_invitation", event.aggregate_id,
                                e.invited_by, contract_id=e.contract_id,
                                quiet_hours=quiet_hours(row["terms"] if row else None),
                                **self._about(event, event.aggregate_id, "space"))

    async def when_join_requested_tell(self, conn: asyncpg.Connection,
                                       event: RecordedEvent) -> list[Tell]:
        """The circle's host hears a coach asks to join (the members see the requests in the
        circle; the note stays there)."""
        e = event.of(com.JoinRequested)
        tenant, space_id = event.tenant_id, event.aggregate_id
        space = await self._once(("space", tenant, space_id),
                                 lambda: queries.space(conn, tenant, space_id))
        host = space["coach_id"] if space is not None else None
        return await self._tell(conn, event, host, "join_requested", space_id, e.user_id,
                                **self._about(event, space_id, "space"))

    async def when_post_published_announce(self, conn: asyncpg.Connection,
                                           event: RecordedEvent) -> list[Tell]:
        e = event.of(com.PostPublished)
        await news.post_published(conn, tenant_id=event.tenant_id, space_id=e.space_id,
                                  post_id=event.aggregate_id, author_id=e.author_id,
                                  occurred_at=event.envelope.occurred_at, now=self.deps.clock())
        return []

    async def when_cohort_material_shared_tell(self, conn: asyncpg.Connection,
                                               event: RecordedEvent) -> list[Tell]:
        """The space's members hear that its coach shared a material (its title as the
        topic; named as "the space's coach" in a pseudonymous space)."""
        e = event.of(com.CohortMaterialShared)
        link = {"link": f"/community/spaces/{e.space_id}/materials",
                "item_id": event.aggregate_id}
        told: list[Tell] = []
        for member in e.members:
            told += await self._tell(conn, event, member, "material_shared", e.space_id,
                                     e.coach_id, topic=e.title, **link)
        return told
