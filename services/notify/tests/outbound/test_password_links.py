"""A password link is e-mailed to its person alone, at once, as its own message; not once it
has expired, the person is no longer active or the organisation sends no e-mail; and notify
keeps the link sealed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from interlude.notify.app import preferences
from interlude.shared.events.envelope import Actor
from interlude.shared.ids import new_id

from .outbound_world import World
from .test_delivery_when import around


async def test_a_password_link_is_mailed_at_once_whatever_the_quiet_hours(world: World) -> None:
    await world.policy()
    coachee = await world.person("Amira Haddad", "amira@example.org")
    ctx = world.deps.context(world.tenant_id, Actor(coachee, ("coachee",)))
    await preferences.change(world.deps, ctx, {}, around(datetime.now(UTC)), "UTC", 8)
    token = f"{world.tenant_id}.{coachee}.{new_id()}"
    await world.password_link(coachee, token)
    await world.caught_up()
    assert await world.link_sender().run_due() == 1
    [mail] = world.mails()
    assert mail["To"] == "amira@example.org"
    assert mail["Subject"] == "Choose a new password for Interlude"
    assert f"https://app.example/password-reset/{token}" in mail.get_content()
    assert "List-Unsubscribe" not in mail  # an account's message, not a notification
    assert await world.link_sender().run_due() == 0  # sent once
    for table in ("due_work", "outbox", "owed_events"):
        rows = await world.platform.pool.fetch(f"SELECT * FROM {table}")
        assert token not in repr([dict(r) for r in rows]), table  # kept sealed


async def test_no_link_goes_expired_to_someone_deactivated_or_without_e_mail(
        world: World) -> None:
    await world.policy()
    late = await world.person("Lee Late", "lee@example.org")
    gone = await world.person("Gil Gone", "gil@example.org")
    await world.password_link(late, f"{world.tenant_id}.{late}.x1",
                              expires_at=datetime.now(UTC) - timedelta(minutes=1))
    await world.password_link(gone, f"{world.tenant_id}.{gone}.x2")
    await world.deactivate(gone)
    await world.caught_up()
    assert await world.link_sender().run_due() == 2
    await world.policy(notify__channels=["in_app"])
    kept = await world.person("Kim Kept", "kim@example.org")
    await world.password_link(kept, f"{world.tenant_id}.{kept}.x3")
    await world.caught_up()
    assert await world.link_sender().run_due() == 1
    assert world.mails() == []
