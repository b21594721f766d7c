"""The preferences form's checks (each refusal says what to change), and the header's unread
count: asked once per spell, not once per page, and asked again as soon as the inbox changed."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.datastructures import FormData

from interlude.web.badge import Badge, stale, unread_of
from interlude.web.pages.notifications import _problem, _typed
from interlude.web.sessions import SessionStore, Tokens


def form(**fields: str) -> FormData:
    base = {"email.coach_replied": "daily", "time_zone": "Europe/Paris", "digest_hour": "8"}
    return FormData({**base, **fields})


def test_the_form_is_read_as_typed_and_a_timing_not_offered_is_left_out() -> None:
    typed = _typed(FormData([("email.coach_replied", "weekly"), ("email.post_reacted", "hourly"),
                             ("time_zone", " UTC "), ("digest_hour", "7")]))
    assert typed["email"] == {"coach_replied": "weekly"}
    assert typed["time_zone"] == "UTC" and typed["digest_hour"] == 7


def test_each_mistake_is_named_in_words_a_person_can_act_on() -> None:
    assert _problem(_typed(form())) is None
    assert _problem(_typed(form(quiet_start="22:00", quiet_end="07:30"))) is None
    only_start = _problem(_typed(form(quiet_start="22:00")))
    assert only_start is not None and "both the start and the end" in only_start
    same = _problem(_typed(form(quiet_start="22:00", quiet_end="22:00")))
    assert same is not None and "different" in same
    zone = _problem(_typed(form(time_zone="Mars/Olympus")))
    assert zone is not None and "Mars/Olympus" in zone and "Europe/Paris" in zone
    hour = _problem(_typed(form(digest_hour="25")))
    assert hour is not None and "hour" in hour


class Notify:
    """notify's unread count, counting the calls made for it."""

    def __init__(self) -> None:
        self.calls, self.unread = 0, 3

    async def call(self, session: Any, service: str, method: str, path: str) -> dict[str, Any]:
        self.calls += 1
        return {"unread": self.unread}


class Clock:
    now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_the_count_is_asked_once_per_spell_and_again_once_the_inbox_changed() -> None:
    clock, notify = Clock(), Notify()
    badge = Badge(notify, ttl_s=3, clock=clock)  # type: ignore[arg-type]
    session = SessionStore(60, 600, 10, clock).open(
        Tokens("a", "r", 300, "t1", "u1", ("coachee",)))
    badge.ask(session)
    badge.ask(session)  # a call is on its way: no second one
    assert await unread_of(session) == 3 and notify.calls == 1
    clock.now += 1
    badge.ask(session)
    assert notify.calls == 1  # an answer a second old will do
    notify.unread = 4
    stale(session)  # a notification went by, or one was read
    badge.ask(session)
    assert await unread_of(session) == 4 and notify.calls == 2
    clock.now += 5
    badge.ask(session)
    await asyncio.sleep(0)
    assert await unread_of(session) == 4 and notify.calls == 3
