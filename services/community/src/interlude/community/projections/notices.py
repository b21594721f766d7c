"""What members are told: tagged, commented on or replied to, shared, pinned, hidden, invited,
asked for or given feedback on a rehearsal, and the coach's reveal of their pseudonym (with
its reason, sealed for them). A notice names no one: who did it is rendered when it is read,
by pseudonym where the space is pseudonymous. An organisation with ``community.enabled`` off
gets none."""

from __future__ import annotations

from typing import Any

import asyncpg

from interlude.community.domain import events as ev
from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.sealed import kept

NAME = "community-notices"
TOLD = {t.type_name for t in (ev.MemberTagged, ev.CommentAdded, ev.PostShared, ev.InsightPinned,
                              ev.PostHidden, ev.MemberInvited, ev.PseudonymRevealed,
                              ev.RehearsalDrafted, ev.RehearsalFeedbackGiven)}


class Notices(Projection):
    name = NAME
    tables = ("notices",)
    reads = (ev.registry,)  # decoded in _notices: a batch's notices go in one statement

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        tenants = list({e.tenant_id for e in events})
        switched_off = {r["tenant_id"] for r in await conn.fetch(
            "SELECT tenant_id FROM trust_policies WHERE tenant_id = ANY($1)"
            " AND (policy->>'community.enabled')::boolean IS false", tenants)}
        rows: list[tuple[Any, ...]] = []
        for event in events:
            if event.tenant_id not in switched_off and event.type in TOLD:
                rows.extend(await self._notices(conn, event))
        if rows:
            await conn.executemany(
                "INSERT INTO notices (tenant_id, notice_id, user_id, kind, space_id, post_id,"
                " actor_id, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                " ON CONFLICT DO NOTHING", rows)

    async def _notices(self, conn: asyncpg.Connection,
                       event: RecordedEvent) -> list[tuple[Any, ...]]:
        e, post = self.decoded(event), event.aggregate_id
        told: list[tuple[str, str, str | None, str | None, str | None]] = []
        # (recipient, kind, post id, actor, sealed detail)
        match e:
            case ev.MemberTagged():
                told.append((e.tagged_id, "tagged", post, e.tagged_by, None))
            case ev.CommentAdded():
                told.append((e.post_author_id, "commented", post, e.author_id, None))
                if e.parent_id:
                    parent = await conn.fetchval(
                        "SELECT author_id FROM comments WHERE tenant_id = $1"
                        " AND comment_id = $2", event.tenant_id, e.parent_id)
                    if parent and parent != e.post_author_id:
                        told.append((parent, "replied", post, e.author_id, None))
            case ev.PostShared():
                told.append((e.post_author_id, "shared", post, e.shared_by, None))
            case ev.InsightPinned():
                told.append((e.author_id, "insight_pinned", post, e.coach_id, None))
            case ev.PostHidden():
                told.append((e.author_id, "post_hidden", post, e.hidden_by, None))
            case ev.MemberInvited():
                told.append((e.user_id, "invited", None, e.invited_by, None))
            case ev.PseudonymRevealed():
                told.append((e.user_id, "pseudonym_revealed", None, e.revealed_by,
                             kept(e.reason)))
            case ev.RehearsalDrafted():
                told.append((e.coach_id, "rehearsal_drafted", None, e.author_id, None))
            case ev.RehearsalFeedbackGiven():
                told.append((e.author_id, "rehearsal_feedback", None, e.coach_id, None))
        space = getattr(e, "space_id", None) or event.aggregate_id
        return [(event.tenant_id, f"{event.wire['event_id']}:{n}", user, kind, space,
                 post_id, actor, detail, event.envelope.occurred_at)
                for n, (user, kind, post_id, actor, detail) in enumerate(told)
                if user != actor]
