"""Who community's events tell (what community's own notices told, in the one inbox now): the
author of a post commented on, reacted to, shared, pinned or hidden; the author of a comment
replied to; a member tagged, invited, or whose pseudonym the coach revealed (with the reason,
sealed for them); the coach asked for feedback on a rehearsal, and its author given it.

In a pseudonymous space whoever did it is named by pseudonym (``actor_pseudonym``), or as the
space's coach: a notification from there never carries a real name, on any channel."""

from __future__ import annotations

from typing import Any, ClassVar

import asyncpg

from interlude.notify.app.reactions import Reactions
from interlude.notify.app.telling import Tell, quiet_hours
from interlude.notify.domain.events import Kind
from interlude.notify.projections import community_events as com
from interlude.notify.projections import queries
from interlude.shared.projections.base import RecordedEvent

COACH = "the space's coach"
MEMBER = "a member"


class CommunityReactions(Reactions):
    name = "notify-community-reactions"
    reads = (com.community,)
    when: ClassVar[dict[str, str]] = {
        "community.CommentAdded": "when_comment_added_tell",
        "community.ReactionAdded": "when_reaction_added_tell",
        "community.MemberTagged": "when_member_tagged_tell",
        "community.PostShared": "when_post_shared_tell",
        "community.InsightPinned": "when_insight_pinned_tell",
        "community.PostHidden": "when_post_hidden_tell",
        "community.MemberInvited": "when_member_invited_tell",
        "community.PseudonymRevealed": "when_pseudonym_revealed_tell",
        "community.RehearsalDrafted": "when_rehearsal_drafted_tell",
        "community.RehearsalFeedbackGiven": "when_rehearsal_feedback_given_tell"}

    async def _tell(self, conn: asyncpg.Connection, event: RecordedEvent, recipient: str | None,
                    kind: Kind, space_id: str, actor_id: str | None, link: str,
                    **more: Any) -> list[Tell]:
        """``kind`` to ``recipient``, whoever did it named as the space names them."""
        if recipient is None:
            return []
        space = await queries.space(conn, event.tenant_id, space_id)
        pseudonym = None
        if space is not None and space["pseudonymous"] and actor_id is not None:
            pseudonym = COACH if actor_id == space["coach_id"] else (
                await queries.pseudonym(conn, event.tenant_id, space_id, actor_id) or MEMBER)
        return [Tell(recipient, kind, link, actor_id=actor_id, actor_pseudonym=pseudonym,
                     space_id=space_id, **more)]

    def _post(self, event: RecordedEvent, space_id: str) -> dict[str, Any]:
        return {"link": f"/community/spaces/{space_id}/posts/{event.aggregate_id}",
                "item_id": event.aggregate_id}

    async def when_comment_added_tell(self, conn: asyncpg.Connection,
                                      event: RecordedEvent) -> list[Tell]:
        e = event.of(com.CommentAdded)
        post = self._post(event, e.space_id)
        told = await self._tell(conn, event, e.post_author_id, "post_commented", e.space_id,
                                e.author_id, excerpt=e.body, **post)
        if e.parent_id:
            parent = await queries.comment_author(conn, event.tenant_id, e.parent_id)
            if parent != e.post_author_id:
                told += await self._tell(conn, event, parent, "comment_replied", e.space_id,
                                         e.author_id, excerpt=e.body, **post)
        return told

    async def when_reaction_added_tell(self, conn: asyncpg.Connection,
                                       event: RecordedEvent) -> list[Tell]:
        e = event.of(com.ReactionAdded)
        author = await queries.post_author(conn, event.tenant_id, event.aggregate_id)
        return await self._tell(conn, event, author, "post_reacted", e.space_id, e.user_id,
                                **self._post(event, e.space_id))

    async def when_member_tagged_tell(self, conn: asyncpg.Connection,
                                      event: RecordedEvent) -> list[Tell]:
        e = event.of(com.MemberTagged)
        return await self._tell(conn, event, e.tagged_id, "member_tagged", e.space_id,
                                e.tagged_by, **self._post(event, e.space_id))

    async def when_post_shared_tell(self, conn: asyncpg.Connection,
                                    event: RecordedEvent) -> list[Tell]:
        e = event.of(com.PostShared)
        return await self._tell(conn, event, e.post_author_id, "post_shared", e.space_id,
                                e.shared_by, **self._post(event, e.space_id))

    async def when_insight_pinned_tell(self, conn: asyncpg.Connection,
                                       event: RecordedEvent) -> list[Tell]:
        e = event.of(com.InsightPinned)
        return await self._tell(conn, event, e.author_id, "insight_pinned", e.space_id,
                                e.coach_id, excerpt=e.note, **self._post(event, e.space_id))

    async def when_post_hidden_tell(self, conn: asyncpg.Connection,
                                    event: RecordedEvent) -> list[Tell]:
        e = event.of(com.PostHidden)
        return await self._tell(conn, event, e.author_id, "post_hidden", e.space_id,
                                e.hidden_by, **self._post(event, e.space_id))

    async def when_member_invited_tell(self, conn: asyncpg.Connection,
                                       event: RecordedEvent) -> list[Tell]:
        e = event.of(com.MemberInvited)
        row = await queries.contract(conn, event.tenant_id, e.contract_id) \
            if e.contract_id else None
        return await self._tell(conn, event, e.user_id, "space_invitation", event.aggregate_id,
                                e.invited_by, f"/community/spaces/{event.aggregate_id}",
                                contract_id=e.contract_id,
                                quiet_hours=quiet_hours(row["terms"] if row else None))

    async def when_pseudonym_revealed_tell(self, conn: asyncpg.Connection,
                                           event: RecordedEvent) -> list[Tell]:
        e = event.of(com.PseudonymRevealed)
        return await self._tell(conn, event, e.user_id, "pseudonym_revealed",
                                event.aggregate_id, e.revealed_by,
                                f"/community/spaces/{event.aggregate_id}", excerpt=e.reason)

    def _rehearsal(self, event: RecordedEvent, space_id: str) -> dict[str, Any]:
        return {"link": f"/community/spaces/{space_id}/rehearsals/{event.aggregate_id}",
                "item_id": event.aggregate_id}

    async def when_rehearsal_drafted_tell(self, conn: asyncpg.Connection,
                                          event: RecordedEvent) -> list[Tell]:
        e = event.of(com.RehearsalDrafted)
        return await self._tell(conn, event, e.coach_id, "rehearsal_drafted", e.space_id,
                                e.author_id, **self._rehearsal(event, e.space_id))

    async def when_rehearsal_feedback_given_tell(self, conn: asyncpg.Connection,
                                                 event: RecordedEvent) -> list[Tell]:
        e = event.of(com.RehearsalFeedbackGiven)
        return await self._tell(conn, event, e.author_id, "rehearsal_feedback", e.space_id,
                                e.coach_id, excerpt=e.body, **self._rehearsal(event, e.space_id))
