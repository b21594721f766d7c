"""What a page keeps a few seconds per session (the dashboard's cohorts): asked once while it
is fresh, again once it is old or forgotten, and never more than ``most`` sessions' worth."""

from __future__ import annotations

from interlude.web.kept import Kept


async def test_a_value_is_kept_for_its_session_until_it_is_old_or_forgotten() -> None:
    now = [100.0]
    asked: list[str] = []
    kept: Kept[str] = Kept(3.0, clock=lambda: now[0], most=2)

    async def make(session: str) -> str:
        asked.append(session)
        return f"{session}#{len(asked)}"

    assert await kept.get("s1", lambda: make("s1")) == "s1#1"
    now[0] += 2.9
    assert await kept.get("s1", lambda: make("s1")) == "s1#1"  # still fresh: not asked again
    assert await kept.get("s2", lambda: make("s2")) == "s2#2"  # another session, its own
    now[0] += 0.2
    assert await kept.get("s1", lambda: make("s1")) == "s1#3"  # old: asked again
    kept.forget("s1")
    assert await kept.get("s1", lambda: make("s1")) == "s1#4"  # forgotten: asked again
    await kept.get("s3", lambda: make("s3"))  # a third session: the oldest (s2) goes
    assert await kept.get("s2", lambda: make("s2")) == "s2#6"
    assert asked == ["s1", "s2", "s1", "s1", "s3", "s2"]
