"""A tiny aggregate and projection for exercising the platform: the store contract suite,
the projection fault tests and the benchmarks all use it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import Any

import asyncpg

from interlude.shared.events.registry import Event, EventRegistry
from interlude.shared.eventstore.aggregate import AggregateSpec
from interlude.shared.projections.base import Projection, RecordedEvent

registry = EventRegistry()


@registry.event("test.Counted", version=1)
class Counted(Event):
    by: int


@registry.event("test.Noted", version=2)
class Noted(Event):
    note: str
    weight: int  # added in v2; v1 events get weight 1


@registry.upcaster("test.Noted", from_version=1)
def _noted_v1_to_v2(payload: dict[str, Any]) -> dict[str, Any]:
    return {**payload, "weight": 1}


@dataclass(frozen=True)
class Tally:
    total: int = 0
    notes: tuple[str, ...] = ()
    weight: int = 0


def evolve(state: Tally, event: Event) -> Tally:
    match event:
        case Counted(by=by):
            return replace(state, total=state.total + by)
        case Noted(note=note, weight=weight):
            return replace(state, notes=(*state.notes, note), weight=state.weight + weight)
    return state


TALLY = AggregateSpec(name="tally", initial=Tally, evolve=evolve, state_type=Tally)


POISON = 13  # a Counted event with this value makes the projection fail, like a bug would

TALLY_SCHEMA = """
CREATE TABLE IF NOT EXISTS tally_totals (
    tenant_id text NOT NULL,
    aggregate_id text NOT NULL,
    total bigint NOT NULL,
    events bigint NOT NULL,
    PRIMARY KEY (tenant_id, aggregate_id)
)
"""


class TallyProjection(Projection):
    """Totals per tally. Not idempotent by itself (it adds), so a batch applied twice shows."""

    name = "tally-totals"
    tables = ("tally_totals",)

    def __init__(self, apply_delay: float = 0.0) -> None:
        super().__init__()
        self.apply_delay = apply_delay  # widens the window in which a crash hits a transaction

    async def apply(self, conn: asyncpg.Connection, events: list[RecordedEvent]) -> None:
        sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for event in events:
            row = sums[(event.tenant_id, event.aggregate_id)]
            if event.type == Counted.type_name:
                by = event.payload["by"]
                if by == POISON:
                    raise ValueError("unlucky number")
                row[0] += by
            row[1] += 1
        # one statement for the whole batch: arrays in, upserts out (no round trip per row)
        keys = list(sums)
        await conn.execute(
            "INSERT INTO tally_totals AS t SELECT * FROM unnest($1::text[], $2::text[],"
            " $3::bigint[], $4::bigint[]) ON CONFLICT (tenant_id, aggregate_id) DO UPDATE"
            " SET total = t.total + excluded.total, events = t.events + excluded.events",
            [t for t, _ in keys], [a for _, a in keys], [sums[k][0] for k in keys],
            [sums[k][1] for k in keys])
        if self.apply_delay:
            await conn.execute("SELECT pg_sleep($1)", self.apply_delay)
