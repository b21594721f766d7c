"""notify's reactions on their own: a cause replayed or redelivered tells no one twice; an
organisation that switched community off hears nothing of it; a forgotten person is never
told again; content is copied sealed, never in clear."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from interlude.notify.adapters import due_work
from interlude.notify.projections import community_events as com
from interlude.notify.projections import engagement_events as eng
from interlude.shared.events import published
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


async def test_a_batch_told_in_part_before_a_crash_tells_only_the_rest(alone: Alone) -> None:
    tenant = new_id()
    await _space(alone, tenant)
    for i in range(3):
        await _comment(alone, tenant, f"Comment {i}")
    reacting = alone.runners["notify-community"]
    await reacting.catch_up()
    for i in range(3, 5):
        await _comment(alone, tenant, f"Comment {i}")
    # as if the worker had appended the first three, then crashed before its checkpoint: the
    # next batch holds all five, and the three told already are refused one by one
    await reacting.rebuild(progress=lambda _: None)
    assert await alone.queued() == 5
    await alone.runners["notify-inbox"].catch_up()
    rows = await alone.inbox(tenant, "amira")
    assert len({r["notification_id"] for r in rows}) == len(rows) == 5


async def test_the_allowance_nearly_used_is_told_once_at_its_reply_within_a_batch(
        alone: Alone) -> None:
    tenant = new_id()
    terms = eng.Terms(allowance=eng.Allowance(kind="monthly", replies_per_month=4))
    await alone.engagement_event(tenant, "c1", eng.ContractActivated(
        coach_id="claire", coachee_id="amira", terms=terms), actor="claire")
    for i in range(1, 5):  # the third leaves a quarter of four: the coachee hears it then
        await alone.engagement_event(tenant, "c1", eng.MessageSent(
            contract_id="c1", message_id=f"m{i}", sender_id="claire", party="coach",
            coachee_id="amira", body=Secret(f"Reply {i}", "amira"), month="2026-12",
            counted=True), actor="claire")
    await alone.runners["notify-engagement"].catch_up()  # one batch: all of them
    await alone.runners["notify-inbox"].catch_up()
    rows = await alone.inbox(tenant, "amira")
    assert [r["item_id"] for r in rows if r["kind"] == "coach_replied"] == [
        "m1", "m2", "m3", "m4"]
    assert [r["item_id"] for r in rows if r["kind"] == "allowance_nearly_used"] == ["m3"]


async def test_a_coachee_told_the_allowance_is_nearly_used_hears_when_it_renews(
        alone: Alone) -> None:
    """At the next month's start, once; not for a contract that ended meanwhile, nor when
    the worker comes back after that month is over."""
    tenant, pool = new_id(), alone.platform.pool
    terms = eng.Terms(allowance=eng.Allowance(kind="monthly", replies_per_month=4))
    for contract, coachee, month in (("c1", "amira", "2026-12"), ("c2", "ben", "2026-12"),
                                     ("c3", "chloe", "2027-01")):
        await alone.engagement_event(tenant, contract, eng.ContractActivated(
            coach_id="claire", coachee_id=coachee, terms=terms), actor="claire")
        for i in range(1, 4):  # the third leaves a quarter: nearly used
            await alone.engagement_event(tenant, contract, eng.MessageSent(
                contract_id=contract, message_id=f"m{i}", sender_id="claire", party="coach",
                coachee_id=coachee, body=Secret(f"Reply {i}", coachee), month=month,
                counted=True), actor="claire")
    await alone.engagement_event(tenant, "c2", eng.ContractEnded(ended_by="ben"), actor="ben")
    await alone.runners["notify-engagement"].catch_up()
    due = await pool.fetch("SELECT work_id, due_at FROM due_work WHERE tenant_id = $1"
                           " AND payload->>'kind' = 'allowance_renewed' AND done_at IS NULL"
                           " AND cancelled_at IS NULL ORDER BY due_at", tenant)
    assert [(r["work_id"].split(":")[2], r["due_at"]) for r in due] == [
        ("c1", datetime(2027, 1, 1, tzinfo=UTC)), ("c3", datetime(2027, 2, 1, tzinfo=UTC))]

    reminders = next(r.reminders for r in alone.runners.values() if hasattr(r, "reminders"))
    assert await reminders.fire(datetime(2026, 12, 31, 23, 59, tzinfo=UTC)) == 0
    assert await reminders.fire(datetime(2027, 1, 1, 0, 0, 1, tzinfo=UTC)) == 1
    assert await reminders.fire(datetime(2027, 1, 1, 0, 0, 2, tzinfo=UTC)) == 0
    assert await reminders.fire(datetime(2027, 3, 5, tzinfo=UTC)) == 0  # c3's month is over
    await alone.runners["notify-inbox"].catch_up()
    renewed = {who: [r["kind"] for r in await alone.inbox(tenant, who)
                     if r["kind"] == "allowance_renewed"] for who in ("amira", "ben", "chloe")}
    assert renewed == {"amira": ["allowance_renewed"], "ben": [], "chloe": []}


async def test_a_pseudonym_changed_within_a_batch_names_the_later_comments(
        alone: Alone) -> None:
    tenant = new_id()
    await _space(alone, tenant)
    await _comment(alone, tenant, "Before")
    await alone.community_event(tenant, "space", SPACE, com.MemberJoined(
        user_id="ben", pseudonym="Calm Fox"), actor="ben")
    await _comment(alone, tenant, "After")
    await alone.runners["notify-community"].catch_up()  # one batch: all of it
    await alone.runners["notify-inbox"].catch_up()
    rows = await alone.inbox(tenant, "amira")
    assert [r["actor_pseudonym"] for r in rows] == ["Bold Otter", "Calm Fox"]


async def test_community_switched_off_and_a_forgotten_or_deactivated_person_hear_nothing(
        alone: Alone) -> None:
    off, forgotten, deactivated, told = new_id(), new_id(), new_id(), new_id()
    await alone.policy(off, **{"community.enabled": False})
    for tenant, status in ((forgotten, "forgotten"), (deactivated, "deactivated")):
        await alone.platform.pool.execute(
            "INSERT INTO people (tenant_id, user_id, status) VALUES ($1, 'amira', $2)",
            tenant, status)
    for tenant in (off, forgotten, deactivated, told):  # the last one told: all seen
        await _space(alone, tenant)
        await _comment(alone, tenant, "A comment")
    await alone.runners["notify-community"].catch_up()
    await alone.runners["notify-inbox"].catch_up()
    assert len(await alone.inbox(told, "amira")) == 1
    for tenant in (off, forgotten, deactivated):
        assert await alone.inbox(tenant, "amira") == []
    assert await alone.queued() == 1


async def test_a_feature_switched_off_is_told_no_more_even_by_a_timer_set_before(
        alone: Alone) -> None:
    """Messages, check-ins: once the organisation switches one off, its notifications would
    lead to pages that refuse the reader. A timer set while it was on tells no one either."""
    tenant, pool = new_id(), alone.platform.pool
    terms = eng.Terms(allowance=eng.Allowance(kind="monthly", replies_per_month=4))
    await alone.engagement_event(tenant, "c1", eng.ContractActivated(
        coach_id="claire", coachee_id="amira", terms=terms), actor="claire")
    await alone.engagement_event(tenant, "c1", eng.MessageSent(
        contract_id="c1", message_id="m1", sender_id="amira", party="coachee",
        coachee_id="amira", body=Secret("Are you there?", "amira"), month="2026-12",
        counted=False), actor="amira")
    await alone.runners["notify-engagement"].catch_up()  # told; the overdue notice is set
    await alone.policy(tenant, **{"messaging.enabled": False, "checkins.enabled": False})
    await alone.engagement_event(tenant, "ci1", eng.CheckInPosted(
        contract_id="c1", coach_id="claire", coachee_id="amira",
        text=Secret("Did it", "amira")), actor="amira")
    await alone.runners["notify-engagement"].catch_up()
    reminders = next(r.reminders for r in alone.runners.values() if hasattr(r, "reminders"))
    assert await reminders.fire(datetime.now(UTC) + timedelta(days=30)) == 0
    assert await pool.fetchval("SELECT count(*) FROM due_work WHERE tenant_id = $1"
                               " AND done_at IS NULL AND cancelled_at IS NULL", tenant) == 0
    await alone.runners["notify-inbox"].catch_up()
    assert [r["kind"] for r in await alone.inbox(tenant, "claire")] == ["message_received"]


async def test_erasure_drops_the_reminders_of_the_forgotten_alone(alone: Alone) -> None:
    tenant, pool = new_id(), alone.platform.pool
    await pool.execute(
        "INSERT INTO contracts (tenant_id, contract_id, coach_id, coachee_id, active, terms)"
        " VALUES ($1, 'c1', 'claire', 'amira', true, '{}')", tenant)
    due = datetime.now(UTC) - timedelta(minutes=1)
    starts = due + timedelta(days=1)
    for work_id, recipients, kind in (("overdue", ["amira"], "reply_overdue"),
                                      ("session", ["claire", "amira"], "session_tomorrow")):
        await due_work.schedule(pool, work_id=work_id, tenant_id=tenant, kind="reminder",
                                due_at=due, payload={
                                    "kind": kind, "contract_id": "c1", "recipients": recipients,
                                    "session_id": "s1", "starts_at": starts.isoformat(),
                                    "link": "/"})
    await pool.execute("INSERT INTO people (tenant_id, user_id, status) VALUES ($1, 'amira',"
                       " 'active')", tenant)
    await pool.execute("INSERT INTO sessions (tenant_id, session_id, contract_id, starts_at)"
                       " VALUES ($1, 's1', 'c1', $2)", tenant, starts)
    await alone.identity_event(tenant, "amira", published.SubjectForgotten(subject_id="amira"))
    await alone.runners["notify-identity"].catch_up()

    reminders = next(r.reminders for r in alone.runners.values() if hasattr(r, "reminders"))
    assert await reminders.fire(datetime.now(UTC)) == 1  # the session, to the coach alone
    await alone.runners["notify-inbox"].catch_up()
    assert [r["kind"] for r in await alone.inbox(tenant, "claire")] == ["session_tomorrow"]
    assert await alone.inbox(tenant, "amira") == []
    cancelled = await pool.fetchval("SELECT cancel_reason FROM due_work WHERE work_id = 'overdue'")
    assert cancelled == "erased"


async def test_a_reminder_that_falls_due_after_its_session_began_tells_no_one(
        alone: Alone) -> None:
    """The worker was away (or the reactions were replayed) past the session's start: "you
    have a session tomorrow" would be wrong now. The timer is done with, not tried again."""
    tenant, pool = new_id(), alone.platform.pool
    await pool.execute(
        "INSERT INTO contracts (tenant_id, contract_id, coach_id, coachee_id, active, terms)"
        " VALUES ($1, 'c1', 'claire', 'amira', true, '{}')", tenant)
    now = datetime.now(UTC)
    for session, starts in (("past", now - timedelta(hours=2)),
                            ("soon", now + timedelta(hours=20))):
        await pool.execute("INSERT INTO sessions (tenant_id, session_id, contract_id, starts_at)"
                           " VALUES ($1, $2, 'c1', $3)", tenant, session, starts)
        await due_work.schedule(pool, work_id=session, tenant_id=tenant, kind="reminder",
                                due_at=starts - timedelta(days=1), payload={
                                    "kind": "session_tomorrow", "contract_id": "c1",
                                    "recipients": ["amira"], "session_id": session,
                                    "starts_at": starts.isoformat(), "link": "/"})

    reminders = next(r.reminders for r in alone.runners.values() if hasattr(r, "reminders"))
    assert await reminders.fire(now) == 1
    await alone.runners["notify-inbox"].catch_up()
    assert [r["item_id"] for r in await alone.inbox(tenant, "amira")] == ["soon"]
    assert await pool.fetchval("SELECT count(*) FROM due_work WHERE tenant_id = $1"
                               " AND done_at IS NULL", tenant) == 0
