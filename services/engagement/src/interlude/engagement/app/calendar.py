"""A private iCalendar feed per person, at a secret URL they can reset, that Google or Outlook
subscribes to. It says when and how (in person, phone, video), never with whom or about what."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from icalendar import Calendar, Event

from interlude.engagement.app.deps import Engagement
from interlude.engagement.projections import queries
from interlude.shared.events.envelope import CommandContext

MODES = {"in_person": "in person", "phone": "by phone", "video": "by video link"}


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def reset_feed(deps: Engagement, ctx: CommandContext) -> str:
    """A new secret URL for the caller's feed; the previous URL stops working."""
    token = secrets.token_urlsafe(32)
    await queries.replace_feed(deps.pool, ctx.tenant_id, ctx.actor.id, digest(token), ctx.now)
    return f"{deps.public_url}/v1/calendar/{token}.ics"


def _event(row: dict[str, Any], now: datetime) -> Event:
    event = Event()
    event.add("uid", f"{row['session_id']}@interlude")
    event.add("dtstamp", row["updated_at"] or now)
    event.add("dtstart", row["starts_at"])
    event.add("dtend", row["starts_at"] + timedelta(minutes=row["minutes"]))
    event.add("summary", f"Coaching session ({MODES.get(row['mode'], row['mode'])})")
    event.add("description", "Details are in Interlude.")
    event.add("sequence", row["sequence"])
    event.add("status", "CANCELLED" if row["status"] == "cancelled" else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


async def feed(deps: Engagement, token: str, now: datetime) -> bytes | None:
    """The feed of the person holding ``token``, or None (unknown, reset, or not active)."""
    owner = await queries.feed_owner(deps.pool, digest(token))
    if owner is None:
        return None
    calendar = Calendar()
    calendar.add("prodid", "-//Interlude//coaching sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Coaching sessions")
    calendar.add("refresh-interval;value=duration", "PT1H")
    for row in await queries.sessions_of_person(deps.pool, owner["tenant_id"],
                                                owner["user_id"]):
        calendar.add_component(_event(row, now))
    return calendar.to_ical()
