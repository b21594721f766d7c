"""What members are told: tagged, commented on or replied to, shared, pinned, hidden, invited,
asked for or given feedback on a rehearsal, and the coach's reveal of their pseudonym (with
its reason, sealed for them). A notice names no one: who did it is rendered when it is read,
by pseudonym where the space is pseudonymous. An organisation with ``community.enabled`` off
gets none."""

from __future__ import annotations

from typing import Any

import asyncpg

from interlude.shared.projections.base import Projection, RecordedEvent
from interlude.shared.projections.sealed import keep

NAME = "community-notices"


class Notices(Projection):
    name = NAME
    tables = ("notices",)

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        tenants = list({e.tenant_id for e in events})
        switched_off = {r["tenant_id"] for r in await conn.fetch(
            "SELECT tenant_id FROM trust_policies WHERE tenant_id = ANY($1)"
            " AND (policy->>'community.enabled')::boolean IS false", tenants)}
        rows: list[tuple[Any, ...]] = []
        for event in events:
            if event.tenant_id not in switched_off:
                rows.extend(await self._notices(conn, event))
        if rows:
            await conn.executemany(
                "INSERT INTO notices (tenant_id, notice_id, user_id, kind, space_id, post_id,"
                " actor_id, detail, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                " ON CONFLICT DO NOTHING", rows)

    async def _notices(self, conn: asyncpg.Connection,
                       event: RecordedEvent) -> list[tuple[Any, ...]]:
        p, t = event.payload, event.type.rsplit(".", 1)[-1]
        post = event.aggregate_id
        told: list[tuple[str, str, str | None, str | None, str | None]] = []
        # (recipient, kind, post id, actor, sealed detail)
        if t == "MemberTagged":
            told.append((p["tagged_id"], "tagged", post, p["tagged_by"], None))
        elif t == "CommentAdded":
            told.append((p["post_author_id"], "commented", post, p["author_id"], None))
            if p.get("parent_id"):
                parent = await conn.fetchval("SELECT author_id FROM comments WHERE tenant_id = $1"
                                             " AND comment_id = $2", event.tenant_id,
                                             p["parent_id"])
                if parent and parent != p["post_author_id"]:
                    told.append((parent, "replied", post, p["author_id"], None))
        elif t == "PostShared":
            told.append((p["post_author_id"], "shared", post, p["shared_by"], None))
        elif t == "InsightPinned":
            told.append((p["author_id"], "insight_pinned", post, p["coach_id"], None))
        elif t == "PostHidden":
            told.append((p["author_id"], "post_hidden", post, p.get("hidden_by"), None))
        elif t == "MemberInvited":
            told.append((p["user_id"], "invited", None, p["invited_by"], None))
        elif t == "PseudonymRevealed":
            told.append((p["user_id"], "pseudonym_revealed", None, p["revealed_by"],
                         keep(event, "reason")))
        elif t == "RehearsalDrafted":
            told.append((p["coach_id"], "rehearsal_drafted", None, p["author_id"], None))
        elif t == "RehearsalFeedbackGiven":
            told.append((p["author_id"], "rehearsal_feedback", None, p["coach_id"], None))
        space = p.get("space_id") or event.aggregate_id
        return [(event.tenant_id, f"{event.wire['event_id']}:{n}", user, kind, space,
                 post_id, actor, detail, event.envelope.occurred_at)
                for n, (user, kind, post_id, actor, detail) in enumerate(told)
                if user != actor]
