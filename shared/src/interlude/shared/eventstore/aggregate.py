"""How a service describes one kind of aggregate to the platform.

The domain stays pure: ``evolve(state, event) -> state`` and a ``decide`` of the service's own
making; this spec only names the aggregate, its initial state and how its state is snapshotted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import TypeAdapter

from interlude.shared.events.registry import Event

S = TypeVar("S")


@dataclass(frozen=True)
class AggregateSpec(Generic[S]):
    """``name`` is the aggregate's subject token; ``state_type`` must be something pydantic can
    dump and validate (a dataclass or model); bump ``snapshot_version`` whenever the state's
    shape changes, and old snapshots are ignored (a full replay rebuilds them)."""

    name: str
    initial: Callable[[], S]
    evolve: Callable[[S, Event], S]
    state_type: type[S]
    snapshot_version: int = 1
    _adapter: TypeAdapter[S] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_adapter", TypeAdapter(self.state_type))

    def dump_state(self, state: S) -> bytes:
        return self._adapter.dump_json(state)

    def load_state(self, data: bytes) -> S:
        return self._adapter.validate_json(data)

    def replay(self, state: S, events: list[Event]) -> S:
        for event in events:
            state = self.evolve(state, event)
        return state
