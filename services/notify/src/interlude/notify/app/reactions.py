"""Who is told what: notify's reactions to the other services' events, run by the worker as
consumers of their streams (``notify-identity``, ``notify-engagement``, ``notify-community``).

Each consumer keeps notify's copy of what it decides from (people, contracts, spaces) and
reacts in step: for each event, the copy first, then the reaction (``when_<event>_<action>``),
which answers the :class:`~.telling.Tell` s of that event; the batch's tells are queued together
(:class:`~.telling.Teller`), each as its own notification aggregate appended at expected
sequence 0, carrying the cause's id as causation and the cause's time. A redelivered batch, or
a rebuild from the start, tells no one twice: the aggregates are there already.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

import asyncpg

from interlude.notify.app.deps import Notify
from interlude.notify.app.telling import Cause, Tell, Teller
from interlude.notify.projections import queries
from interlude.shared.events import published
from interlude.shared.projections.base import Projection, RecordedEvent

When = Callable[[asyncpg.Connection, RecordedEvent], Awaitable[list[Tell]]]


class Reactions(Projection):
    """Not a read model: it keeps no rows; its effect is the notifications it queues."""

    when: ClassVar[dict[str, str]] = {}  # event type -> the method reacting to it

    def __init__(self, deps: Notify) -> None:
        super().__init__()
        self.deps = deps
        self.teller = Teller(deps)

    async def prepare(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        """Before a batch, as the read model stands: what the reactions will look up, fetched
        at once (a look-up per event would cost more than the reaction)."""

    def seen(self, event: RecordedEvent) -> None:
        """The read model has applied ``event``: forget what it may have changed."""

    async def react(self, conn: asyncpg.Connection, event: RecordedEvent) -> list[Tell]:
        method = self.when.get(event.type)
        if method is None:
            return []
        self.decoded(event)
        reaction: When = getattr(self, method)
        return await reaction(conn, event)

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        await self.prepare(conn, events)
        told = [(Cause.of(e), t) for e in events for t in await self.react(conn, e)]
        await self.teller.queue(conn, told)


class InStep(Projection):
    """A read model and the reactions that decide from it, fed by one consumer: each event is
    applied to the read model, then reacted to; the batch's notifications are queued at the
    end, in the same transaction as the rows and the checkpoint. A rebuild rebuilds the read
    model and reacts again, which tells no one twice."""

    def __init__(self, name: str, view: Projection, reactions: Reactions) -> None:
        super().__init__()
        self.name = name  # type: ignore[misc]
        self.tables = view.tables  # type: ignore[misc]
        self.view, self.reactions = view, reactions

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        told: list[tuple[Cause, Tell]] = []
        await self.reactions.prepare(conn, events)
        for event in events:
            await self.view.apply(conn, [event])
            self.reactions.seen(event)
            told += [(Cause.of(event), t) for t in await self.reactions.react(conn, event)]
        await self.reactions.teller.queue(conn, told)

    async def reset(self, conn: asyncpg.Connection) -> None:
        await self.view.reset(conn)


class IdentityReactions(Reactions):
    """An invitation (to the person invited, read once they have joined) and a change of the
    security policy (to the organisation's other admins)."""

    name = "notify-identity-reactions"
    reads = (published.identity,)
    when: ClassVar[dict[str, str]] = {
        "identity.UserInvited": "when_user_invited_tell",
        "identity.SecurityPolicyChanged": "when_security_policy_changed_tell"}

    async def when_user_invited_tell(self, conn: asyncpg.Connection,
                                     event: RecordedEvent) -> list[Tell]:
        e = event.of(published.UserInvited)
        return [Tell(e.user_id, "invitation", "/", actor_id=event.envelope.actor.id)]

    async def when_security_policy_changed_tell(self, conn: asyncpg.Connection,
                                                event: RecordedEvent) -> list[Tell]:
        admins = await queries.people_with_role(conn, event.tenant_id, "org_admin")
        return [Tell(admin, "policy_changed", "/admin/policy", actor_id=event.envelope.actor.id)
                for admin in admins]
