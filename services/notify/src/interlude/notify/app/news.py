"""Live news that is nobody's notification: a new post in a space, announced to the space's
other members' open streams and kept nowhere (no inbox row, no e-mail, no event). The
announcement carries ids only (the space, the post): a reader's page fetches the post from
community with the reader's own token, so community's access rules decide what is shown, and
nothing in it is content or a name. It is sent on commit of the batch that saw the post
(``pg_notify`` on :data:`CHANNEL`), to whoever listens then (:mod:`.live`); a post older than
:data:`FRESH` when notify sees it (a rebuild, a consumer catching up) is announced to no one:
a page opened since shows it anyway."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

CHANNEL = "notify_news"
FRESH = timedelta(minutes=1)

# the space's members still in it and its coach, but the author, the forgotten, and no one in
# an organisation whose policy turns community or the in-app channel off
_ANNOUNCE = (
    "SELECT pg_notify($1, json_build_object('tenant_id', $2::text, 'recipient_id', m.user_id,"
    " 'kind', 'post_published', 'space_id', $3::text, 'post_id', $4::text)::text)"
    " FROM (SELECT user_id FROM members WHERE tenant_id = $2 AND space_id = $3 AND NOT gone"
    " UNION SELECT coach_id FROM spaces WHERE tenant_id = $2 AND space_id = $3) AS m"
    " WHERE m.user_id <> $5"
    " AND NOT EXISTS (SELECT 1 FROM people p WHERE p.tenant_id = $2 AND p.user_id = m.user_id"
    "  AND p.status = 'forgotten')"
    " AND NOT EXISTS (SELECT 1 FROM trust_policies o WHERE o.tenant_id = $2"
    "  AND (o.policy->'community.enabled' = 'false'::jsonb"
    "   OR NOT (o.policy->'notify.channels') ? 'in_app'))")


async def post_published(conn: asyncpg.Connection, *, tenant_id: str, space_id: str,
                         post_id: str, author_id: str, occurred_at: datetime,
                         now: datetime) -> None:
    """Announce a new post to the space's other members' live streams, if it is fresh."""
    if now - occurred_at > FRESH:
        return
    await conn.execute(_ANNOUNCE, CHANNEL, tenant_id, space_id, post_id, author_id)
