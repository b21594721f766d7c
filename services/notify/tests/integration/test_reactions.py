"""notify's reactions on their own: a cause replayed or redelivered tells no one twice; an
organisation that switched community off hears nothing of it; a forgotten person is never
told again; content is copied sealed, never in clear."""

from __future__ import annotations

from interlude.notify.projections import community_events as com
from interlude.shared.ids import new_id
from interlude.shared.sealing import Secret

from .conftest import Alone

SPACE = "space1"


async def _space(alone: Alone, tenant: str) -> None:
    await alone.community_event(tenant, "space", SPACE, com.SpaceCreated(
        coach_id="claire", name="Saying no", pseudonymous=True), actor="claire")
    for user, pseudonym in (("amira", "Quiet Heron"), ("ben", "Bold Otter")):
        await alone.community_event(tenant, "space", SPACE, com.MemberJoined(
            user_id=user, pseudonym=pseudonym), actor=user)


async def _comment(alone: Alone, tenant: str, text: str) -> str:
    return await alone.community_event(tenant, "post", "post1", com.CommentAdded(
        space_id=SPACE, comment_id=new_id(), author_id="ben", post_author_id="amira",
        parent_id=None, body=Secret(text, "ben")), actor="ben")


async def test_a_cause_replayed_from_the_start_tells_no_one_twice(alone: Alone) -> None:
    tenant = new_id()
    await _space(alone, tenant)
    await _comment(alone, tenant, "Offering Friday is a great move")
    reacting = alone.runners["notify-community"]
    await reacting.catch_up()
    assert await alone.queued() == 1
    await reacting.rebuild(progress=lambda _: None)  # replays every event, reacting again
    assert await alone.queued() == 1
    await alone.runners["notify-inbox"].catch_up()
    [row] = await alone.inbox(tenant, "amira")
    assert row["kind"] == "post_commented" and row["actor_pseudonym"] == "Bold Otter"
    assert "Offering Friday" not in str(row) and row["excerpt"] is not None


async def test_community_switched_off_and_a_forgotten_person_hear_nothing(alone: Alone) -> None:
    off, forgotten, told = new_id(), new_id(), new_id()
    await alone.policy(off, **{"community.enabled": False})
    await alone.platform.pool.execute(
        "INSERT INTO people (tenant_id, user_id, status) VALUES ($1, 'amira', 'forgotten')",
        forgotten)
    for tenant in (off, forgotten, told):  # in this order: the last one told means all seen
        await _space(alone, tenant)
        await _comment(alone, tenant, "A comment")
    await alone.runners["notify-community"].catch_up()
    await alone.runners["notify-inbox"].catch_up()
    assert len(await alone.inbox(told, "amira")) == 1
    assert await alone.inbox(off, "amira") == [] and await alone.inbox(forgotten, "amira") == []
    assert await alone.queued() == 1
