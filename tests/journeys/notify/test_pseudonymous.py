"""A pseudonymous cohort's notifications, in the one inbox that took community's notices over:
the members and the coach are told what concerns them, whoever did it named by pseudonym (or as
the space's coach), never by a real name; the content they are about is opened for the
recipient only, and notify's tables hold none of it, nor any name, in clear."""

from __future__ import annotations

from typing import Any

from interlude.community.testing import RunningCommunity
from interlude.engagement.testing import RunningEngagement
from interlude.identity.testing import RunningIdentity
from interlude.notify.testing import RunningNotify

from ..community.cohort import cohort
from ..engagement.journey import expect
from .inbox import notifications, told

NAMES = ("Amira", "Haddad", "Ben", "Okafor", "Chloe", "Martin", "Claire", "Coach")
COMMENT = "Offering Friday is a great move"
REASON = "a safeguarding concern in her last post"


async def _rows(notify: RunningNotify) -> str:
    """Every row of every table of notify's read models, as text."""
    async with notify.platform.pool.acquire() as conn:
        tables = [r["tablename"] for r in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")]
        return "\n".join([str([dict(r) for r in await conn.fetch(f'SELECT * FROM "{t}"')])
                          for t in tables])


async def test_a_pseudonymous_space_tells_by_pseudonym_and_keeps_content_sealed(
        identity: RunningIdentity, engagement: RunningEngagement,
        community: RunningCommunity, notify: RunningNotify) -> None:
    group = await cohort(identity, engagement, community,
                         pseudonyms={"Amira Haddad": "Quiet Heron"})
    api, amira = community.client, group.members["Amira Haddad"]
    ben, chloe = group.members["Ben Okafor"], group.members["Chloe Martin"]

    async def call(person: Any, method: str, path: str, status: int, **kw: Any) -> Any:
        return await expect(await api.request(method, group.path + path, headers=person.headers,
                                              **kw), status)

    post = await call(amira, "POST", "/posts", 201, json={"body": "I said no and offered Friday"})
    comment = await call(chloe, "POST", f"/posts/{post['id']}/comments", 201,
                         json={"body": COMMENT})
    await call(ben, "POST", f"/posts/{post['id']}/comments", 201,
               json={"body": "Agreed", "parent_id": comment["id"]})
    await call(ben, "PUT", f"/posts/{post['id']}/reactions/like", 200)
    await call(amira, "POST", f"/posts/{post['id']}/tags", 200,
               json={"pseudonym": group.pseudonyms["Chloe Martin"]})
    await call(group.coach, "PUT", f"/posts/{post['id']}/pin", 200, json={"note": "Well put"})
    await call(group.coach, "POST", f"/members/{group.handles['Amira Haddad']}/reveal", 200,
               json={"reason": REASON})

    await call(chloe, "POST", f"/posts/{post['id']}/shares", 200)
    draft = await call(ben, "POST", "/rehearsals", 201, json={"body": "No, I can't this week"})
    await call(group.coach, "POST", f"/rehearsals/{draft['id']}/feedback", 200,
               json={"body": "Drop the apology"})
    await call(group.coach, "POST", f"/posts/{post['id']}/hide", 200)

    [drafted] = await told(notify, group.coach, "rehearsal_drafted")
    assert drafted["actor"]["name"] == group.pseudonyms["Ben Okafor"]
    [feedback] = await told(notify, ben, "rehearsal_feedback")
    assert feedback["excerpt"] == "Drop the apology"
    assert feedback["link"] == f"/community/spaces/{group.space_id}/rehearsals/{draft['id']}"
    [shared] = await told(notify, amira, "post_shared")
    assert shared["actor"]["name"] == group.pseudonyms["Chloe Martin"]
    [hidden] = await told(notify, amira, "post_hidden")
    assert hidden["actor"] == {"name": "the space's coach", "pseudonym": True}
    commented = (await told(notify, amira, "post_commented", count=2))
    assert {(n["actor"]["name"], n["actor"]["pseudonym"]) for n in commented} == {
        (group.pseudonyms["Chloe Martin"], True), (group.pseudonyms["Ben Okafor"], True)}
    assert COMMENT in {n["excerpt"] for n in commented}
    [reply] = await told(notify, chloe, "comment_replied")
    assert reply["text"] == f"{group.pseudonyms['Ben Okafor']} replied to your comment"
    [revealed] = await told(notify, amira, "pseudonym_revealed")
    assert revealed["excerpt"] == REASON and revealed["actor"]["name"] == "the space's coach"
    await told(notify, amira, "post_reacted")
    await told(notify, amira, "insight_pinned")
    await told(notify, chloe, "member_tagged")
    assert {n["kind"] for n in await notifications(notify, chloe)} >= {"space_invitation"}

    everything = [n for who in (amira, ben, chloe, group.coach)
                  for n in await notifications(notify, who, limit=100)]
    assert everything and not [n for n in everything for name in NAMES if name in str(n)
                               and n["kind"] not in ("contract_awaits_signature",)]
    stored = await _rows(notify)
    for content in (COMMENT, REASON, "Well put", "Drop the apology", "I said no and offered"):
        assert content not in stored
    assert not [name for name in NAMES if name in stored]
