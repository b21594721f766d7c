"""A new post is news for the space's open streams, kept nowhere: announced on commit to the
members still in the space and its coach, never to its author or a member who left, never for
an old post (a rebuild or a consumer catching up), and never in an organisation that switched
community off; the announcement carries ids only."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest

from interlude.notify.app.live import Live, Watch
from interlude.notify.projections import community_events as com
from interlude.shared.ids import new_id
from interlude.shared.kit import utc_now

from .conftest import Alone

SPACE = "space1"
PEOPLE = ("amira", "ben", "chloe", "claire")


@pytest.fixture
async def live(postgres_dsn: str) -> AsyncIterator[Live]:
    feed = Live(postgres_dsn)
    await feed.start()
    try:
        yield feed
    finally:
        await feed.stop()


@contextlib.contextmanager
def watching(live: Live, tenant: str) -> Iterator[dict[str, Watch]]:
    """A stream open for each of the space's people."""
    with contextlib.ExitStack() as stack:
        yield {person: stack.enter_context(live.watching(tenant, person)) for person in PEOPLE}


async def _cohort(alone: Alone, tenant: str) -> None:
    await alone.community_event(tenant, "space", SPACE, com.SpaceCreated(
        coach_id="claire", name="Saying no", pseudonymous=True), actor="claire")
    for user, pseudonym in (("amira", "Quiet Heron"), ("ben", "Bold Otter"),
                            ("chloe", "Calm Lark")):
        await alone.community_event(tenant, "space", SPACE, com.MemberJoined(
            user_id=user, pseudonym=pseudonym), actor=user)
    await alone.community_event(tenant, "space", SPACE, com.MemberLeft(user_id="chloe"),
                                actor="chloe")


async def _post(alone: Alone, tenant: str, post_id: str, **at: object) -> None:
    await alone.community_event(tenant, "post", post_id, com.PostPublished(
        space_id=SPACE, author_id="amira"), actor="amira", **at)  # type: ignore[arg-type]


async def test_a_new_post_is_announced_to_the_members_still_there_but_its_author(
        alone: Alone, live: Live) -> None:
    tenant = new_id()
    await _cohort(alone, tenant)
    with watching(live, tenant) as streams:
        await _post(alone, tenant, "old-post", at=utc_now() - timedelta(minutes=5))
        await _post(alone, tenant, "post1")
        await alone.runners["notify-community"].catch_up()
        await asyncio.wait_for(streams["ben"].wait(), timeout=5)
        await asyncio.wait_for(streams["claire"].wait(), timeout=5)
        told = {"kind": "post_published", "space_id": SPACE, "post_id": "post1"}
        assert streams["ben"].take_news() == [told]  # the old post: no one
        assert streams["claire"].take_news() == [told]  # the coach
        # the same commit announced them all: the author and the member who left heard nothing
        assert not streams["amira"].is_set() and not streams["chloe"].is_set()
    assert await alone.inbox(tenant, "ben") == []  # news, not a notification
    assert await alone.queued() == 0


async def test_an_organisation_without_community_hears_no_news(alone: Alone,
                                                                live: Live) -> None:
    tenant = new_id()
    await alone.policy(tenant, **{"community.enabled": False})
    await _cohort(alone, tenant)
    with watching(live, tenant) as streams:
        await _post(alone, tenant, "post1")
        await alone.runners["notify-community"].catch_up()
        other = new_id()  # another organisation's space, where community is on
        await alone.community_event(other, "space", SPACE, com.SpaceCreated(
            coach_id="claire", name="Elsewhere", pseudonymous=False), actor="claire")
        with live.watching(other, "claire") as elsewhere:
            await _post(alone, other, "post2")
            await alone.runners["notify-community"].catch_up()
            await asyncio.wait_for(elsewhere.wait(), timeout=5)
        assert not any(stream.is_set() for stream in streams.values())
